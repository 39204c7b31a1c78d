using Npgsql;
using Press.Core.Jobs;
using Press.EndToEnd.Tests.Harness;
using Xunit.Abstractions;

namespace Press.EndToEnd.Tests;

/// <summary>Workers killed in the middle of a step (no crash-test pause): the job still ends right after a restart.</summary>
public sealed class MidStepCrashTests(ManagerFixture stack, ITestOutputHelper output) : IClassFixture<ManagerFixture>
{
    [Fact]
    public async Task Worker_killed_as_soon_as_the_job_shows_Running_is_finished_by_a_restarted_worker()
    {
        await using var scene = new Scene(stack.Manager);
        const string site = "running.midstep.test";
        var a = await scene.StartWorkerAsync(stack.Db, "worker-A", PressProcess.FastWorker());
        var queued = await stack.Api.CreateSiteAsync(site);
        var running = await stack.Api.WaitForJobAsync(queued.Id, Crash.JobTimeout, scene.Describe,
            until: j => j.State != "Queued", every: TimeSpan.FromMilliseconds(10));
        await a.KillAsync();
        // A statement the worker sent just before dying may still commit on the server: let it land before looking.
        // (No worker can claim the job yet: the lease runs 4 s past the last renewal.)
        await Task.Delay(300);
        var atKill = await stack.Api.GetJobAsync(queued.Id);

        await scene.StartWorkerAsync(stack.Db, "worker-B", PressProcess.FastWorker());
        var job = await stack.Api.WaitForJobAsync(queued.Id, Crash.JobTimeout, scene.Describe);
        var context = $"\nseen Running: {running.Describe()}\nafter the kill: {atKill.Describe()}\nfinal: {job.Describe()}";
        output.WriteLine(context);

        Assert.True(job.State == "Succeeded", context + scene.Describe());
        Assert.All(job.Steps, s => Assert.True(s.State is "Succeeded" or "Skipped" && s.Attempts is 1 or 2, context));
        // Only the step the kill interrupted (if the kill landed inside one) runs twice; all others once.
        Assert.True(job.Steps.Count(s => s.Attempts == 2) <= 1, context);
        var interrupted = atKill.Steps.SingleOrDefault(s => s.State == "Running");
        if (interrupted is not null) Assert.True(job.Step(interrupted.Name).Attempts == 2, context);

        var view = await stack.Api.GetSiteAsync(site);
        Assert.Equal("Active", view.State);
        var tenant = await Catalog.InspectAsync(stack.Db, view.Location.Schema);
        Assert.Equal(1, tenant.Roles);
        Assert.Equal(1, tenant.Schemas);
        Assert.True(tenant.CanLogin);
        Assert.Single(await stack.Api.ListJobsAsync(site));
    }

    /// <summary>
    /// Deterministic mid-step kill: a superuser transaction holds the row of the sites database in pg_database, so
    /// configure-role's <c>GRANT CONNECT</c> blocks inside PostgreSQL. The worker dies there; when the blocker rolls
    /// back, the orphaned statement may still commit on the server — the worst case for idempotency.
    /// </summary>
    [Fact]
    public async Task Worker_killed_while_a_step_is_blocked_inside_PostgreSQL_is_finished_by_a_restarted_worker()
    {
        await using var scene = new Scene(stack.Manager);
        const string site = "blocked.midstep.test";
        const string step = StepNames.ConfigureRole;

        Guid jobId;
        await using var blocker = await stack.Db.OpenAsSuperuserAsync("postgres");
        await using (var tx = await blocker.BeginTransactionAsync())
        {
            await using (var grant = new NpgsqlCommand($"GRANT CONNECT ON DATABASE \"{stack.Db.SitesDatabase}\" TO \"{stack.Db.PressRole}\"", blocker, tx))
                await grant.ExecuteNonQueryAsync();

            var a = await scene.StartWorkerAsync(stack.Db, "worker-A", PressProcess.FastWorker());
            jobId = (await stack.Api.CreateSiteAsync(site)).Id;
            var blocked = await stack.Api.WaitForJobAsync(jobId, Crash.JobTimeout, scene.Describe,
                until: j => j.IsTerminal || j.Step(step).State == "Running");
            Assert.True(blocked.Step(step) is { State: "Running", Attempts: 1 }, blocked.Describe() + scene.Describe());
            await Eventually.Until(() => LockWaitersAsync(stack.Db.SitesDatabase), n => n >= 1, Crash.JobTimeout,
                $"the worker's {step} statement to wait on the pg_database row lock", scene.Describe);

            await a.KillAsync();
            await tx.RollbackAsync();
        }
        // The orphaned backend goes on once the lock is free; let it finish before the next worker runs the step.
        await Eventually.Until(() => LockWaitersAsync(stack.Db.SitesDatabase, anyState: true), n => n == 0, Crash.JobTimeout,
            "the killed worker's orphaned GRANT to end", scene.Describe);

        await scene.StartWorkerAsync(stack.Db, "worker-B", PressProcess.FastWorker());
        var job = await stack.Api.WaitForJobAsync(jobId, Crash.JobTimeout, scene.Describe);
        Crash.AssertResumedAt(job, step, scene.Describe);

        var view = await stack.Api.GetSiteAsync(site);
        Assert.Equal("Active", view.State);
        var tenant = await Catalog.InspectAsync(stack.Db, view.Location.Schema);
        Assert.Equal(1, tenant.Roles);
        Assert.Equal(1, tenant.Schemas);
        Assert.True(tenant.CanConnect);
        Assert.Contains($"search_path={view.Location.Schema}", tenant.RoleConfig);
        Assert.StartsWith("logged in as", job.Step(StepNames.VerifyLogin).Output);
    }

    /// <summary>Backends of the sites database running a GRANT CONNECT (waiting on a lock unless <paramref name="anyState"/>).</summary>
    private async Task<long> LockWaitersAsync(string database, bool anyState = false)
    {
        await using var conn = await stack.Db.OpenAsSuperuserAsync("postgres");
        return await Catalog.Scalar<long>(conn, $"""
            SELECT count(*) FROM pg_stat_activity
            WHERE datname = @i AND query ILIKE 'GRANT CONNECT%' AND state = 'active' {(anyState ? "" : "AND wait_event_type = 'Lock'")}
            """, database);
    }
}
