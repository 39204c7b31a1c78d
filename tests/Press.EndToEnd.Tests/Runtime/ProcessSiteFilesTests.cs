using System.Text.Json;
using Press.Core.Jobs;
using Press.Core.Sites;
using Press.EndToEnd.Tests.Harness;
using Press.Infrastructure.Runtime;
using Press.Infrastructure.Runtime.Process;

namespace Press.EndToEnd.Tests.Runtime;

/// <summary>
/// The process driver's backup and restore work on real site folders of a bench on this host, with the Frappe test
/// double as bench: sites are created through Press, then the driver is called as the backup steps call it.
/// </summary>
[Collection(SiteRuntimeCollection.Name)]
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class ProcessSiteFilesTests(ProcessStackFixture fixture) : IClassFixture<ProcessStackFixture>
{
    private RuntimeStack Stack => fixture.Stack;

    private ProcessSiteRuntime Runtime => new(
        new ProcessRuntimeOptions { BenchFolder = Stack.BenchFolder, BenchExecutable = RuntimeStack.DoubleExecutable, CommandTimeout = TimeSpan.FromMinutes(1) },
        new RuntimeEndpoints("127.0.0.1", 5432), new FrappePing(new HttpClient()));

    private ISiteFolderShell Shell => new LocalFolderShell(Stack.BenchFolder!);

    private async Task<Site> CreateSiteAsync(string label)
    {
        var name = Stack.SiteName(label);
        Stack.AssertAllStepsSucceeded(await Stack.CreateSiteAsync(name), Recipes.NewSite);
        return await SiteRecords.LoadAsync(Stack, name);
    }

    [Fact]
    public async Task Files_are_exported_staged_into_another_site_swapped_unswapped_and_discarded()
    {
        var source = await CreateSiteAsync("pfiles-a");
        var target = await CreateSiteAsync("pfiles-b");

        await FilesRoundTrip.RunAsync(Runtime, source, target, Shell);
    }

    [Fact]
    public async Task A_new_site_exports_its_two_empty_files_folders_and_a_site_without_them_says_they_are_absent()
    {
        var site = await CreateSiteAsync("pfiles-empty");
        using var fresh = new MemoryStream();
        var outcome = await Runtime.ExportFilesAsync(site, fresh, CancellationToken.None);
        Assert.True(outcome.Applied);
        Assert.Equal("exported 0 files (0 B) in 2 folders", outcome.Message);
        Assert.Equal(["d private/files", "d public/files"], SiteFileSets.Sorted(SiteFileSets.ManifestOf(fresh.ToArray())));

        await Shell.RunAsync(site.Name, "rm -r \"$1/public/files\" \"$1/private/files\"");
        using var none = new MemoryStream();
        outcome = await Runtime.ExportFilesAsync(site, none, CancellationToken.None);
        Assert.Equal("exported 0 files (0 B) in 0 folders; public/files and private/files absent", outcome.Message);
        Assert.Empty(SiteFileSets.ManifestOf(none.ToArray()));
    }

    [Fact]
    public async Task A_swap_or_unswap_cut_off_half_way_is_finished_by_the_next_run()
    {
        var site = await CreateSiteAsync("pfiles-crash");

        await FilesRoundTrip.FinishInterruptedAsync(Runtime, site, Shell);
    }

    [Fact]
    public async Task Archives_with_paths_outside_the_files_folders_or_links_are_refused_and_leave_nothing_behind()
    {
        var site = await CreateSiteAsync("pfiles-hostile");
        await Shell.RunAsync(site.Name, SiteFileSets.CreateOther);

        await FilesRoundTrip.RefuseHostileAsync(Runtime, site, Shell);
    }

    [Fact]
    public async Task Migrate_runs_bench_migrate_and_maintenance_mode_turns_the_site_503_and_back()
    {
        var site = await CreateSiteAsync("pfiles-maint");
        var port = site.RunnerPort ?? throw new Xunit.Sdk.XunitException("no runner port");
        var configPath = Path.Combine(ProcessRunners.SiteFolder(Stack.BenchFolder!, site.Name), "site_config.json");
        var patches = await SiteRecords.PatchLogRowsAsync(Stack, site);

        var migrated = await Runtime.MigrateAsync(site, CancellationToken.None);
        Assert.True(migrated.Applied, migrated.Message);
        Assert.StartsWith($"bench --site {site.Name} migrate: ", migrated.Message);
        Assert.Equal(patches + 1, await SiteRecords.PatchLogRowsAsync(Stack, site));

        var on = await Runtime.SetMaintenanceAsync(site, true, CancellationToken.None);
        Assert.True(on.Applied, on.Message);
        Assert.StartsWith($"bench --site {site.Name} set-maintenance-mode on: ", on.Message);
        Assert.Equal(1, MaintenanceMode(configPath));
        // A running web worker keeps its cached config (docs/frappe.md §7): maintenance reaches it only later, or
        // at once in a worker started after it was set.
        Assert.True((await FrappeProbe.PingAsync(site.Name, port)).IsPong, "a running worker saw maintenance mode before its config cache expired");
        await RestartRunnerAsync(site);
        Assert.Equal(503, (await FrappeProbe.UntilAsync(site.Name, port, a => a.Status == 503, Stack.Describe)).Status);

        var off = await Runtime.SetMaintenanceAsync(site, false, CancellationToken.None);
        Assert.True(off.Applied, off.Message);
        Assert.Equal(0, MaintenanceMode(configPath));
        await RestartRunnerAsync(site);
        await FrappeProbe.UntilPongAsync(site.Name, port, TimeSpan.FromSeconds(30), Stack.Describe);
    }

    private async Task RestartRunnerAsync(Press.Core.Sites.Site site)
    {
        Assert.True((await Runtime.StopAsync(site, CancellationToken.None)).Applied);
        Assert.True((await Runtime.StartAsync(site, CancellationToken.None)).Applied);
    }

    [Fact]
    public async Task Bench_failing_is_a_permanent_failure_carrying_its_output_and_a_missing_site_folder_fails_loudly()
    {
        var site = await CreateSiteAsync("pfiles-broken");
        // Without its site_config.json bench does not know the site (the runner keeps running: its pid file stays).
        File.Delete(Path.Combine(ProcessRunners.SiteFolder(Stack.BenchFolder!, site.Name), "site_config.json"));

        var ex = await Assert.ThrowsAsync<StepFailedException>(() => Runtime.MigrateAsync(site, CancellationToken.None));
        Assert.Equal(FailureKind.Permanent, ex.Kind);
        Assert.StartsWith($"bench --site {site.Name} migrate exited 1: ", ex.Message);
        Assert.True(ex.Message.EndsWith($"Site {site.Name} has no site_config.json ({Path.Combine(ProcessRunners.SiteFolder(Stack.BenchFolder!, site.Name), "site_config.json")}).", StringComparison.Ordinal), ex.Message);

        var missing = site with { Name = $"never-made-{Stack.Db.Suffix}.rt.test" };
        var export = await Assert.ThrowsAsync<StepFailedException>(() => Runtime.ExportFilesAsync(missing, new MemoryStream(), CancellationToken.None));
        Assert.Equal(FailureKind.Permanent, export.Kind);
        Assert.Equal($"site folder {ProcessRunners.SiteFolder(Stack.BenchFolder!, missing.Name)} does not exist", export.Message);
        Assert.Equal(".press-restore/r1 does not exist; nothing to discard",
            (await Runtime.DiscardRestoreFilesAsync(missing, "r1", CancellationToken.None)).Message);
    }

    private static int MaintenanceMode(string configPath)
    {
        using var config = JsonDocument.Parse(File.ReadAllText(configPath));
        return config.RootElement.GetProperty("maintenance_mode").GetInt32();
    }
}
