using Press.Core.Backups;
using Microsoft.Extensions.Time.Testing;
using Press.Core.Jobs;
using Press.Core.Ports;
using Press.Core.Sites;
using Press.Infrastructure.Postgres;

namespace Press.Infrastructure.Tests.Jobs;

/// <summary>
/// Leases: they run out by the database's clock only; a job whose lease ran out is claimed again with a new token,
/// and every write of the earlier claim — whoever made it — is refused from then on.
/// </summary>
public sealed class JobLeaseTests(InfraFixture f) : IClassFixture<InfraFixture>
{
    private static readonly CancellationToken Ct = CancellationToken.None;
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);

    private async Task<(JobStore Store, TestSite Site)> OneQueuedJobAsync()
    {
        await f.CancelActiveJobsAsync();
        var site = await f.CreateSiteRowAsync();
        return (f.Jobs(), site);
    }

    [Fact]
    public async Task An_expired_lease_is_claimed_by_another_worker_and_fences_out_the_old_one()
    {
        var (store, site) = await OneQueuedJobAsync();
        var jobId = site.Job.Id;
        var old = (await store.ClaimAsync("old", Lease)).Lease;
        await store.StepStartedAsync(old, 1, Ct);
        Assert.Null(await store.TryClaimAsync("new", Lease)); // still held

        await f.ExpireLeaseAsync(jobId);
        var taken = await store.ClaimAsync("new", Lease);
        Assert.Equal(jobId, taken.Job.Id);
        Assert.NotEqual(old.Token, taken.Lease.Token);

        // The presumed-dead worker wakes up: every write it tries is refused.
        await AssertAllWritesRefusedAsync(store, old);
        var job = (await store.GetAsync(jobId, Ct))!;
        Assert.Equal(JobState.Running, job.State);
        Assert.Null(job.Steps[0].Output); // "late" never landed
        Assert.Equal("new", await f.SuperScalarAsync<string>("SELECT lease_owner FROM jobs WHERE id = @id", ("id", jobId)));
        Assert.Equal(SiteState.Pending, (await f.Store().GetAsync(site.Site.Id, Ct))!.State);

        // The new owner resumes and finishes.
        await store.StepFinishedAsync(taken.Lease, 1, StepState.Succeeded, "created role", null, Ct);
        await store.SucceedAsync(taken.Lease, SiteState.Active, Ct);
        Assert.Equal(JobState.Succeeded, (await store.GetAsync(jobId, Ct))!.State);
    }

    [Fact]
    public async Task A_new_claim_fences_out_the_earlier_claim_even_from_the_same_worker_id()
    {
        var (store, site) = await OneQueuedJobAsync();
        var jobId = site.Job.Id;
        var first = (await store.ClaimAsync("w", Lease)).Lease;
        await store.StepStartedAsync(first, 1, Ct);
        await f.ExpireLeaseAsync(jobId);

        // The same worker id claims again (a second run in the same process, or a restarted process reusing its id).
        var second = (await store.ClaimAsync("w", Lease)).Lease;
        Assert.Equal((jobId, "w"), (second.JobId, second.WorkerId));

        // The first claim's writes are all refused.
        await Assert.ThrowsAsync<LeaseLostException>(() => store.StepFinishedAsync(first, 1, StepState.Succeeded, "late", null, Ct));
        await AssertAllWritesRefusedAsync(store, first);
        Assert.Null((await store.GetAsync(jobId, Ct))!.Steps[0].Output);
        await store.StepFinishedAsync(second, 1, StepState.Succeeded, "on time", null, Ct);
    }

    [Fact]
    public async Task A_stale_claim_cannot_record_its_backup_parts_over_its_successors()
    {
        await f.CancelActiveJobsAsync();
        var site = await f.CreateSiteRowAsync();
        await f.FinishJobAsync(site.Job.Id, JobState.Succeeded, SiteState.Active);
        var queued = await f.Commands().EnqueueAsync(site.Name, Recipes.BackupSite, [SiteState.Active], InfraFixture.Audit("backup.create", site.Name), Ct, backup: BackupTriggers.For(Recipes.BackupSite));
        var store = f.Jobs();
        var backups = new BackupStore(f.Sources);
        var stale = (await store.ClaimAsync("w", Lease)).Lease;
        Assert.Equal(queued.Id, stale.JobId);
        await backups.RecordPartAsync(stale, new Press.Core.Backups.BackupPart("database", "k/stale", 1, "aa"), Ct);
        await f.ExpireLeaseAsync(queued.Id);
        var current = (await store.ClaimAsync("w", Lease)).Lease;

        var part = new Press.Core.Backups.BackupPart("database", "k/late", 2, "bb");
        await Assert.ThrowsAsync<LeaseLostException>(() => backups.RecordPartAsync(stale, part, Ct));
        await Assert.ThrowsAsync<LeaseLostException>(() => backups.RecordDumpAsync(stale, new Press.Core.Backups.SchemaDumpInfo("17", "17", new Dictionary<string, long>()), Ct));
        await backups.RecordPartAsync(current, new Press.Core.Backups.BackupPart("database", "k/current", 3, "cc"), Ct);

        var parts = (await backups.GetAsync(queued.Id, Ct))!.Parts;
        Assert.Equal("k/current", Assert.Single(parts).Key);
        Assert.Null((await backups.GetAsync(queued.Id, Ct))!.Dump);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(-3)]
    public async Task A_worker_whose_clock_is_hours_off_neither_steals_a_live_lease_nor_loses_its_own(int hoursOff)
    {
        await f.CancelActiveJobsAsync();
        var skewedClock = new FakeTimeProvider(DateTimeOffset.UtcNow.AddHours(hoursOff));
        // Queued by the clock that is behind, so both workers find it due (run_after follows the worker's own clock).
        var site = await f.CreateSiteRowAsync(time: hoursOff < 0 ? skewedClock : null);
        var skewed = f.Jobs(skewedClock);
        var honest = f.Jobs();

        // hoursOff > 0: the skewed worker would see the honest worker's lease as long expired.
        // hoursOff < 0: the skewed worker's own lease would be written hours in the past, free for anyone to take.
        var (first, second) = hoursOff > 0 ? (honest, skewed) : (skewed, honest);
        Assert.Equal(site.Job.Id, (await first.ClaimAsync("first", Lease)).Job.Id);
        Assert.Null(await second.TryClaimAsync("second", Lease));
        Assert.Equal("first", await f.SuperScalarAsync<string>("SELECT lease_owner FROM jobs WHERE id = @id", ("id", site.Job.Id)));
        Assert.InRange(await f.LeaseLeftAsync(site.Job.Id), Lease - TimeSpan.FromSeconds(10), Lease);
    }

    [Fact]
    public async Task A_renewal_extends_the_lease_from_the_databases_now_and_revives_one_nobody_claimed_since()
    {
        var (store, site) = await OneQueuedJobAsync();
        var lease = (await store.ClaimAsync("w1", Lease)).Lease;
        await f.ExpireLeaseAsync(site.Job.Id);

        Assert.True(await store.RenewLeaseAsync(lease, Ct)); // the same claim: nobody ran the job in between
        Assert.Null(await store.TryClaimAsync("w2", Lease));
        Assert.InRange(await f.LeaseLeftAsync(site.Job.Id), Lease - TimeSpan.FromSeconds(10), Lease);
    }

    [Fact]
    public async Task A_renewal_is_false_for_any_lease_but_the_current_claims()
    {
        var (store, site) = await OneQueuedJobAsync();
        var lease = (await store.ClaimAsync("owner", Lease)).Lease;
        var before = await f.SuperScalarAsync<DateTime>("SELECT lease_expires_at FROM jobs WHERE id = @id", ("id", site.Job.Id));

        Assert.False(await store.RenewLeaseAsync(lease with { Token = Guid.NewGuid(), Length = TimeSpan.FromHours(1) }, Ct));
        Assert.False(await store.RenewLeaseAsync(lease with { JobId = Guid.NewGuid() }, Ct));
        Assert.Equal(before, await f.SuperScalarAsync<DateTime>("SELECT lease_expires_at FROM jobs WHERE id = @id", ("id", site.Job.Id)));
        Assert.True(await store.RenewLeaseAsync(lease, Ct));
    }

    [Fact]
    public async Task A_job_this_process_is_still_running_is_never_claimed_by_it_even_with_its_lease_run_out()
    {
        var (store, site) = await OneQueuedJobAsync();
        await store.ClaimAsync("w", Lease);
        await f.ExpireLeaseAsync(site.Job.Id);

        Assert.Null(await store.ClaimNextAsync("w", Lease, [site.Job.Id], Ct));
        Assert.Equal(site.Job.Id, (await store.ClaimNextAsync("w", Lease, [Guid.NewGuid()], Ct))?.Job.Id);
    }

    [Fact]
    public async Task Claims_that_end_without_an_outcome_are_counted_until_one_records_something()
    {
        var (store, site) = await OneQueuedJobAsync();
        var jobId = site.Job.Id;
        Assert.Equal(0, (await store.ClaimAsync("w", Lease)).AbandonedClaims);
        await f.ExpireLeaseAsync(jobId); // the worker died
        var second = await store.ClaimAsync("w", Lease);
        Assert.Equal(1, second.AbandonedClaims);
        await store.StepStartedAsync(second.Lease, 1, Ct); // starting a step is no outcome
        await f.ExpireLeaseAsync(jobId);
        var third = await store.ClaimAsync("w", Lease);
        Assert.Equal(2, third.AbandonedClaims);

        await store.StepFinishedAsync(third.Lease, 1, StepState.Succeeded, "done", null, Ct); // progress
        await f.ExpireLeaseAsync(jobId);
        var fourth = await store.ClaimAsync("w", Lease);
        Assert.Equal(0, fourth.AbandonedClaims);

        await store.WaitAsync(fourth.Lease, 2, DateTimeOffset.UtcNow.AddSeconds(-1), null, "retry", Ct); // a wait is an outcome too
        Assert.Equal(0, (await store.ClaimAsync("w", Lease)).AbandonedClaims);
    }

    private static async Task AssertAllWritesRefusedAsync(JobStore store, JobLease stale)
    {
        await Assert.ThrowsAsync<LeaseLostException>(() => store.StepFinishedAsync(stale, 1, StepState.Succeeded, "late", null, Ct));
        await Assert.ThrowsAsync<LeaseLostException>(() => store.StepStartedAsync(stale, 2, Ct));
        await Assert.ThrowsAsync<LeaseLostException>(() => store.StartAsync(stale, SiteState.Installing, Ct));
        await Assert.ThrowsAsync<LeaseLostException>(() => store.StartWithStepAsync(stale, SiteState.Installing, 1, Ct));
        await Assert.ThrowsAsync<LeaseLostException>(() => store.FinishLastStepAsync(stale, 1, StepState.Succeeded, "late", SiteState.Active, Ct));
        await Assert.ThrowsAsync<LeaseLostException>(() => store.WaitAsync(stale, 1, DateTimeOffset.UtcNow, null, null, Ct));
        await Assert.ThrowsAsync<LeaseLostException>(() => store.FailAsync(stale, StepNames.CreateRole, "late", SiteState.Broken, Ct));
        var lost = await Assert.ThrowsAsync<LeaseLostException>(() => store.SucceedAsync(stale, SiteState.Active, Ct));
        Assert.Equal(stale.JobId, lost.JobId);
        Assert.False(await store.RenewLeaseAsync(stale, Ct));
    }
}
