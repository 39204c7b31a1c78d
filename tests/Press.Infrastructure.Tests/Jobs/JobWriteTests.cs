using Microsoft.Extensions.Time.Testing;
using Npgsql;
using Press.Core.Jobs;
using Press.Core.Sites;
using Press.Infrastructure.Postgres;
using Press.Infrastructure.Tests.ObjectStore;

namespace Press.Infrastructure.Tests.Jobs;

/// <summary>What the claimant's writes record, in which transaction, and that they ride out short outages and retries.</summary>
public sealed class JobWriteTests(InfraFixture f) : IClassFixture<InfraFixture>
{
    private static readonly CancellationToken Ct = CancellationToken.None;
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);

    /// <summary>Step and job timestamps come from the worker's TimeProvider (a fixed fake clock here); leases do not.</summary>
    private async Task<(FakeTimeProvider Time, JobStore Store, TestSite Site)> OneQueuedJobAsync()
    {
        await f.CancelActiveJobsAsync();
        var time = new FakeTimeProvider(new DateTimeOffset(2031, 5, 6, 7, 8, 9, TimeSpan.Zero));
        var site = await f.CreateSiteRowAsync(time: time);
        return (time, f.Jobs(time), site);
    }

    [Fact]
    public async Task A_Waiting_job_is_not_claimable_before_run_after()
    {
        var (time, store, site) = await OneQueuedJobAsync();
        var jobId = site.Job.Id;
        var lease = (await store.ClaimAsync("w1", Lease)).Lease;
        await store.StepStartedAsync(lease, 1, Ct);
        var runAfter = time.GetUtcNow() + TimeSpan.FromMinutes(1);
        await store.WaitAsync(lease, 1, runAfter, null, "connection refused", Ct);

        var waiting = await store.GetAsync(jobId, Ct);
        Assert.Equal(JobState.Waiting, waiting!.State);
        Assert.Equal(StepState.Pending, waiting.Steps[0].State);
        Assert.Equal("connection refused", waiting.Steps[0].Error);
        Assert.Null(await f.SuperScalarAsync<string>("SELECT lease_owner FROM jobs WHERE id = @id", ("id", jobId)));

        Assert.Null(await store.TryClaimAsync("w2", Lease));
        time.Advance(TimeSpan.FromSeconds(59));
        Assert.Null(await store.TryClaimAsync("w2", Lease));
        time.Advance(TimeSpan.FromSeconds(1)); // run_after <= now
        var resumed = await store.ClaimAsync("w2", Lease);
        Assert.Equal(jobId, resumed.Job.Id);
        Assert.Equal(JobState.Running, resumed.Job.State);
        Assert.Equal(1, resumed.Job.Steps[0].Attempts); // the attempt count survives the wait
    }

    [Fact]
    public async Task Step_writes_record_state_attempts_timings_and_output()
    {
        var (time, store, site) = await OneQueuedJobAsync();
        var jobId = site.Job.Id;
        var lease = (await store.ClaimAsync("w", Lease)).Lease;
        await store.StartAsync(lease, SiteState.Installing, Ct);
        var started = time.GetUtcNow();
        await store.StepStartedAsync(lease, 1, Ct);
        time.Advance(TimeSpan.FromSeconds(3));
        await store.StepFinishedAsync(lease, 1, StepState.Succeeded, "created role t_x", null, Ct);

        var job = (await store.GetAsync(jobId, Ct))!;
        Assert.Equal(started, job.StartedAt);
        var step = job.Steps[0];
        Assert.Equal((StepState.Succeeded, 1, "created role t_x"), (step.State, step.Attempts, step.Output));
        Assert.Equal(started, step.StartedAt);
        Assert.Equal(started + TimeSpan.FromSeconds(3), step.FinishedAt);
        Assert.All(job.Steps.Skip(1), s => Assert.Equal(StepState.Pending, s.State));
        Assert.Equal(SiteState.Installing, (await f.Store().GetAsync(site.Site.Id, Ct))!.State);
    }

    /// <summary>A write whose answer was lost (the connection broke after the commit) is retried: the retry must
    /// neither count the attempt twice nor fail because the job already moved on.</summary>
    [Fact]
    public async Task Every_write_may_land_twice_with_the_same_result()
    {
        var (_, store, site) = await OneQueuedJobAsync();
        var jobId = site.Job.Id;
        var lease = (await store.ClaimAsync("w", Lease)).Lease;
        await store.StartAsync(lease, SiteState.Installing, Ct);
        await store.StartAsync(lease, SiteState.Installing, Ct);
        await store.StepStartedAsync(lease, 1, Ct);
        await store.StepStartedAsync(lease, 1, Ct);
        await store.StepFinishedAsync(lease, 1, StepState.Succeeded, "ok", null, Ct);
        await store.StepFinishedAsync(lease, 1, StepState.Succeeded, "ok", null, Ct);
        await store.SucceedAsync(lease, SiteState.Active, Ct);
        await store.SucceedAsync(lease, SiteState.Active, Ct);

        var job = (await store.GetAsync(jobId, Ct))!;
        Assert.Equal((JobState.Succeeded, 1, "ok"), (job.State, job.Steps[0].Attempts, job.Steps[0].Output));

        var (_, store2, site2) = await OneQueuedJobAsync();
        var lease2 = (await store2.ClaimAsync("w", Lease)).Lease;
        await store2.WaitAsync(lease2, 1, DateTimeOffset.UtcNow.AddHours(1), null, "later", Ct);
        await store2.WaitAsync(lease2, 1, DateTimeOffset.UtcNow.AddHours(1), null, "later", Ct);
        // Having waited, the claim is over: any other write of it is refused.
        await Assert.ThrowsAsync<Press.Core.Ports.LeaseLostException>(() => store2.FailAsync(lease2, StepNames.CreateRole, "boom", SiteState.Broken, Ct));
        Assert.Equal(JobState.Waiting, (await store2.GetAsync(site2.Job.Id, Ct))!.State);
    }

    /// <summary>The folded writes (issue 15: one commit where there were two) record what their two parts did, and
    /// land twice with the same result like every write.</summary>
    [Fact]
    public async Task The_start_with_the_first_step_and_the_last_step_with_the_success_each_record_both_parts()
    {
        var (time, store, site) = await OneQueuedJobAsync();
        var jobId = site.Job.Id;
        var lease = (await store.ClaimAsync("w", Lease)).Lease;
        var started = time.GetUtcNow();
        await store.StartWithStepAsync(lease, SiteState.Installing, 1, Ct);
        await store.StartWithStepAsync(lease, SiteState.Installing, 1, Ct);

        var running = (await store.GetAsync(jobId, Ct))!;
        Assert.Equal((JobState.Running, started), (running.State, running.StartedAt));
        Assert.Equal((StepState.Running, 1, started), (running.Steps[0].State, running.Steps[0].Attempts, running.Steps[0].StartedAt));
        Assert.Equal(SiteState.Installing, (await f.Store().GetAsync(site.Site.Id, Ct))!.State);

        var last = running.Steps[^1].Ordinal;
        foreach (var step in running.Steps.Where(s => s.Ordinal != last))
        {
            if (step.Ordinal != 1) await store.StepStartedAsync(lease, step.Ordinal, Ct);
            await store.StepFinishedAsync(lease, step.Ordinal, StepState.Succeeded, "ok", null, Ct);
        }
        await store.StepStartedAsync(lease, last, Ct);
        time.Advance(TimeSpan.FromSeconds(2));
        await store.FinishLastStepAsync(lease, last, StepState.Skipped, "nothing to do", SiteState.Active, Ct);
        await store.FinishLastStepAsync(lease, last, StepState.Skipped, "nothing to do", SiteState.Active, Ct);

        var done = (await store.GetAsync(jobId, Ct))!;
        Assert.Equal((JobState.Succeeded, time.GetUtcNow()), (done.State, done.FinishedAt));
        Assert.Equal((StepState.Skipped, "nothing to do", time.GetUtcNow()), (done.Steps[^1].State, done.Steps[^1].Output, done.Steps[^1].FinishedAt));
        Assert.Equal(SiteState.Active, (await f.Store().GetAsync(site.Site.Id, Ct))!.State);
        Assert.Null(await f.SuperScalarAsync<string>("SELECT lease_owner FROM jobs WHERE id = @id", ("id", jobId)));
        Assert.Equal(0, await f.SuperScalarAsync<int>("SELECT unfinished_claims FROM jobs WHERE id = @id", ("id", jobId)));
    }

    [Fact]
    public async Task The_last_steps_finish_and_the_success_commit_together_or_not_at_all()
    {
        var (_, store, site) = await OneQueuedJobAsync();
        var jobId = site.Job.Id;
        var lease = (await store.ClaimAsync("w", Lease)).Lease;
        await store.StepStartedAsync(lease, 1, Ct);

        // The site update fails: had the step's finish been committed apart, the step would read Succeeded now.
        await f.SuperExecAsync($"""
            CREATE FUNCTION test_refuse_site_update2() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION 'test: site update refused'; END $$;
            CREATE TRIGGER test_refuse_site_update2 BEFORE UPDATE ON sites FOR EACH ROW
                WHEN (OLD.id = '{site.Site.Id}') EXECUTE FUNCTION test_refuse_site_update2();
            """);
        try
        {
            await PgAssert.FailsAsync("P0001", () => store.FinishLastStepAsync(lease, 1, StepState.Succeeded, "ok", SiteState.Active, Ct), "site update refused");
        }
        finally
        {
            await f.SuperExecAsync("DROP TRIGGER test_refuse_site_update2 ON sites; DROP FUNCTION test_refuse_site_update2()");
        }
        var unchanged = (await store.GetAsync(jobId, Ct))!;
        Assert.Equal((JobState.Running, StepState.Running), (unchanged.State, unchanged.Steps[0].State));
        Assert.Null(unchanged.Steps[0].Output);
    }

    [Fact]
    public async Task A_step_finished_write_survives_a_short_PostgreSQL_outage()
    {
        await f.CancelActiveJobsAsync();
        var site = await f.CreateSiteRowAsync();
        var jobId = site.Job.Id;
        var direct = new NpgsqlConnectionStringBuilder(f.Db.Options.ConnectionString);
        await using var proxy = new FlakyProxy(direct.Port);
        await using var sources = new PressDataSources(f.Db.OptionsWith(c => (c.Port, c.Timeout) = (proxy.Port, 5)));
        var store = new JobStore(sources, TimeProvider.System);
        var lease = (await store.ClaimAsync("w", Lease)).Lease;
        Assert.Equal(jobId, lease.JobId);
        await store.StepStartedAsync(lease, 1, Ct);

        await proxy.OutageAsync();
        var write = store.StepFinishedAsync(lease, 1, StepState.Succeeded, "created role", null, Ct);
        await Task.WhenAny(write, Task.Delay(TimeSpan.FromSeconds(3)));
        Assert.False(write.IsCompleted, $"the write gave up during the outage: {write.Exception?.InnerException?.Message}");
        proxy.Restore();
        await write.WaitAsync(TimeSpan.FromSeconds(60));

        var step = (await f.Jobs().GetAsync(jobId, Ct))!.Steps[0];
        Assert.Equal((StepState.Succeeded, "created role", 1), (step.State, step.Output, step.Attempts));
    }

    [Fact]
    public async Task A_cancelled_write_writes_nothing()
    {
        var (_, store, site) = await OneQueuedJobAsync();
        var lease = (await store.ClaimAsync("w", Lease)).Lease;
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => store.StepFinishedAsync(lease, 1, StepState.Succeeded, "late", null, cancelled.Token));
        Assert.Null((await store.GetAsync(site.Job.Id, Ct))!.Steps[0].Output);
    }

    [Fact]
    public async Task Succeed_sets_the_site_state_in_the_same_transaction()
    {
        var (time, store, site) = await OneQueuedJobAsync();
        var jobId = site.Job.Id;
        var lease = (await store.ClaimAsync("w", Lease)).Lease;

        // Make the site update fail: if the job update were committed separately, the job would read Succeeded now.
        await f.SuperExecAsync($"""
            CREATE FUNCTION test_refuse_site_update() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION 'test: site update refused'; END $$;
            CREATE TRIGGER test_refuse_site_update BEFORE UPDATE ON sites FOR EACH ROW
                WHEN (OLD.id = '{site.Site.Id}') EXECUTE FUNCTION test_refuse_site_update();
            """);
        try
        {
            await PgAssert.FailsAsync("P0001", () => store.SucceedAsync(lease, SiteState.Active, Ct), "site update refused");
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
        await store.SucceedAsync(lease, SiteState.Active, Ct);
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
        var lease = (await store.ClaimAsync("w", Lease)).Lease;
        await store.StepStartedAsync(lease, 2, Ct);
        await store.StepFinishedAsync(lease, 2, StepState.Failed, null, "boom", Ct);
        await store.FailAsync(lease, StepNames.CreateSchema, "boom", SiteState.Broken, Ct);

        var job = (await store.GetAsync(jobId, Ct))!;
        Assert.Equal((JobState.Failed, StepNames.CreateSchema, "boom"), (job.State, job.FailedStep, job.Error));
        Assert.Equal(StepState.Failed, job.Steps[1].State);
        Assert.Equal(SiteState.Broken, (await f.Store().GetAsync(site.Site.Id, Ct))!.State);
        Assert.Null(await store.TryClaimAsync("w2", Lease)); // failed jobs wait for an operator's retry
    }

    [Fact]
    public async Task Purged_state_also_stamps_purged_at()
    {
        var (time, store, site) = await OneQueuedJobAsync();
        var lease = (await store.ClaimAsync("w", Lease)).Lease;
        await store.SucceedAsync(lease, SiteState.Purged, Ct);
        var purged = (await f.Store().GetAsync(site.Site.Id, Ct))!;
        Assert.Equal(SiteState.Purged, purged.State);
        Assert.Equal(time.GetUtcNow(), purged.PurgedAt);
    }
}
