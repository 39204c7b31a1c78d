using Microsoft.Extensions.Time.Testing;
using Press.Core.Audit;
using Press.Core.Jobs;
using Press.Core.Rollouts;
using Press.Core.Settings;
using Press.Core.Sites;
using Press.Core.Tenancy;
using Press.Core.Tests.Fakes;

namespace Press.Core.Tests.Rollouts;

/// <summary>
/// A fleet rollout driven tick by tick (docs/architecture.md §19): six sites, a canary, waves of two, one site whose
/// upgrade fails, and the pause at --max-failures; resume accepts the failure and the rest go on.
/// </summary>
public sealed class RolloutDriverTests
{
    private const string Image = "fcs-press-frappe-double:release-2";
    private static readonly Actor Admin = new("admin", "127.0.0.1");
    private readonly FakeSiteCommands _commands = new();
    private readonly JobsById _jobs = new();
    private readonly Site[] _sites = Enumerable.Range(1, 6).Select(i => TestData.Site() with { Id = Guid.NewGuid(), Name = $"s{i}.example.com" }).ToArray();
    private readonly MemoryRolloutStore _store;
    private readonly RolloutDriver _driver;
    private readonly RolloutOperations _operations;

    public RolloutDriverTests()
    {
        _store = new MemoryRolloutStore(_sites);
        var siteStore = new FakeSiteStore(_sites);
        var sites = new SiteOperations(_commands, new FakeSecretProtector(), new FakeJobSignals(), new TenancyOptions { SitesDatabase = "press_sites" },
            siteStore, new FakeBackupStore(), new FakeBackupStore(), new PressHost("press.example.net"), new FakeSettingsStore(PressSettings.Defaults),
            new FakeSiteSsoStore(), new FakeStandbyPool());
        _driver = new RolloutDriver(_store, _jobs, sites);
        _operations = new RolloutOperations(_store, siteStore, new FakeJobSignals(), new FakeTimeProvider(TestData.Now));
    }

    private Rollout Current(Guid id) => _store.Rollouts[id];

    /// <summary>The jobs the driver enqueued so far, by site, each registered as Queued.</summary>
    private List<string> Started()
    {
        foreach (var e in _commands.Enqueues) Assert.Equal(JobKind.UpgradeSite, e.Recipe.Kind);
        return _commands.Enqueues.Select(e => e.SiteName).ToList();
    }

    /// <summary>Ends every upgrading site's job: Failed for <paramref name="failing"/>, else Succeeded.</summary>
    private void Finish(Guid rolloutId, params string[] failing)
    {
        foreach (var s in Current(rolloutId).Sites.Where(s => s.State == RolloutSiteState.Upgrading))
            _jobs.Jobs[s.JobId!.Value] = new Job(s.JobId.Value, JobKind.UpgradeSite, failing.Contains(s.SiteName) ? JobState.Failed : JobState.Succeeded,
                s.SiteId, s.SiteName, "system:rollout", TestData.Now, null, null, failing.Contains(s.SiteName) ? StepNames.Migrate : null,
                failing.Contains(s.SiteName) ? "bench --site x migrate exited 1: patch failed\nundo: restored" : null, []);
    }

    private async Task TickAsync(Guid id) => await _driver.TickAsync(Current(id), CancellationToken.None);

    [Fact]
    public async Task Six_sites_go_canary_first_then_in_waves_pause_when_failures_exceed_the_budget_and_resume_accepting_them()
    {
        var rollout = await _operations.StartAsync(new RolloutRequest(Image, [], All: true, Canary: 1, WaveSize: 2, MaxFailures: 0, Rehearse: false), Admin, CancellationToken.None);
        Assert.Equal([0, 1, 1, 2, 2, 3], rollout.Sites.Select(s => s.Wave));
        Assert.Equal("upgrade.start", _store.Audit.Single().Action);

        await TickAsync(rollout.Id);
        Assert.Equal(["s1.example.com"], Started());
        await TickAsync(rollout.Id); // the canary still upgrading: nothing else starts
        Assert.Single(Started());

        Finish(rollout.Id);
        await TickAsync(rollout.Id);
        Assert.Equal(RolloutSiteState.Succeeded, Current(rollout.Id).Sites[0].State);
        Assert.Equal(["s1.example.com", "s2.example.com", "s3.example.com"], Started());

        Finish(rollout.Id, failing: "s3.example.com");
        await TickAsync(rollout.Id);
        var paused = Current(rollout.Id);
        Assert.Equal(RolloutState.Paused, paused.State);
        Assert.Equal("1 failure(s) since the start or the last resume exceed max-failures 0 (s3.example.com). Resume to accept them and go on, or cancel.", paused.Reason);
        Assert.StartsWith("job ", paused.Sites[2].Detail);
        Assert.Contains("Failed at migrate: bench --site x migrate exited 1: patch failed (its undo put the site back)", paused.Sites[2].Detail);
        Assert.Equal(3, Started().Count);

        await TickAsync(rollout.Id); // a paused rollout is not ticked by the loop, and a tick of it starts nothing
        Assert.Empty(await _store.LeaseDueAsync(TimeSpan.FromSeconds(30), CancellationToken.None));

        var resumed = await _operations.ResumeAsync(rollout.Id, Admin, CancellationToken.None);
        Assert.Equal((RolloutState.Running, 1), (resumed.State, resumed.AcceptedFailures));
        await TickAsync(rollout.Id);
        Assert.Equal(["s1.example.com", "s2.example.com", "s3.example.com", "s4.example.com", "s5.example.com"], Started());
        Finish(rollout.Id);
        await TickAsync(rollout.Id);
        Finish(rollout.Id);
        await TickAsync(rollout.Id);
        await TickAsync(rollout.Id);

        var done = Current(rollout.Id);
        Assert.Equal(RolloutState.Completed, done.State);
        Assert.Equal("5 succeeded, 1 failed", done.Reason);
        Assert.Equal(6, Started().Count); // one upgrade per site, never two
    }

    [Fact]
    public async Task A_failed_canary_pauses_the_rollout_whatever_the_budget()
    {
        var rollout = await _operations.StartAsync(new RolloutRequest(Image, ["s2.example.com", "s1.example.com"], false, 1, 5, 3, false), Admin, CancellationToken.None);
        await TickAsync(rollout.Id);
        Finish(rollout.Id, failing: "s2.example.com");
        await TickAsync(rollout.Id);

        Assert.Equal(RolloutState.Paused, Current(rollout.Id).State);
        Assert.StartsWith("a canary site failed (s2.example.com)", Current(rollout.Id).Reason);
        Assert.Equal(["s2.example.com"], Started());
    }

    [Fact]
    public async Task A_cancelled_rollout_follows_the_upgrade_it_left_running_to_its_end_and_starts_no_other()
    {
        var rollout = await _operations.StartAsync(new RolloutRequest(Image, ["s1.example.com", "s2.example.com"], false, 1, 1, 0, false), Admin, CancellationToken.None);
        await TickAsync(rollout.Id);
        await _operations.CancelAsync(rollout.Id, Admin, CancellationToken.None);
        Assert.Contains(await _store.LeaseDueAsync(TimeSpan.FromSeconds(30), CancellationToken.None), r => r.Id == rollout.Id);

        Finish(rollout.Id);
        await TickAsync(rollout.Id);

        var cancelled = Current(rollout.Id);
        Assert.Equal(RolloutState.Cancelled, cancelled.State);
        Assert.Equal([RolloutSiteState.Succeeded, RolloutSiteState.Pending], cancelled.Sites.Select(s => s.State));
        Assert.Equal(["s1.example.com"], Started());
        Assert.DoesNotContain(await _store.LeaseDueAsync(TimeSpan.FromSeconds(30), CancellationToken.None), r => r.Id == rollout.Id);
    }

    [Fact]
    public async Task A_tick_that_read_the_rollout_before_it_was_cancelled_starts_no_wave()
    {
        var rollout = await _operations.StartAsync(new RolloutRequest(Image, ["s1.example.com"], false, 1, 1, 0, false), Admin, CancellationToken.None);
        var readBeforeTheCancel = Current(rollout.Id);
        await _operations.CancelAsync(rollout.Id, Admin, CancellationToken.None);

        await _driver.TickAsync(readBeforeTheCancel, CancellationToken.None);

        Assert.Empty(Started());
    }

    [Fact]
    public async Task A_site_a_crashed_tick_marked_upgrading_goes_back_to_pending_when_the_rollout_was_cancelled_meanwhile()
    {
        var rollout = await _operations.StartAsync(new RolloutRequest(Image, ["s1.example.com"], false, 0, 1, 0, false), Admin, CancellationToken.None);
        await _store.SaveSiteAsync(rollout.Id, rollout.Sites[0] with { State = RolloutSiteState.Upgrading }, CancellationToken.None);
        await _operations.CancelAsync(rollout.Id, Admin, CancellationToken.None);

        await TickAsync(rollout.Id);

        Assert.Empty(Started());
        Assert.Equal(RolloutSiteState.Pending, Current(rollout.Id).Sites[0].State);
    }

    [Fact]
    public async Task A_site_marked_upgrading_by_a_crashed_tick_adopts_its_job_instead_of_starting_a_second()
    {
        var rollout = await _operations.StartAsync(new RolloutRequest(Image, ["s1.example.com"], false, 0, 1, 0, false), Admin, CancellationToken.None);
        var site = rollout.Sites[0];
        await _store.SaveSiteAsync(rollout.Id, site with { State = RolloutSiteState.Upgrading }, CancellationToken.None);
        var orphan = new Job(Guid.NewGuid(), JobKind.UpgradeSite, JobState.Running, site.SiteId, site.SiteName, "system:rollout", TestData.Now, null, null, null, null, []);
        _store.UpgradeJobs[site.SiteId] = orphan;

        await TickAsync(rollout.Id);

        Assert.Empty(Started());
        Assert.Equal(orphan.Id, Current(rollout.Id).Sites[0].JobId);
    }

    [Fact]
    public async Task Bad_requests_are_refused_with_every_problem_and_a_second_open_rollout_is_a_conflict()
    {
        var bad = await Assert.ThrowsAsync<ValidationException>(() => _operations.StartAsync(
            new RolloutRequest("not an image!", ["s1.example.com", "s1.example.com"], true, -1, 0, -2, true), Admin, CancellationToken.None));
        Assert.Equal(["image", "sites", "canary", "waveSize", "maxFailures"], bad.Problems.Keys);

        var unknown = await Assert.ThrowsAsync<ValidationException>(() => _operations.StartAsync(
            new RolloutRequest(Image, ["nope.example.com"], false, null, null, null, false), Admin, CancellationToken.None));
        Assert.Equal(["no site named 'nope.example.com'."], unknown.Problems["sites"]);

        var first = await _operations.StartAsync(new RolloutRequest(Image, [], true, null, null, null, false), Admin, CancellationToken.None);
        var second = await Assert.ThrowsAsync<ConflictException>(() => _operations.StartAsync(new RolloutRequest(Image, [], true, null, null, null, false), Admin, CancellationToken.None));
        Assert.Contains(first.Id.ToString(), second.Message);
        await _operations.CancelAsync(first.Id, Admin, CancellationToken.None);
        Assert.Equal(RolloutState.Cancelled, Current(first.Id).State);
        await Assert.ThrowsAsync<ConflictException>(() => _operations.ResumeAsync(first.Id, Admin, CancellationToken.None));
    }
}
