using Microsoft.Extensions.Time.Testing;
using Press.Core.Jobs;
using Press.Core.Ports;
using Press.Core.Sites;
using Press.Infrastructure.Postgres;

namespace Press.Infrastructure.Tests.Jobs;

/// <summary>Leases: a dead worker's job is taken over, and the old worker can no longer write to it.</summary>
public sealed class JobLeaseTests(InfraFixture f) : IClassFixture<InfraFixture>
{
    private static readonly CancellationToken Ct = CancellationToken.None;
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);

    private async Task<(FakeTimeProvider Time, JobStore Store, TestSite Site)> OneQueuedJobAsync()
    {
        await f.CancelActiveJobsAsync();
        var time = new FakeTimeProvider(new DateTimeOffset(2031, 5, 6, 7, 8, 9, TimeSpan.Zero));
        var site = await f.CreateSiteRowAsync(time: time);
        return (time, f.Jobs(time), site);
    }

    [Fact]
    public async Task An_expired_lease_is_claimed_by_another_worker_and_fences_out_the_old_one()
    {
        var (time, store, site) = await OneQueuedJobAsync();
        var jobId = site.Job.Id;

        Assert.Equal(jobId, (await store.ClaimNextAsync("old", Lease, Ct))?.Id);
        await store.StepStartedAsync(jobId, "old", 1, Ct);

        time.Advance(Lease - TimeSpan.FromSeconds(1));
        Assert.Null(await store.ClaimNextAsync("new", Lease, Ct)); // still held

        time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(jobId, (await store.ClaimNextAsync("new", Lease, Ct))?.Id);

        // The presumed-dead worker wakes up: every write it tries is refused.
        await Assert.ThrowsAsync<LeaseLostException>(() => store.StepFinishedAsync(jobId, "old", 1, StepState.Succeeded, "late", null, Ct));
        await Assert.ThrowsAsync<LeaseLostException>(() => store.StepStartedAsync(jobId, "old", 2, Ct));
        await Assert.ThrowsAsync<LeaseLostException>(() => store.StartAsync(jobId, "old", SiteState.Installing, Ct));
        await Assert.ThrowsAsync<LeaseLostException>(() => store.WaitAsync(jobId, "old", 1, time.GetUtcNow(), null, null, Ct));
        await Assert.ThrowsAsync<LeaseLostException>(() => store.FailAsync(jobId, "old", "create-role", "late", SiteState.Broken, Ct));
        var lost = await Assert.ThrowsAsync<LeaseLostException>(() => store.SucceedAsync(jobId, "old", SiteState.Active, Ct));
        Assert.Equal(jobId, lost.JobId);
        Assert.False(await store.RenewLeaseAsync(jobId, "old", Lease, Ct));

        var job = await store.GetAsync(jobId, Ct);
        Assert.Equal(JobState.Running, job!.State);
        Assert.Null(job.Steps[0].Output); // "late" never landed
        Assert.Equal("new", await f.SuperScalarAsync<string>("SELECT lease_owner FROM jobs WHERE id = @id", ("id", jobId)));
        Assert.Equal(SiteState.Pending, (await f.Store().GetAsync(site.Site.Id, Ct))!.State);

        // The new owner resumes and finishes.
        await store.StepFinishedAsync(jobId, "new", 1, StepState.Succeeded, "created role", null, Ct);
        await store.SucceedAsync(jobId, "new", SiteState.Active, Ct);
        Assert.Equal(JobState.Succeeded, (await store.GetAsync(jobId, Ct))!.State);
    }

    /// <summary>Makes the job's lease run out now, by the database's clock (what every claimant compares with).</summary>
    private Task ExpireLeaseAsync(Guid jobId) =>
        f.SuperExecAsync("UPDATE jobs SET lease_expires_at = now() - interval '1 second' WHERE id = @id", ("id", jobId));

    [Fact]
    public async Task A_new_claim_fences_out_the_earlier_claim_even_from_the_same_worker_id()
    {
        var (time, store, site) = await OneQueuedJobAsync();
        var jobId = site.Job.Id;
        Assert.Equal(jobId, (await store.ClaimNextAsync("w", Lease, Ct))?.Id);
        await store.StepStartedAsync(jobId, "w", 1, Ct);
        await ExpireLeaseAsync(jobId);

        // The same worker id claims again (a second run in the same process, or a restarted process reusing its id).
        Assert.Equal(jobId, (await store.ClaimNextAsync("w", Lease, Ct))?.Id);

        // The first claim's writes are all refused.
        await Assert.ThrowsAsync<LeaseLostException>(() => store.StepFinishedAsync(jobId, "w", 1, StepState.Succeeded, "late", null, Ct));
        Assert.Null((await store.GetAsync(jobId, Ct))!.Steps[0].Output);
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
        Assert.Equal(site.Job.Id, (await first.ClaimNextAsync("first", Lease, Ct))?.Id);
        Assert.Null(await second.ClaimNextAsync("second", Lease, Ct));
        Assert.Equal("first", await f.SuperScalarAsync<string>("SELECT lease_owner FROM jobs WHERE id = @id", ("id", site.Job.Id)));
    }

    [Fact]
    public async Task A_step_finished_write_survives_a_short_PostgreSQL_outage()
    {
        await f.CancelActiveJobsAsync();
        var site = await f.CreateSiteRowAsync();
        var jobId = site.Job.Id;
        await using var proxy = new Press.Infrastructure.Tests.ObjectStore.FlakyProxy(
            new Npgsql.NpgsqlConnectionStringBuilder(f.Db.Options.ConnectionString).Port);
        await using var sources = new PressDataSources(new PostgresOptions
        {
            ConnectionString = new Npgsql.NpgsqlConnectionStringBuilder(f.Db.Options.ConnectionString) { Port = proxy.Port, Timeout = 5 }.ConnectionString,
            Password = f.Db.Options.Password,
            MetadataDatabase = f.Db.Options.MetadataDatabase,
            SitesDatabase = f.Db.Options.SitesDatabase,
        });
        var store = new JobStore(sources, TimeProvider.System);
        Assert.Equal(jobId, (await store.ClaimNextAsync("w", Lease, Ct))?.Id);
        await store.StepStartedAsync(jobId, "w", 1, Ct);

        await proxy.OutageAsync();
        var write = store.StepFinishedAsync(jobId, "w", 1, StepState.Succeeded, "created role", null, Ct);
        await Task.WhenAny(write, Task.Delay(TimeSpan.FromSeconds(3)));
        Assert.False(write.IsCompleted, $"the write gave up during the outage: {write.Exception?.InnerException?.Message}");
        proxy.Restore();
        await write.WaitAsync(TimeSpan.FromSeconds(60));

        var step = (await f.Jobs().GetAsync(jobId, Ct))!.Steps[0];
        Assert.Equal((StepState.Succeeded, "created role", 1), (step.State, step.Output, step.Attempts));
    }

    [Fact]
    public async Task A_renewed_lease_is_not_taken_over()
    {
        var (time, store, site) = await OneQueuedJobAsync();
        await store.ClaimNextAsync("w1", Lease, Ct);

        time.Advance(TimeSpan.FromSeconds(20));
        Assert.True(await store.RenewLeaseAsync(site.Job.Id, "w1", Lease, Ct));
        time.Advance(TimeSpan.FromSeconds(20)); // 40 s after the claim, 20 s after the renewal
        Assert.Null(await store.ClaimNextAsync("w2", Lease, Ct));
        Assert.Equal((time.GetUtcNow() + TimeSpan.FromSeconds(10)).UtcDateTime,
            await f.SuperScalarAsync<DateTime>("SELECT lease_expires_at FROM jobs WHERE id = @id", ("id", site.Job.Id)));
    }

    [Fact]
    public async Task RenewLease_is_false_for_a_worker_that_does_not_own_the_job()
    {
        var (_, store, site) = await OneQueuedJobAsync();
        await store.ClaimNextAsync("owner", Lease, Ct);
        var before = await f.SuperScalarAsync<DateTime>("SELECT lease_expires_at FROM jobs WHERE id = @id", ("id", site.Job.Id));

        Assert.False(await store.RenewLeaseAsync(site.Job.Id, "stranger", TimeSpan.FromHours(1), Ct));
        Assert.False(await store.RenewLeaseAsync(Guid.NewGuid(), "owner", Lease, Ct));
        Assert.Equal(before, await f.SuperScalarAsync<DateTime>("SELECT lease_expires_at FROM jobs WHERE id = @id", ("id", site.Job.Id)));
        Assert.True(await store.RenewLeaseAsync(site.Job.Id, "owner", Lease, Ct));
    }

    [Fact]
    public async Task A_Waiting_job_is_not_claimable_before_run_after()
    {
        var (time, store, site) = await OneQueuedJobAsync();
        var jobId = site.Job.Id;
        await store.ClaimNextAsync("w1", Lease, Ct);
        await store.StepStartedAsync(jobId, "w1", 1, Ct);
        var runAfter = time.GetUtcNow() + TimeSpan.FromMinutes(1);
        await store.WaitAsync(jobId, "w1", 1, runAfter, null, "connection refused", Ct);

        var waiting = await store.GetAsync(jobId, Ct);
        Assert.Equal(JobState.Waiting, waiting!.State);
        Assert.Equal(StepState.Pending, waiting.Steps[0].State);
        Assert.Equal("connection refused", waiting.Steps[0].Error);
        Assert.Null(await f.SuperScalarAsync<string>("SELECT lease_owner FROM jobs WHERE id = @id", ("id", jobId)));

        Assert.Null(await store.ClaimNextAsync("w2", Lease, Ct));
        time.Advance(TimeSpan.FromSeconds(59));
        Assert.Null(await store.ClaimNextAsync("w2", Lease, Ct));
        time.Advance(TimeSpan.FromSeconds(1)); // run_after <= now
        var resumed = await store.ClaimNextAsync("w2", Lease, Ct);
        Assert.Equal(jobId, resumed?.Id);
        Assert.Equal(JobState.Running, resumed!.State);
        Assert.Equal(1, resumed.Steps[0].Attempts); // the attempt count survives the wait
    }

    [Fact]
    public async Task Step_writes_record_state_attempts_timings_and_output()
    {
        var (time, store, site) = await OneQueuedJobAsync();
        var jobId = site.Job.Id;
        await store.ClaimNextAsync("w", Lease, Ct);
        await store.StartAsync(jobId, "w", SiteState.Installing, Ct);
        var started = time.GetUtcNow();
        await store.StepStartedAsync(jobId, "w", 1, Ct);
        time.Advance(TimeSpan.FromSeconds(3));
        await store.StepFinishedAsync(jobId, "w", 1, StepState.Succeeded, "created role t_x", null, Ct);

        var job = (await store.GetAsync(jobId, Ct))!;
        Assert.Equal(started, job.StartedAt);
        var step = job.Steps[0];
        Assert.Equal((StepState.Succeeded, 1, "created role t_x"), (step.State, step.Attempts, step.Output));
        Assert.Equal(started, step.StartedAt);
        Assert.Equal(started + TimeSpan.FromSeconds(3), step.FinishedAt);
        Assert.All(job.Steps.Skip(1), s => Assert.Equal(StepState.Pending, s.State));
        Assert.Equal(SiteState.Installing, (await f.Store().GetAsync(site.Site.Id, Ct))!.State);
    }

    [Fact]
    public async Task Succeed_sets_the_site_state_in_the_same_transaction()
    {
        var (time, store, site) = await OneQueuedJobAsync();
        var jobId = site.Job.Id;
        await store.ClaimNextAsync("w", Lease, Ct);

        // Make the site update fail: if the job update were committed separately, the job would read Succeeded now.
        await f.SuperExecAsync($"""
            CREATE FUNCTION test_refuse_site_update() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION 'test: site update refused'; END $$;
            CREATE TRIGGER test_refuse_site_update BEFORE UPDATE ON sites FOR EACH ROW
                WHEN (OLD.id = '{site.Site.Id}') EXECUTE FUNCTION test_refuse_site_update();
            """);
        try
        {
            await PgAssert.FailsAsync("P0001", () => store.SucceedAsync(jobId, "w", SiteState.Active, Ct), "site update refused");
        }
        finally
        {
            await f.SuperExecAsync("DROP TRIGGER test_refuse_site_update ON sites; DROP FUNCTION test_refuse_site_update()");
        }
        var unchanged = (await store.GetAsync(jobId, Ct))!;
        Assert.Equal(JobState.Running, unchanged.State);
        Assert.Null(unchanged.FinishedAt);
        Assert.Equal("w", await f.SuperScalarAsync<string>("SELECT lease_owner FROM jobs WHERE id = @id", ("id", jobId)));

        time.Advance(TimeSpan.FromSeconds(5));
        await store.SucceedAsync(jobId, "w", SiteState.Active, Ct);
        var done = (await store.GetAsync(jobId, Ct))!;
        var siteNow = (await f.Store().GetAsync(site.Site.Id, Ct))!;
        Assert.Equal(JobState.Succeeded, done.State);
        Assert.Equal(time.GetUtcNow(), done.FinishedAt);
        Assert.Equal(SiteState.Active, siteNow.State);
        Assert.Equal(time.GetUtcNow(), siteNow.UpdatedAt);
        Assert.Null(await f.SuperScalarAsync<string>("SELECT lease_owner FROM jobs WHERE id = @id", ("id", jobId)));
    }

    [Fact]
    public async Task Fail_records_the_step_and_error_and_sets_the_failure_state()
    {
        var (_, store, site) = await OneQueuedJobAsync();
        var jobId = site.Job.Id;
        await store.ClaimNextAsync("w", Lease, Ct);
        await store.StepStartedAsync(jobId, "w", 2, Ct);
        await store.StepFinishedAsync(jobId, "w", 2, StepState.Failed, null, "boom", Ct);
        await store.FailAsync(jobId, "w", StepNames.CreateSchema, "boom", SiteState.Broken, Ct);

        var job = (await store.GetAsync(jobId, Ct))!;
        Assert.Equal((JobState.Failed, StepNames.CreateSchema, "boom"), (job.State, job.FailedStep, job.Error));
        Assert.Equal(StepState.Failed, job.Steps[1].State);
        Assert.Equal(SiteState.Broken, (await f.Store().GetAsync(site.Site.Id, Ct))!.State);
        Assert.Null(await store.ClaimNextAsync("w2", Lease, Ct)); // failed jobs wait for an operator's retry
    }

    [Fact]
    public async Task Purged_state_also_stamps_purged_at()
    {
        var (time, store, site) = await OneQueuedJobAsync();
        await store.ClaimNextAsync("w", Lease, Ct);
        await store.SucceedAsync(site.Job.Id, "w", SiteState.Purged, Ct);
        var purged = (await f.Store().GetAsync(site.Site.Id, Ct))!;
        Assert.Equal(SiteState.Purged, purged.State);
        Assert.Equal(time.GetUtcNow(), purged.PurgedAt);
    }
}
