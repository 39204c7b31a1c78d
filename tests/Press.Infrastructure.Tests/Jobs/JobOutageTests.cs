using Npgsql;
using Press.Core.Jobs;
using Press.Core.Sites;
using Press.Infrastructure.Tests.ObjectStore;
using Xunit.Abstractions;

namespace Press.Infrastructure.Tests.Jobs;

/// <summary>
/// PostgreSQL cut off from a worker (a TCP proxy between them is taken down) for longer than a lease, in the middle of
/// a step: the real job engine runs a NewSite job whose first step is a <see cref="ProbeStep"/>. Whatever happens,
/// the step never runs twice at once, and the job still ends as it should.
/// </summary>
public sealed class JobOutageTests(InfraFixture f, ITestOutputHelper output) : IClassFixture<InfraFixture>
{
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly TestLog _log = new();

    private int PostgresPort => new NpgsqlConnectionStringBuilder(f.Db.Options.ConnectionString).Port;

    private static IJobStep[] Steps(ProbeStep probe) =>
        [probe, .. Recipes.NewSite.Steps.Where(n => n != probe.Name).Select(n => new InstantStep(n))];

    [Fact]
    public async Task A_step_is_stopped_when_its_lease_cannot_be_renewed_for_a_lease_period_and_resumed_once_PostgreSQL_is_back()
    {
        await f.CancelActiveJobsAsync();
        var probe = new ProbeStep(StepNames.CreateRole);
        await using var proxy = new FlakyProxy(PostgresPort);
        await using var worker = await InProcessWorker.StartAsync("worker", f, proxy.Port, Steps(probe), Lease, _log);
        var site = await f.CreateSiteRowAsync();
        await probe.FirstRunStarted.Task.WaitAsync(Patience);

        await proxy.OutageAsync();
        var stoppedInTime = await Task.WhenAny(probe.FirstRunEnded.Task, Task.Delay(Outage)) == probe.FirstRunEnded.Task;
        var restoredAt = DateTimeOffset.UtcNow;
        proxy.Restore();
        var job = await WaitForEndAsync(site.Job.Id);
        await worker.StopAsync();

        var context = probe.Describe() + $"\nPostgreSQL back at {restoredAt:HH:mm:ss.fff}" + Describe(job) + _log.Describe();
        output.WriteLine(context);
        Assert.True(stoppedInTime, "the step kept running although its lease could not be renewed" + context);
        Assert.True(probe.Runs[0].SawCancellation, context);
        Assert.Equal(1, probe.MaxConcurrent);
        Assert.True(job.State == JobState.Succeeded, context);
        Assert.Equal(2, job.Steps.Single(s => s.Name == probe.Name).Attempts);
        Assert.All(job.Steps.Where(s => s.Name != probe.Name), s => Assert.Equal(1, s.Attempts));
        Assert.Equal(SiteState.Active, (await f.Store().GetAsync(site.Site.Id, CancellationToken.None))!.State);
    }

    [Fact]
    public async Task The_same_worker_never_claims_a_job_it_is_still_running_even_after_its_lease_ran_out()
    {
        await f.CancelActiveJobsAsync();
        // A step that does not stop when asked (it cannot be interrupted): the worker must wait for it, not start it again.
        var probe = new ProbeStep(StepNames.CreateRole) { FirstRunIgnoresCancellation = true };
        await using var proxy = new FlakyProxy(PostgresPort);
        await using var worker = await InProcessWorker.StartAsync("worker", f, proxy.Port, Steps(probe), Lease, _log);
        var site = await f.CreateSiteRowAsync();
        await probe.FirstRunStarted.Task.WaitAsync(Patience);

        await proxy.OutageAsync();
        await Task.Delay(Outage);
        proxy.Restore();
        // Long enough for the worker to poll many times with the lease long expired.
        await Task.Delay(Lease * 3);
        var runsWhileTheFirstWasStuck = probe.Runs.Count;
        probe.ReleaseFirstRun();
        var job = await WaitForEndAsync(site.Job.Id);
        await worker.StopAsync();

        var context = probe.Describe() + Describe(job) + _log.Describe();
        output.WriteLine(context);
        Assert.True(runsWhileTheFirstWasStuck == 1, "the worker started the step again while its first run was still going" + context);
        Assert.True(probe.MaxConcurrent == 1, context);
        Assert.True(job.State == JobState.Succeeded, context);
        Assert.Equal(2, job.Steps.Single(s => s.Name == probe.Name).Attempts);
        Assert.Equal("run 2 of the probe", job.Steps.Single(s => s.Name == probe.Name).Output); // the stale run's result never landed
    }

    [Fact]
    public async Task Another_worker_takes_the_job_over_only_after_the_cut_off_worker_stopped_the_step_and_nothing_late_lands()
    {
        await f.CancelActiveJobsAsync();
        var probe = new ProbeStep(StepNames.CreateRole);
        await using var proxy = new FlakyProxy(PostgresPort);
        await using var cutOff = await InProcessWorker.StartAsync("worker-A", f, proxy.Port, Steps(probe), Lease, _log);
        var site = await f.CreateSiteRowAsync();
        await probe.FirstRunStarted.Task.WaitAsync(Patience);

        await proxy.OutageAsync();
        await using var healthy = await InProcessWorker.StartAsync("worker-B", f, PostgresPort, Steps(probe), Lease, _log);
        var job = await WaitForEndAsync(site.Job.Id);
        var finished = job.Steps.Single(s => s.Name == probe.Name).FinishedAt;
        // The cut-off worker gets PostgreSQL back: whatever it still tries to write must not land.
        proxy.Restore();
        await Task.Delay(Lease * 2);
        await cutOff.StopAsync();
        await healthy.StopAsync();
        var after = (await f.Jobs().GetAsync(site.Job.Id, CancellationToken.None))!;

        var context = probe.Describe() + Describe(after) + _log.Describe();
        output.WriteLine(context);
        Assert.True(probe.MaxConcurrent == 1, "two workers ran the step at the same time" + context);
        Assert.True(probe.Runs.Count == 2 && probe.Runs[0].Ended <= probe.Runs[1].Started, context);
        Assert.True(after.State == JobState.Succeeded, context);
        var step = after.Steps.Single(s => s.Name == probe.Name);
        Assert.Equal((2, "run 2 of the probe", finished), (step.Attempts, step.Output, step.FinishedAt));
        Assert.Equal(SiteState.Active, (await f.Store().GetAsync(site.Site.Id, CancellationToken.None))!.State);
    }

    private async Task<Job> WaitForEndAsync(Guid jobId)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            var job = (await f.Jobs().GetAsync(jobId, CancellationToken.None))!;
            if (job.State.IsTerminal()) return job;
            if (DateTime.UtcNow > deadline) throw new TimeoutException("job did not end within 60 s:" + Describe(job) + _log.Describe());
            await Task.Delay(100);
        }
    }

    private static string Describe(Job job) => $"\njob {job.State}: " + string.Join(", ",
        job.Steps.Select(s => $"{s.Name} {s.State} x{s.Attempts}{(s.Output is null ? "" : $" '{s.Output}'")}"));
}
