using Press.Core.Sites;
using Press.Core.Tenancy;
using Press.Infrastructure.Runtime.Docker;
using Press.Infrastructure.Runtime.Files;

namespace Press.Infrastructure.Tests.Runtime;

/// <summary>The Docker driver's file work as data: the helper container and the commands run inside. No engine.</summary>
public sealed class ContainerSiteFilesTests
{
    private static readonly DockerRuntimeOptions Options = new();
    private const string SiteFolder = "/home/frappe/frappe-bench/sites/erp.example.com";

    private static readonly Site Site = new(Guid.Parse("0193a2b4-0000-7000-8000-000000000001"), "erp.example.com", SiteState.Suspended,
        new TenantLocation("press_sites", "t_abcdefghijklmnopqrst"), "t_abcdefghijklmnopqrst", [], [], DateTimeOffset.UnixEpoch,
        DateTimeOffset.UnixEpoch, null, null, null) { RunnerPort = 48600 };

    [Fact]
    public void The_helper_mounts_only_the_sites_volume_runs_as_the_bench_user_without_network_and_only_waits()
    {
        var spec = ContainerSiteFiles.HelperSpec(Site, "sha256:feed", Options);

        Assert.Equal("fcs-press-files-erp.example.com", spec.Name);
        Assert.Equal("sha256:feed", spec.Image);
        Assert.Equal(["sleep", "infinity"], spec.Entrypoint);
        Assert.Null(spec.Cmd);
        Assert.Equal("frappe", spec.User);
        Assert.Equal(SiteFolder, spec.WorkingDir);
        Assert.Equal(new Dictionary<string, string> { ["press.files-helper"] = "erp.example.com" }, spec.Labels);
        Assert.DoesNotContain(RunnerContainer.ManagedLabel, spec.Labels.Keys); // never counted as a (stray) runner
        var host = spec.HostConfig ?? throw new Xunit.Sdk.XunitException("no HostConfig");
        Assert.Equal("none", host.NetworkMode);
        var mount = Assert.Single(host.Mounts ?? []);
        Assert.Equal(("volume", "fcs-press-site-erp.example.com", SiteFolder), (mount.Type, mount.Source, mount.Target));
        Assert.Null(host.RestartPolicy);
    }

    [Fact]
    public void A_move_creates_the_destinations_parent_then_renames_without_moving_into_an_existing_folder()
    {
        Assert.Equal(
        [
            ["mkdir", "-p", $"{SiteFolder}/.press-restore/r1/previous/public"],
            ["mv", "-T", $"{SiteFolder}/public/files", $"{SiteFolder}/.press-restore/r1/previous/public/files"],
        ], ContainerSiteFiles.Commands(SiteFolder, new FileOp.Move("public/files", ".press-restore/r1/previous/public/files")));
        Assert.Equal([["mkdir", "-p", $"{SiteFolder}/.press-restore/r1/previous/private/files"]],
            ContainerSiteFiles.Commands(SiteFolder, new FileOp.CreateFolder(".press-restore/r1/previous/private/files")));
    }

    [Fact]
    public void The_probe_is_a_fixed_script_and_the_paths_travel_as_arguments()
    {
        Assert.Equal(
        [
            "sh", "-c", "for p in \"$@\"; do if [ -d \"$p\" ]; then echo yes; else echo no; fi; done", "sh",
            $"{SiteFolder}/public/files", $"{SiteFolder}/it's \"quoted\" $(x)",
        ], ContainerSiteFiles.ProbeCommand([$"{SiteFolder}/public/files", $"{SiteFolder}/it's \"quoted\" $(x)"]));
    }
}
