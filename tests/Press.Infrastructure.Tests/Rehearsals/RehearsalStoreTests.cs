using Press.Core.Audit;
using Press.Core.Jobs;
using Press.Core.Ports;
using Press.Core.Rehearsals;
using Press.Core.Rollouts;
using Press.Core.Sites;
using Press.Core.Tenancy;
using Press.Infrastructure.Postgres;
using Press.Infrastructure.Runtime;

namespace Press.Infrastructure.Tests.Rehearsals;

/// <summary>
/// Rehearsals in PostgreSQL (migration 0022, docs/architecture.md §20): the scratch row, its job, the rehearsal and the
/// audit entry in one transaction; the scratch is never routed, listed or counted with the customers' sites; the outcome
/// is recorded and audited once; a rollout remembers that it rehearses.
/// </summary>
public sealed class RehearsalStoreTests(InfraFixture f) : IClassFixture<InfraFixture>
{
    private const string Image = "fcs-press-frappe-double:release-2";

    private async Task<(TestSite Live, NewSiteRecord Scratch, Job Job, RehearsalStore Store)> StartAsync()
    {
        var live = await f.CreateSiteRowAsync();
        await f.SetSiteStateAsync(live.Site.Id, SiteState.Active);
        var store = new RehearsalStore(f.Sources, TimeProvider.System);
        var scratch = NewSiteRecord.For(RehearsalRules.NewScratchName(), ["erpnext"], f.Db.SitesDatabase, f.Secrets) with { RehearsalOf = live.Site.Id };
        var backupId = Guid.NewGuid();
        var job = await store.StartAsync(scratch, live.Site, Recipes.RehearseUpgrade, InfraFixture.Audit("site.rehearse", live.Name),
            new Dictionary<string, string> { [JobArgs.Image] = Image, [JobArgs.BackupId] = backupId.ToString(), [JobArgs.RehearsalOf] = live.Name },
            CancellationToken.None);
        return (live, scratch, job, store);
    }

    [Fact]
    public async Task A_rehearsal_is_recorded_with_its_scratch_and_job_and_the_scratch_is_neither_listed_counted_nor_routed()
    {
        var queries = new SiteQueries(f.Sources);
        var countsBefore = await queries.CountSitesByStateAsync(CancellationToken.None);
        var (live, scratch, job, store) = await StartAsync();

        var read = (await store.GetAsync(job.Id, CancellationToken.None))!;
        Assert.Equal((live.Site.Id, live.Name, scratch.Id, scratch.Name, Image, RehearsalOutcome.Running, SiteState.Pending),
            (read.SiteId, read.SiteName, read.ScratchSiteId, read.ScratchName, Image, read.Outcome, read.ScratchState));
        Assert.Equal((JobKind.RehearseUpgrade, scratch.Id), (job.Kind, job.SiteId));
        Assert.Equal(1L, await f.SuperScalarAsync<long>("SELECT count(*) FROM audit_events WHERE action = 'site.rehearse' AND target = @t",
            ("t", job.Id.ToString())));

        var (listed, _) = await queries.ListSitesAsync(null, 1, 500, CancellationToken.None, search: "rehearsal-");
        Assert.DoesNotContain(listed, v => v.Site.Name == scratch.Name);
        Assert.Equal(countsBefore.GetValueOrDefault("Pending"), (await queries.CountSitesByStateAsync(CancellationToken.None)).GetValueOrDefault("Pending"));
        var routes = await new RouteSource(f.Sources, new NoSiteRuntime()).LoadAsync(CancellationToken.None);
        Assert.True(routes.Single(r => r.Name == scratch.Name).Standby); // never routed (RoutePlanner drops it)
        Assert.False(routes.Single(r => r.Name == live.Name).Standby);
        // Its own schema and role, as any site: nothing of the live site's.
        var scratchSite = (await f.Store().GetAsync(scratch.Id, CancellationToken.None))!;
        Assert.NotEqual(live.Site.Location.Schema, scratchSite.Location.Schema);
        Assert.NotEqual(live.Site.RoleName, scratchSite.RoleName);
    }

    [Fact]
    public async Task Migrate_and_outcome_are_recorded_the_outcome_once_with_its_audit_entry_and_the_scratch_row_ends_purged()
    {
        var (live, scratch, job, store) = await StartAsync();
        await store.SaveMigrateAsync(job.Id, TimeSpan.FromMilliseconds(12_345), false, "Traceback …\nValidationError", CancellationToken.None);
        var audit = new AuditEntry("system:worker", "site.rehearse.result", live.Name, job.Id.ToString(), null, null);

        Assert.True(await store.FinishAsync(job.Id, RehearsalOutcome.Failed, StepNames.RehearseMigrate, audit, CancellationToken.None));
        Assert.False(await store.FinishAsync(job.Id, RehearsalOutcome.Passed, null, audit, CancellationToken.None));
        await store.SaveMigrateAsync(job.Id, TimeSpan.FromSeconds(1), true, "late", CancellationToken.None); // an ended rehearsal keeps its answer

        var sites = f.Store();
        await sites.MarkDiscardedAsync(scratch.Id, DateTimeOffset.UtcNow, CancellationToken.None);
        Assert.Equal(SiteState.Deleted, (await sites.GetAsync(scratch.Id, CancellationToken.None))!.State);
        await sites.MarkPurgedAsync(scratch.Id, DateTimeOffset.UtcNow, CancellationToken.None);
        await sites.MarkDiscardedAsync(scratch.Id, DateTimeOffset.UtcNow, CancellationToken.None); // a purged row stays purged

        var read = (await store.GetAsync(job.Id, CancellationToken.None))!;
        Assert.Equal((RehearsalOutcome.Failed, StepNames.RehearseMigrate, TimeSpan.FromMilliseconds(12_345), (bool?)false, "Traceback …\nValidationError"),
            (read.Outcome, read.FailedStep, read.MigrateDuration, read.MigrateSucceeded, read.MigrateOutput));
        Assert.NotNull(read.FinishedAt);
        Assert.Equal(SiteState.Purged, read.ScratchState);
        var scratchRow = (await sites.GetAsync(scratch.Id, CancellationToken.None))!;
        Assert.Equal((SiteState.Purged, (int?)null), (scratchRow.State, scratchRow.RunnerPort));
        Assert.Equal(1L, await f.SuperScalarAsync<long>("SELECT count(*) FROM audit_events WHERE action = 'site.rehearse.result' AND target = @t",
            ("t", job.Id.ToString())));
        Assert.Equal([job.Id], (await store.ListForSiteAsync(live.Site.Id, 10, CancellationToken.None)).Select(r => r.Id));
        Assert.Equal(job.Id, (await store.FindAsync(live.Site.Id, Image, DateTimeOffset.UtcNow.AddHours(-1), CancellationToken.None))?.Id);
        Assert.Null(await store.FindAsync(live.Site.Id, "other:image", DateTimeOffset.UtcNow.AddHours(-1), CancellationToken.None));
        Assert.Equal(SiteState.Active, (await sites.GetAsync(live.Site.Id, CancellationToken.None))!.State);
    }

    [Fact]
    public async Task A_rollout_remembers_that_it_rehearses_and_a_site_may_be_Rehearsing()
    {
        var store = new RolloutStore(f.Sources, TimeProvider.System);
        var a = await f.CreateSiteRowAsync();
        var rollout = new Rollout(Guid.CreateVersion7(), Image, RolloutState.Cancelled, 0, 1, 0, "admin", DateTimeOffset.UtcNow, null,
            [new RolloutSite(a.Site.Id, a.Name, 1, RolloutSiteState.Pending, null, null)]) { Rehearse = true };
        await store.CreateAsync(rollout, new AuditEntry("admin", "upgrade.start", null, rollout.Id.ToString(), null, null), CancellationToken.None);
        await store.SaveSiteAsync(rollout.Id, rollout.Sites[0] with { State = RolloutSiteState.Rehearsing, JobId = a.Job.Id }, CancellationToken.None);

        var read = (await store.GetAsync(rollout.Id, CancellationToken.None))!;
        Assert.True(read.Rehearse);
        Assert.Equal(RolloutSiteState.Rehearsing, read.Sites[0].State);
    }
}
