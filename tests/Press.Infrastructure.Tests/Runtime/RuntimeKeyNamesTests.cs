using Docker.DotNet.Models;
using Press.Core.Sites;
using Press.Core.Tenancy;
using Press.Infrastructure.Runtime.Docker;

namespace Press.Infrastructure.Tests.Runtime;

/// <summary>
/// A claimed standby under the Docker driver (docs/architecture.md §17): its containers and volumes keep the opaque name
/// they were made under (<see cref="Site.RuntimeKey"/>), while everything Frappe sees — the site folder the volume is
/// mounted at, the health check's Host, the labels — follows the site's name. A site without a recorded runtime name
/// (every site made before migration 0023, every cold create) keeps the names derived from its own.
/// </summary>
public sealed class RuntimeKeyNamesTests
{
    private static readonly DockerRuntimeOptions Options = new();
    private const string Standby = "standby-abcdefghijklmnop.invalid";

    private static Site Make(string name, string? runtimeName) => new(Guid.Parse("0193a2b4-0000-7000-8000-000000000002"), name, SiteState.Active,
        new TenantLocation("press_sites", "t_abcdefghijklmnopqrst"), "t_abcdefghijklmnopqrst", [], [], DateTimeOffset.UnixEpoch,
        DateTimeOffset.UnixEpoch, null, null, null) { RunnerPort = 48601, RuntimeName = runtimeName };

    private static readonly Site Claimed = Make("shop.example.com", Standby);

    [Fact]
    public void A_site_without_a_runtime_name_keeps_the_names_of_its_own_name()
    {
        var site = Make("erp.example.com", null);
        Assert.Equal("erp.example.com", site.RuntimeKey);
        Assert.Equal("fcs-press-site-erp.example.com", RunnerContainer.Name(site));
        Assert.Equal("fcs-press-site-erp.example.com", RunnerContainer.Volume(site));
        Assert.Equal("fcs-press-site-erp.example.com-redis", RedisContainer.Name(site));
        Assert.Equal("fcs-press-site-erp.example.com-redis", RedisContainer.Volume(site));
        Assert.Equal("fcs-press-site-erp.example.com-worker-short", BackgroundContainer.Name(site, "worker-short"));
        Assert.Equal("fcs-press-files-erp.example.com", ContainerSiteFiles.HelperSpec(site, "img", Options).Name);
    }

    [Fact]
    public void A_claimed_standby_keeps_its_runtime_names_and_is_mounted_at_the_new_name()
    {
        Assert.Equal(Standby, Claimed.RuntimeKey);
        Assert.Equal(
        [
            "fcs-press-site-standby-abcdefghijklmnop.invalid",
            "fcs-press-site-standby-abcdefghijklmnop.invalid-redis",
            "fcs-press-site-standby-abcdefghijklmnop.invalid-worker-short",
            "fcs-press-site-standby-abcdefghijklmnop.invalid-worker-long",
            "fcs-press-site-standby-abcdefghijklmnop.invalid-schedule",
            "fcs-press-site-standby-abcdefghijklmnop.invalid-socketio",
        ], SiteContainers.Names(Claimed));
        Assert.Equal("fcs-press-site-standby-abcdefghijklmnop.invalid", RunnerContainer.Volume(Claimed));
        Assert.Equal("fcs-press-site-standby-abcdefghijklmnop.invalid-redis", RedisContainer.Volume(Claimed));
        Assert.Equal("/home/frappe/frappe-bench/sites/shop.example.com", RunnerContainer.SiteFolder(Options, Claimed));

        var runner = RunnerContainer.Build(Claimed, 48601, new RunnerContainer.Limits("img", 512, 0.5), Options);
        Assert.Equal("fcs-press-site-standby-abcdefghijklmnop.invalid", runner.Name);
        Assert.Equal(
        [
            ("volume", "fcs-press-site-standby-abcdefghijklmnop.invalid", "/home/frappe/frappe-bench/sites/shop.example.com", false),
            ("volume", "fcs-press-site-standby-abcdefghijklmnop.invalid-redis", "/run/press-redis", true),
        ], runner.HostConfig!.Mounts!.Select(m => (m.Type, m.Source, m.Target, m.ReadOnly == true)));
        Assert.Equal(["CMD", "curl", "-fsS", "-o", "/dev/null", "-H", "Host: shop.example.com", "http://127.0.0.1:48601/api/method/ping"],
            runner.Healthcheck!.Test);
        Assert.Equal("shop.example.com", runner.Labels["press.site"]);
        Assert.Equal("0193a2b4-0000-7000-8000-000000000002", runner.Labels["press.site-id"]);
    }

    [Fact]
    public void The_background_containers_and_the_files_helper_of_a_claimed_site_mount_the_same_volume_at_the_new_name()
    {
        var limits = new RunnerContainer.Limits("img", 512, 0.5);
        var worker = BackgroundContainer.Build(Claimed, Press.Infrastructure.Runtime.Background.BackgroundProcesses.All[0], limits, Options);
        Assert.Equal("fcs-press-site-standby-abcdefghijklmnop.invalid-worker-short", worker.Name);
        Assert.Equal(
        [
            ("fcs-press-site-standby-abcdefghijklmnop.invalid", "/home/frappe/frappe-bench/sites/shop.example.com"),
            ("fcs-press-site-standby-abcdefghijklmnop.invalid-redis", "/run/press-redis"),
        ], worker.HostConfig!.Mounts!.Select(m => (m.Source, m.Target)));

        var helper = ContainerSiteFiles.HelperSpec(Claimed, "img", Options);
        Assert.Equal("fcs-press-files-standby-abcdefghijklmnop.invalid", helper.Name);
        Assert.Equal([("fcs-press-site-standby-abcdefghijklmnop.invalid", "/home/frappe/frappe-bench/sites/shop.example.com")],
            helper.HostConfig!.Mounts!.Select(m => (m.Source, m.Target)));

        // socket.io's volume follows the served name: the ingress finds it by host, and it holds only the socket.
        Assert.Equal(BackgroundContainer.SocketIoVolume("shop.example.com"),
            BackgroundContainer.Build(Claimed, Press.Infrastructure.Runtime.Background.BackgroundProcesses.All[^1], limits, Options)
                .HostConfig!.Mounts!.Single(m => m.Target == BackgroundContainer.SocketIoFolder).Source);
    }

    [Fact]
    public void A_container_made_for_the_standby_name_is_not_made_for_the_claimed_site()
    {
        static ContainerInspectResponse Labelled(string? site) => new()
        {
            Config = new() { Labels = site is null ? new Dictionary<string, string>() : new Dictionary<string, string> { ["press.site"] = site } },
        };
        Assert.False(RunnerContainer.MadeFor(Labelled(Standby), Claimed));
        Assert.False(RunnerContainer.MadeFor(Labelled(null), Claimed));
        Assert.False(RunnerContainer.MadeFor(new ContainerInspectResponse(), Claimed));
        Assert.True(RunnerContainer.MadeFor(Labelled("shop.example.com"), Claimed));
    }

    [Fact]
    public void The_reconciler_counts_a_claimed_sites_containers_as_its_own_and_the_standby_names_of_no_site_as_strays()
    {
        var managed = SiteContainers.Names(Claimed).Append("fcs-press-site-shop.example.com")
            .Select(n => new ContainerListResponse { ID = "id-" + n, Names = ["/" + n] });
        Assert.Equal(["fcs-press-site-shop.example.com"], SiteContainers.Strays([Claimed], managed));
    }
}
