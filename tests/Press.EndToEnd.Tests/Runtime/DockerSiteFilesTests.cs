using System.Text.Json;
using Press.Core.Jobs;
using Press.Core.Sites;
using Press.EndToEnd.Tests.Harness;
using Press.Infrastructure.Postgres;
using Press.Infrastructure.Runtime;
using Press.Infrastructure.Runtime.Docker;
using Press.Testing;

namespace Press.EndToEnd.Tests.Runtime;

/// <summary>
/// The Docker driver's backup and restore work against the test engine and the Frappe test double's image: sites are
/// created (and suspended) through Press, then the driver is called as the backup steps call it. The docker CLI is the
/// independent observer of containers, volumes and file owners.
/// </summary>
[Collection(SiteRuntimeCollection.Name)]
public sealed class DockerSiteFilesTests(DockerStackFixture fixture) : IClassFixture<DockerStackFixture>, IAsyncLifetime
{
    private RuntimeStack Stack => fixture.Stack;

    private static readonly DockerRuntimeOptions Options = new()
    {
        Endpoint = TestServices.DockerHost, Image = TestServices.DoubleImage, CommandTimeout = TimeSpan.FromMinutes(1),
    };

    private readonly DockerEngine _engine = new(Options);
    private PressDataSources? _sources;

    private DockerSiteRuntime Runtime
    {
        get
        {
            _sources ??= new PressDataSources(Stack.Db.Options);
            return new DockerSiteRuntime(_engine, Options, new RuntimeLimits(new SettingsStore(_sources, TimeProvider.System), Options),
                new RuntimeEndpoints("127.0.0.1", 5432), new FrappePing(new HttpClient()));
        }
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        _engine.Dispose();
        if (_sources is not null) await _sources.DisposeAsync();
    }

    private async Task<Site> CreateSiteAsync(string label)
    {
        var name = Stack.SiteName(label);
        Stack.TrackContainer(ContainerSiteFiles.HelperName(name)); // removed with the stack if a test fails half-way
        Stack.AssertAllStepsSucceeded(await Stack.CreateSiteAsync(name), Recipes.NewSite);
        return await SiteRecords.LoadAsync(Stack, name);
    }

    private static async Task<bool?> RunningAsync(string site) =>
        (await TestEngine.InspectAsync(RuntimeStack.ContainerOf(site)))?.GetProperty("State").GetProperty("Running").GetBoolean();

    /// <summary>After every step: every file of the site's folder belongs to the bench user, and no helper is left.</summary>
    private Func<string, Task> OwnedByBenchAndNoHelper(Site site, ISiteFolderShell shell) => async step =>
    {
        var strangers = (await shell.RunAsync(site.Name, SiteFileSets.NotOwnedByBench, ".")).Trim();
        Assert.True(strangers.Length == 0, $"after {step}, not owned by uid 1000 in {site.Name}'s folder:\n{strangers}");
        Assert.Null(await TestEngine.InspectAsync(ContainerSiteFiles.HelperName(site.Name)));
    };

    [Fact]
    public async Task Files_round_trip_through_the_engine_with_the_runners_running_and_everything_stays_owned_by_the_bench_user()
    {
        var source = await CreateSiteAsync("dfiles-a");
        var target = await CreateSiteAsync("dfiles-b");
        var shell = new RunnerFolderShell();

        await FilesRoundTrip.RunAsync(Runtime, source, target, shell, OwnedByBenchAndNoHelper(target, shell));

        Assert.True(await RunningAsync(source.Name));
        Assert.True(await RunningAsync(target.Name));
    }

    [Fact]
    public async Task Suspended_sites_files_round_trip_without_their_runners_being_started()
    {
        var source = await CreateSiteAsync("dfiles-sa");
        var target = await CreateSiteAsync("dfiles-sb");
        foreach (var site in new[] { source, target })
            Stack.AssertAllStepsSucceeded(await Stack.SuspendAsync(site.Name), Recipes.SuspendSite);
        Assert.False(await RunningAsync(source.Name));
        var shell = new VolumeFolderShell();

        await FilesRoundTrip.RunAsync(Runtime, source, target, shell, async step =>
        {
            await OwnedByBenchAndNoHelper(target, shell)(step);
            Assert.False(await RunningAsync(source.Name), $"{source.Name}'s runner runs after {step}");
            Assert.False(await RunningAsync(target.Name), $"{target.Name}'s runner runs after {step}");
        });

        // bench needs the runner: migrate fails saying so; maintenance mode has nothing to hold back.
        var migrate = await Assert.ThrowsAsync<StepFailedException>(() => Runtime.MigrateAsync(target, CancellationToken.None));
        Assert.Equal(FailureKind.Permanent, migrate.Kind);
        Assert.Equal($"bench --site {target.Name} migrate runs inside the site's runner, and runner {RuntimeStack.ContainerOf(target.Name)} is not running: " +
                     "resume the site, then retry", migrate.Message);
        var maintenance = await Runtime.SetMaintenanceAsync(target, true, CancellationToken.None);
        Assert.False(maintenance.Applied);
        Assert.Equal($"runner {RuntimeStack.ContainerOf(target.Name)} is not running: the site serves no requests, so maintenance mode is not changed " +
                     $"(bench --site {target.Name} set-maintenance-mode on not run)", maintenance.Message);
        Assert.False(await RunningAsync(target.Name));
    }

    [Fact]
    public async Task A_removed_runners_files_are_exported_through_a_helper_and_a_site_without_its_volume_fails_loudly()
    {
        var site = await CreateSiteAsync("dfiles-gone");
        await new RunnerFolderShell().RunAsync(site.Name, SiteFileSets.CreateOriginal, SiteFileSets.UnicodeName);
        var original = await new RunnerFolderShell().ManifestAsync(site.Name);
        // Suspended first, so no reconcile pass recreates the runner behind the test's back.
        Stack.AssertAllStepsSucceeded(await Stack.SuspendAsync(site.Name), Recipes.SuspendSite);
        Assert.True((await Runtime.RemoveRunnerAsync(site, CancellationToken.None)).Applied);
        Assert.Null(await TestEngine.InspectAsync(RuntimeStack.ContainerOf(site.Name)));

        using var sink = new MemoryStream();
        var exported = await Runtime.ExportFilesAsync(site, new ForwardOnlyStream(sink, write: true), CancellationToken.None);
        Assert.Equal($"exported 5 files (5.0 MiB) in 6 folders (through helper container {ContainerSiteFiles.HelperName(site.Name)}: " +
                     $"runner {RuntimeStack.ContainerOf(site.Name)} does not exist)", exported.Message);
        Assert.Equal(original, SiteFileSets.Sorted(SiteFileSets.ManifestOf(sink.ToArray())));
        Assert.Null(await TestEngine.InspectAsync(ContainerSiteFiles.HelperName(site.Name)));
        Assert.Null(await TestEngine.InspectAsync(RuntimeStack.ContainerOf(site.Name))); // not recreated either

        Assert.True((await Runtime.RemoveFilesAsync(site, CancellationToken.None)).Applied);
        Assert.False(await TestEngine.VolumeExistsAsync(RuntimeStack.ContainerOf(site.Name)));
        var export = await Assert.ThrowsAsync<StepFailedException>(() => Runtime.ExportFilesAsync(site, new MemoryStream(), CancellationToken.None));
        Assert.Equal(FailureKind.Permanent, export.Kind);
        Assert.Equal($"neither runner {RuntimeStack.ContainerOf(site.Name)} nor volume {RuntimeStack.ContainerOf(site.Name)} exists: " +
                     "the site has no files on this engine (purged?)", export.Message);
        Assert.Equal($"volume {RuntimeStack.ContainerOf(site.Name)} does not exist; nothing to discard",
            (await Runtime.DiscardRestoreFilesAsync(site, "r1", CancellationToken.None)).Message);
        Assert.False(await TestEngine.VolumeExistsAsync(RuntimeStack.ContainerOf(site.Name))); // no helper brought it back
    }

    [Fact]
    public async Task A_swap_or_unswap_cut_off_half_way_is_finished_by_the_next_run()
    {
        var site = await CreateSiteAsync("dfiles-crash");

        await FilesRoundTrip.FinishInterruptedAsync(Runtime, site, new RunnerFolderShell());
    }

    [Fact]
    public async Task Archives_with_paths_outside_the_files_folders_or_links_are_refused_and_leave_nothing_behind()
    {
        var site = await CreateSiteAsync("dfiles-hostile");
        var shell = new RunnerFolderShell();
        await shell.RunAsync(site.Name, SiteFileSets.CreateOther);

        await FilesRoundTrip.RefuseHostileAsync(Runtime, site, shell);
        Assert.False(await shell.ExistsAsync(site.Name, "../evil"));
    }

    [Fact]
    public async Task Migrate_and_maintenance_mode_run_bench_in_the_running_runner_as_the_bench_user_and_maintenance_reaches_it_without_a_restart()
    {
        var site = await CreateSiteAsync("dfiles-maint");
        var port = site.RunnerPort ?? throw new Xunit.Sdk.XunitException("no runner port");
        var patches = await SiteRecords.PatchLogRowsAsync(Stack, site);

        var migrated = await Runtime.MigrateAsync(site, CancellationToken.None);
        Assert.True(migrated.Applied, migrated.Message);
        Assert.StartsWith($"bench --site {site.Name} migrate: ", migrated.Message);
        Assert.Equal(patches + 1, await SiteRecords.PatchLogRowsAsync(Stack, site));

        var on = await Runtime.SetMaintenanceAsync(site, true, CancellationToken.None);
        Assert.True(on.Applied, on.Message);
        Assert.Equal(1, (await SiteFiles.ReadConfigInContainerAsync(site.Name)).GetProperty("maintenance_mode").GetInt32());
        // A running web worker keeps its cached config for up to a minute (docs/frappe.md §7): the HUP that follows
        // the setting replaces the workers, so the running runner answers 503 without a restart.
        Assert.Contains("web workers reloaded (HUP)", on.Message);
        Assert.Equal(503, (await FrappeProbe.UntilAsync(site.Name, port, a => a.Status == 503, Stack.Describe)).Status);
        var stat = await TestEngine.ExecAsync(RuntimeStack.ContainerOf(site.Name), "stat", "-c", "%u", SiteFiles.ConfigPathInContainer(site.Name));
        Assert.Equal("1000", stat.Stdout.Trim());

        var off = await Runtime.SetMaintenanceAsync(site, false, CancellationToken.None);
        Assert.True(off.Applied, off.Message);
        Assert.Equal(0, (await SiteFiles.ReadConfigInContainerAsync(site.Name)).GetProperty("maintenance_mode").GetInt32());
        await FrappeProbe.UntilPongAsync(site.Name, port, TimeSpan.FromSeconds(30), Stack.Describe);
    }
}
