using Microsoft.Extensions.Time.Testing;
using Press.Core.Audit;
using Press.Core.Backups;
using Press.Core.Jobs;
using Press.Core.Ports;
using Press.Core.Rehearsals;
using Press.Core.Settings;
using Press.Core.Sites;
using Press.Core.Tenancy;
using Press.Core.Tests.Fakes;

namespace Press.Core.Tests.Rehearsals;

/// <summary>Upgrade rehearsals on a scratch copy (docs/architecture.md §20): the request's rules, the recipe, and the
/// steps Core owns — the timed migrate, the recorded outcome, the undo that drops the scratch.</summary>
public sealed class RehearsalTests
{
    private const string Image = "ghcr.io/acme/erpnext:v16.1.0";
    private static readonly Actor Alice = new("alice", "10.0.0.7");
    private readonly Site _live = TestData.Site("erp.example.com");
    private readonly FakeSiteStore _sites;
    private readonly FakeBackupStore _backups = new();
    private readonly MemoryRehearsalStore _store = new();

    public RehearsalTests() => _sites = new FakeSiteStore(_live);

    private RehearsalOperations Operations() => new(_store, _sites, _backups, new FakeSecretProtector(),
        new TenancyOptions { SitesDatabase = "press_sites" }, new FakeSettingsStore(PressSettings.Defaults), new FakeJobSignals());

    private Guid Backup(Guid siteId, DateTimeOffset at, BackupState state = BackupState.Good)
    {
        var id = Guid.NewGuid();
        var manifest = new BackupManifest("press-backup/2", id, _live.Name, siteId, "press_sites", "t_x", "Manual", new ManifestPostgres("17", "17"),
            [new ManifestApp("frappe", "16.0.0"), new ManifestApp("erpnext", "16.0.0")], [], null, new Dictionary<string, long>(), 0, at, at.AddDays(30));
        _backups.Backups[id] = new Backup(id, siteId, _live.Name, BackupTrigger.Manual, state, at, at.AddDays(30), at, null, [], null,
            state == BackupState.Good ? manifest : null, null);
        return id;
    }

    [Fact]
    public async Task A_rehearsal_copies_the_newest_good_backup_into_a_flagged_scratch_site_and_audits_the_request()
    {
        Backup(_live.Id, TestData.Now.AddDays(-2));
        var newest = Backup(_live.Id, TestData.Now.AddHours(-1));
        Backup(_live.Id, TestData.Now, BackupState.Failed);

        var job = await Operations().StartAsync(_live.Name, Image, Alice, CancellationToken.None);

        var start = Assert.Single(_store.Starts);
        Assert.Equal(Recipes.RehearseUpgrade, start.Recipe);
        Assert.Equal(_live.Id, start.Scratch.RehearsalOf);
        Assert.True(RehearsalRules.IsScratchName(start.Scratch.Name), start.Scratch.Name);
        Assert.DoesNotContain("erp", start.Scratch.Name); // opaque: says nothing of the site it copies
        Assert.NotEqual(_live.Location.Schema, start.Scratch.Schema); // its own schema and role, as any site
        Assert.NotEqual(_live.RoleName, start.Scratch.RoleName);
        Assert.Equal(["erpnext"], start.Scratch.Apps);
        Assert.Equal(Image, start.Args[JobArgs.Image]);
        Assert.Equal(newest.ToString(), start.Args[JobArgs.BackupId]);
        Assert.Equal(_live.Name, start.Args[JobArgs.RehearsalOf]);
        Assert.Equal(("site.rehearse", _live.Name), (start.Audit.Action, start.Audit.SiteName));
        Assert.Equal(start.Scratch.Name, start.Audit.Details!["scratch"]);
        Assert.Equal(JobKind.RehearseUpgrade, job.Kind);
        Assert.Empty(_sites.MarkDeletedCalls); // the live site's row is not written
    }

    [Fact]
    public async Task A_rehearsal_is_refused_before_anything_is_recorded_without_an_image_a_site_a_good_backup_or_a_free_runner_port()
    {
        var ops = Operations();
        var bad = await Assert.ThrowsAsync<ValidationException>(() => ops.StartAsync(_live.Name, "not an image!", Alice, CancellationToken.None));
        Assert.Equal(["image"], bad.Problems.Keys);
        await Assert.ThrowsAsync<NotFoundException>(() => ops.StartAsync("nope.example.com", Image, Alice, CancellationToken.None));
        var noBackup = await Assert.ThrowsAsync<ConflictException>(() => ops.StartAsync(_live.Name, Image, Alice, CancellationToken.None));
        Assert.Contains("press backup create erp.example.com", noBackup.Message);

        Backup(_live.Id, TestData.Now);
        _sites.Served = Core.Runtime.RunnerCapacity.Sites;
        var full = await Assert.ThrowsAsync<ConflictException>(() => ops.StartAsync(_live.Name, Image, Alice, CancellationToken.None));
        Assert.Contains("scratch copy needs a runner port", full.Message);

        _sites.Served = 0;
        var deleted = TestData.Site("gone.example.com", SiteState.Deleted);
        _sites.Sites[deleted.Id] = deleted;
        Backup(deleted.Id, TestData.Now);
        await Assert.ThrowsAsync<ConflictException>(() => ops.StartAsync(deleted.Name, Image, Alice, CancellationToken.None));
        Assert.Empty(_store.Starts);
    }

    [Fact]
    public void The_recipe_restores_into_the_scratch_runs_it_on_the_new_image_and_ends_by_dropping_it_with_the_same_steps_as_its_undo()
    {
        var steps = Recipes.RehearseUpgrade.Steps;
        Assert.Equal(StepNames.CheckRehearsal, steps[0]);
        Assert.True(steps.ToList().IndexOf(StepNames.SwitchImage) < steps.ToList().IndexOf(StepNames.RehearseMigrate));
        Assert.DoesNotContain(StepNames.StartRuntime, steps); // the runner is made from the new image, never the old one
        Assert.DoesNotContain(StepNames.RegisterSsoClient, steps); // nothing outside the host learns of the scratch
        Assert.Equal(Recipes.DropScratchSteps, steps.TakeLast(Recipes.DropScratchSteps.Count));
        Assert.Equal([StepNames.DropScratch], Recipes.RehearseUpgrade.Undo);
        Assert.Equal(SiteState.Purged, Recipes.RehearseUpgrade.OnSuccess);
        Assert.Null(Recipes.RehearseUpgrade.OnFailure); // the undo says what the scratch became
        Assert.Contains(Recipes.RehearseUpgrade, Recipes.All);
    }

    [Fact]
    public void Rules_keep_the_end_of_the_output_and_refuse_to_rerun_an_ended_rehearsal()
    {
        var output = string.Join('\n', Enumerable.Range(1, 100).Select(i => $"line {i}"));
        var tail = RehearsalRules.Tail(output);
        Assert.StartsWith("…\nline 61\n", tail);
        Assert.EndsWith("line 100", tail);
        Assert.Equal("short", RehearsalRules.Tail("short\n"));
        Assert.True(RehearsalRules.Tail(new string('x', 10_000)).Length <= RehearsalRules.TailChars + 2);
        Assert.False(RehearsalRules.IsScratchName("rehearsal-abc.example.com"));

        var running = new Rehearsal(Guid.NewGuid(), _live.Id, _live.Name, Guid.NewGuid(), "rehearsal-x.invalid", Image, Guid.NewGuid(),
            RehearsalOutcome.Running, "alice", TestData.Now, null);
        Assert.Null(RehearsalRules.WhyNotRun(running, running.Id));
        Assert.Contains("start a new one", RehearsalRules.WhyNotRun(running with { Outcome = RehearsalOutcome.Failed }, running.Id));
        Assert.Contains("no rehearsal record", RehearsalRules.WhyNotRun(null, running.Id));
    }

    private async Task<(StepContext Context, Site Scratch)> StartedAsync()
    {
        Backup(_live.Id, TestData.Now);
        var job = await Operations().StartAsync(_live.Name, Image, Alice, CancellationToken.None);
        var start = _store.Starts.Single();
        var scratch = TestData.Site(start.Scratch.Name, SiteState.Installing) with { Id = start.Scratch.Id, RunnerPort = 48700 };
        _sites.Sites[scratch.Id] = scratch;
        return (new StepContext(job, scratch, 1, new JobLease(job.Id, "worker-1", Guid.NewGuid(), TimeSpan.FromSeconds(30))), scratch);
    }

    [Fact]
    public async Task Migrate_is_timed_and_its_output_kept_when_it_passes_and_when_it_fails()
    {
        var (c, scratch) = await StartedAsync();
        var time = new FakeTimeProvider(TestData.Now);
        var runtime = new FakeSiteRuntime(RuntimeOutcome.Done("Executing frappe.patches.v16_1.add_note_priority\nUpdating DocTypes for frappe"))
        {
            DuringMigrate = () => time.Advance(TimeSpan.FromSeconds(42.5)),
        };

        var passed = await new RehearseMigrateStep(runtime, _store, time).RunAsync(c, CancellationToken.None);

        Assert.IsType<StepResult.Done>(passed);
        Assert.Equal([$"migrate {scratch.Name}"], runtime.Calls); // the scratch, never the live site
        var row = _store.Rows[c.Job.Id];
        Assert.Equal((TimeSpan.FromSeconds(42.5), true), (row.MigrateDuration, row.MigrateSucceeded));
        Assert.Contains("add_note_priority", row.MigrateOutput);

        runtime.MigrateFailure = new StepFailedException(FailureKind.Permanent, "bench migrate exited 1:\nTraceback …\nValidationError: add_note_priority");
        var failed = await new RehearseMigrateStep(runtime, _store, time).RunAsync(c, CancellationToken.None);

        var fail = Assert.IsType<StepResult.Fail>(failed);
        Assert.Equal(FailureKind.Permanent, fail.Kind);
        Assert.StartsWith("migrate failed after 42.5 s", fail.Error);
        Assert.Equal(false, _store.Rows[c.Job.Id].MigrateSucceeded);
        Assert.EndsWith("ValidationError: add_note_priority", _store.Rows[c.Job.Id].MigrateOutput);
    }

    [Fact]
    public async Task A_passed_rehearsal_is_recorded_and_audited_once()
    {
        var (c, _) = await StartedAsync();
        var step = new RecordRehearsalStep(_store);

        Assert.IsType<StepResult.Done>(await step.RunAsync(c, CancellationToken.None));
        Assert.IsType<StepResult.Done>(await step.RunAsync(c, CancellationToken.None)); // a crash after it: run again, recorded once

        Assert.Equal(RehearsalOutcome.Passed, _store.Rows[c.Job.Id].Outcome);
        var result = Assert.Single(_store.Audit, a => a.Action == "site.rehearse.result");
        Assert.Equal((_live.Name, "Passed"), (result.SiteName, result.Details!["outcome"]));
        var ended = await new CheckRehearsalStep(_store).RunAsync(c, CancellationToken.None);
        Assert.Contains("start a new one", Assert.IsType<StepResult.Fail>(ended).Error); // a retry of an ended rehearsal is refused
    }

    [Fact]
    public async Task The_undo_records_the_failed_step_drops_the_scratch_and_purges_its_row_leaving_the_live_site_alone()
    {
        var (c, scratch) = await StartedAsync();
        var jobs = new FakeJobStore { Stored = c.Job.WithStep(StepNames.CheckRehearsal, StepState.Succeeded).WithStep(StepNames.RehearseMigrate, StepState.Running) };
        jobs.Stored = jobs.Stored with
        {
            Steps = jobs.Stored.Steps.Select(s => s.Ordinal < jobs.Stored.Steps.Single(x => x.Name == StepNames.RehearseMigrate).Ordinal
                ? s with { State = StepState.Succeeded } : s).ToList(),
        };
        var runtime = new FakeSiteRuntime(RuntimeOutcome.Done("ok"));
        var tenants = new FakeTenantDatabase();
        var undo = new DropScratchStep(jobs, _store, _sites, runtime, tenants, new FakeTimeProvider(TestData.Now));

        var result = await undo.RunAsync(c, CancellationToken.None);

        Assert.IsType<StepResult.Done>(result);
        var row = _store.Rows[c.Job.Id];
        Assert.Equal((RehearsalOutcome.Failed, StepNames.RehearseMigrate), (row.Outcome, row.FailedStep));
        Assert.Equal([$"remove-runner {scratch.Name}", $"remove-files {scratch.Name}", $"remove-redis {scratch.Name}"], runtime.Calls);
        Assert.Equal(["drop-schema", "drop-role"], tenants.Calls.Select(x => x.Operation));
        Assert.All(tenants.Calls, x => Assert.Equal(scratch.Id, x.SiteId));
        Assert.Equal((SiteState.Purged, (int?)null), (_sites.Sites[scratch.Id].State, _sites.Sites[scratch.Id].RunnerPort));
        Assert.Equal(SiteState.Active, _sites.Sites[_live.Id].State);
        Assert.Single(_store.Audit, a => a.Action == "site.rehearse.result" && a.Details!["failedStep"] == StepNames.RehearseMigrate);
    }

    [Fact]
    public async Task An_undo_that_cannot_drop_the_scratch_leaves_it_deleted_with_no_retention_for_the_retention_scheduler()
    {
        var (c, scratch) = await StartedAsync();
        var runtime = new FakeSiteRuntime(RuntimeOutcome.Done("ok")) { RemoveFilesFailure = new StepFailedException(FailureKind.Permanent, "engine gone") };
        var undo = new DropScratchStep(new FakeJobStore { Stored = c.Job }, _store, _sites, runtime, new FakeTenantDatabase(), new FakeTimeProvider(TestData.Now));

        var fail = Assert.IsType<StepResult.Fail>(await undo.RunAsync(c, CancellationToken.None));

        Assert.Contains("failed at remove-site-files: engine gone", fail.Error);
        var left = _sites.Sites[scratch.Id];
        Assert.Equal((SiteState.Deleted, TestData.Now), (left.State, left.PurgeAfter));
        Assert.Equal(RehearsalOutcome.Failed, _store.Rows[c.Job.Id].Outcome);
    }
}
