using Microsoft.Extensions.Time.Testing;
using Press.Core.Audit;
using Press.Core.Backups;
using Press.Core.Jobs;
using Press.Core.Rehearsals;
using Press.Core.Rollouts;
using Press.Core.Settings;
using Press.Core.Sites;
using Press.Core.Tenancy;
using Press.Core.Tests.Fakes;
using Press.Core.Tests.Rehearsals;

namespace Press.Core.Tests.Rollouts;

/// <summary>
/// A rollout with --rehearse (docs/architecture.md §20): each site of a wave is rehearsed on a scratch copy first; a
/// passed rehearsal starts its upgrade, a failed one is that site's failure and it is never upgraded.
/// </summary>
public sealed class RolloutRehearsalTests
{
    private const string Image = "fcs-press-frappe-double:release-2";
    private static readonly Actor Admin = new("admin", "127.0.0.1");
    private readonly FakeSiteCommands _commands = new();
    private readonly JobsById _jobs = new();
    private readonly MemoryRehearsalStore _rehearsals;
    private readonly Site[] _sites = Enumerable.Range(1, 3).Select(i => TestData.Site() with { Id = Guid.NewGuid(), Name = $"s{i}.example.com" }).ToArray();
    private readonly MemoryRolloutStore _store;
    private readonly RolloutDriver _driver;
    private readonly RolloutOperations _operations;

    public RolloutRehearsalTests()
    {
        _rehearsals = new MemoryRehearsalStore { Jobs = _jobs.Jobs };
        _store = new MemoryRolloutStore(_sites);
        var siteStore = new FakeSiteStore(_sites);
        var backups = new FakeBackupStore();
        foreach (var site in _sites)
        {
            var id = Guid.NewGuid();
            var manifest = new BackupManifest("press-backup/2", id, site.Name, site.Id, "press_sites", "t_x", "Manual", new ManifestPostgres("17", "17"),
                [new ManifestApp("frappe", "16.0.0")], [], null, new Dictionary<string, long>(), 0, TestData.Now, TestData.Now.AddDays(30));
            backups.Backups[id] = new Backup(id, site.Id, site.Name, BackupTrigger.Manual, BackupState.Good, TestData.Now, TestData.Now.AddDays(30),
                TestData.Now, null, [], null, manifest, null);
        }
        var settings = new FakeSettingsStore(PressSettings.Defaults);
        var tenancy = new TenancyOptions { SitesDatabase = "press_sites" };
        var sites = new SiteOperations(_commands, new FakeSecretProtector(), new FakeJobSignals(), tenancy, siteStore, backups, backups,
            new PressHost("press.example.net"), settings, new FakeSiteSsoStore(), new FakeStandbyPool());
        var rehearsals = new RehearsalOperations(_rehearsals, siteStore, backups, new FakeSecretProtector(), tenancy, settings, new FakeJobSignals());
        _driver = new RolloutDriver(_store, _jobs, sites, rehearsals);
        _operations = new RolloutOperations(_store, siteStore, new FakeJobSignals(), new FakeTimeProvider(TestData.Now));
    }

    private Rollout Current(Guid id) => _store.Rollouts[id];
    private Task TickAsync(Guid id) => _driver.TickAsync(Current(id), CancellationToken.None);
    private List<string> Rehearsed() => _rehearsals.Starts.Select(s => s.Rehearsed.Name).ToList();
    private List<string> Upgraded() => _commands.Enqueues.Where(e => e.Recipe.Kind == JobKind.UpgradeSite).Select(e => e.SiteName).ToList();

    /// <summary>Ends the jobs of the sites in <paramref name="state"/>: Failed for <paramref name="failing"/>, else Succeeded.</summary>
    private void Finish(Guid id, RolloutSiteState state, params string[] failing)
    {
        foreach (var s in Current(id).Sites.Where(s => s.State == state))
        {
            var fails = failing.Contains(s.SiteName);
            _jobs.Jobs[s.JobId!.Value] = new Job(s.JobId.Value, state == RolloutSiteState.Rehearsing ? JobKind.RehearseUpgrade : JobKind.UpgradeSite,
                fails ? JobState.Failed : JobState.Succeeded, s.SiteId, s.SiteName, "system:rollout", TestData.Now, null, null,
                fails ? StepNames.RehearseMigrate : null, fails ? "migrate failed after 1.2 s: ValidationError: add_note_priority\n…" : null, []);
        }
    }

    [Fact]
    public async Task Each_site_is_rehearsed_before_its_upgrade_and_a_failed_rehearsal_is_that_sites_failure_without_an_upgrade()
    {
        var rollout = await _operations.StartAsync(new RolloutRequest(Image, [], All: true, Canary: 1, WaveSize: 2, MaxFailures: 1, Rehearse: true),
            Admin, CancellationToken.None);
        Assert.True(rollout.Rehearse);
        Assert.Equal("true", _store.Audit.Single().Details!["rehearse"]);

        await TickAsync(rollout.Id);
        Assert.Equal(["s1.example.com"], Rehearsed());
        Assert.Empty(Upgraded());
        Assert.Equal(RolloutSiteState.Rehearsing, Current(rollout.Id).Sites[0].State);

        Finish(rollout.Id, RolloutSiteState.Rehearsing);
        await TickAsync(rollout.Id); // rehearsal passed: its upgrade starts
        Assert.Equal(["s1.example.com"], Upgraded());
        Assert.Equal(RolloutSiteState.Upgrading, Current(rollout.Id).Sites[0].State);

        Finish(rollout.Id, RolloutSiteState.Upgrading);
        await TickAsync(rollout.Id); // the canary upgraded: the next wave is rehearsed
        Assert.Equal(["s1.example.com", "s2.example.com", "s3.example.com"], Rehearsed());

        Finish(rollout.Id, RolloutSiteState.Rehearsing, failing: "s2.example.com");
        await TickAsync(rollout.Id);
        var sites = Current(rollout.Id).Sites;
        Assert.Equal(RolloutSiteState.Failed, sites[1].State);
        Assert.Contains("rehearsal job", sites[1].Detail);
        Assert.Contains("at rehearse-migrate: migrate failed after 1.2 s: ValidationError: add_note_priority (not upgraded; the live site was not touched)", sites[1].Detail);
        Assert.Equal(RolloutSiteState.Upgrading, sites[2].State);
        Assert.Equal(["s1.example.com", "s3.example.com"], Upgraded()); // never s2

        Finish(rollout.Id, RolloutSiteState.Upgrading);
        await TickAsync(rollout.Id);
        await TickAsync(rollout.Id);
        Assert.Equal((RolloutState.Completed, "2 succeeded, 1 failed"), (Current(rollout.Id).State, Current(rollout.Id).Reason));
        Assert.Equal(3, Rehearsed().Count); // one rehearsal per site, never two
    }

    [Fact]
    public async Task A_site_marked_rehearsing_by_a_crashed_tick_adopts_its_rehearsal_instead_of_starting_a_second()
    {
        var rollout = await _operations.StartAsync(new RolloutRequest(Image, ["s1.example.com"], false, 0, 1, 0, true), Admin, CancellationToken.None);
        await TickAsync(rollout.Id);
        var started = Current(rollout.Id).Sites[0];
        // As a tick killed between starting the rehearsal and recording its job leaves it:
        await _store.SaveSiteAsync(rollout.Id, started with { JobId = null }, CancellationToken.None);

        await TickAsync(rollout.Id);

        Assert.Single(Rehearsed());
        Assert.Equal(started.JobId, Current(rollout.Id).Sites[0].JobId);
    }

    [Fact]
    public async Task A_paused_rollout_follows_its_rehearsal_but_starts_the_upgrade_only_when_resumed_and_a_cancelled_one_never()
    {
        var paused = await _operations.StartAsync(new RolloutRequest(Image, ["s1.example.com"], false, 0, 1, 0, true), Admin, CancellationToken.None);
        await TickAsync(paused.Id);
        await _operations.PauseAsync(paused.Id, Admin, CancellationToken.None);
        Assert.Contains(await _store.LeaseDueAsync(TimeSpan.FromSeconds(30), CancellationToken.None), r => r.Id == paused.Id);

        Finish(paused.Id, RolloutSiteState.Rehearsing);
        await TickAsync(paused.Id);
        Assert.Empty(Upgraded());
        Assert.Equal(RolloutSiteState.Rehearsing, Current(paused.Id).Sites[0].State);
        Assert.Contains("passed; the upgrade starts when the rollout is resumed", Current(paused.Id).Sites[0].Detail);

        await _operations.ResumeAsync(paused.Id, Admin, CancellationToken.None);
        await TickAsync(paused.Id);
        Assert.Equal(["s1.example.com"], Upgraded());
        Assert.Single(Rehearsed()); // the passed rehearsal counts: not rehearsed again
        Finish(paused.Id, RolloutSiteState.Upgrading);
        await TickAsync(paused.Id);
        await TickAsync(paused.Id);
        Assert.Equal(RolloutState.Completed, Current(paused.Id).State);

        var cancelled = await _operations.StartAsync(new RolloutRequest(Image, ["s2.example.com"], false, 0, 1, 0, true), Admin, CancellationToken.None);
        await TickAsync(cancelled.Id);
        await _operations.CancelAsync(cancelled.Id, Admin, CancellationToken.None);
        Finish(cancelled.Id, RolloutSiteState.Rehearsing);
        await TickAsync(cancelled.Id);
        Assert.Equal(["s1.example.com"], Upgraded());
        Assert.Equal(RolloutSiteState.Pending, Current(cancelled.Id).Sites[0].State);
        Assert.DoesNotContain(await _store.LeaseDueAsync(TimeSpan.FromSeconds(30), CancellationToken.None), r => r.Id == cancelled.Id);
    }
}
