using Press.Core.Jobs;
using Press.Core.Ports;
using Press.Core.Sites;
using Press.Core.Tests.Fakes;
using static Press.Core.Jobs.StepNames;

namespace Press.Core.Tests.Jobs;

/// <summary>Losing the lease, stopping, and the crash-test pause: the runner stops without writing an outcome.</summary>
public sealed class JobRunnerLeaseTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    [Theory]
    [InlineData("StartAsync")]
    [InlineData("StepStartedAsync")]
    [InlineData("StepFinishedAsync")]
    [InlineData("SucceedAsync")]
    public async Task LeaseLostException_from_the_store_stops_the_runner_quietly_without_an_outcome(string method)
    {
        var h = new RunnerHarness(Recipes.ResumeSite);
        var job = TestData.Job(Recipes.ResumeSite, h.Site);
        h.Jobs.ThrowFrom = m => m == method ? new LeaseLostException(job.Id) : null;

        var escaped = await Record.ExceptionAsync(() => h.RunAsync(job));

        Assert.Null(escaped);
        Assert.Null(h.Jobs.Succeeded);
        Assert.Null(h.Jobs.Failure);
        Assert.Null(h.Jobs.Wait);
        Assert.DoesNotContain("FailAsync", h.Jobs.Calls);
    }

    [Fact]
    public async Task LeaseLostException_while_recording_a_failure_does_not_retry_the_write_or_succeed()
    {
        var h = new RunnerHarness(Recipes.ResumeSite);
        h.Set(ScriptedStep.Returning(EnableLogin, StepResult.Permanent("role is missing")));
        var job = TestData.Job(Recipes.ResumeSite, h.Site);
        h.Jobs.ThrowFrom = m => m == "StepFinishedAsync" ? new LeaseLostException(job.Id) : null;

        await h.RunAsync(job);

        Assert.Null(h.Jobs.Failure);
        Assert.Null(h.Jobs.Succeeded);
        Assert.Empty(h.Step(StartRuntime).Runs);
    }

    [Fact]
    public async Task LeaseLostException_thrown_through_a_step_is_not_turned_into_a_step_failure()
    {
        var h = new RunnerHarness(Recipes.ResumeSite);
        var job = TestData.Job(Recipes.ResumeSite, h.Site);
        h.Set(ScriptedStep.Throwing(EnableLogin, new LeaseLostException(job.Id)));

        await h.RunAsync(job);

        Assert.Empty(h.Jobs.StepsFinished);
        Assert.Null(h.Jobs.Failure);
        Assert.Null(h.Jobs.Succeeded);
    }

    [Fact]
    public async Task The_lease_is_renewed_every_third_of_its_length_while_a_step_runs()
    {
        var h = new RunnerHarness(Recipes.ResumeSite);
        h.Options.Lease = TimeSpan.FromSeconds(30);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        h.Set(new ScriptedStep(EnableLogin, async (_, ct) =>
        {
            started.SetResult();
            await release.Task.WaitAsync(ct);
            return StepResult.Ok("login enabled");
        }));
        var job = TestData.Job(Recipes.ResumeSite, h.Site);

        var run = h.RunAsync(job);
        await started.Task.WaitAsync(Patience);
        h.Time.Advance(TimeSpan.FromSeconds(9));
        Assert.Equal(0, h.Jobs.Renewals);
        h.Time.Advance(TimeSpan.FromSeconds(1));
        await WaitUntil(() => h.Jobs.Renewals == 1);
        await AdvanceUntil(h, () => h.Jobs.Renewals >= 2);
        release.SetResult();
        await run.WaitAsync(Patience);

        Assert.Equal(SiteState.Active, h.Jobs.Succeeded);
    }

    [Fact]
    public async Task A_renewal_answering_false_cancels_the_running_step_and_records_nothing_more()
    {
        var h = new RunnerHarness(Recipes.ResumeSite);
        h.Jobs.RenewLease = _ => false;
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        h.Set(new ScriptedStep(EnableLogin, async (_, ct) =>
        {
            started.SetResult();
            await Task.Delay(Timeout.Infinite, ct);
            return StepResult.Ok("never");
        }));
        var job = TestData.Job(Recipes.ResumeSite, h.Site);

        var run = h.RunAsync(job);
        await started.Task.WaitAsync(Patience);
        h.Time.Advance(h.Options.Lease / 3);
        var escaped = await Record.ExceptionAsync(() => run.WaitAsync(Patience));

        Assert.Null(escaped);
        Assert.Equal(1, h.Jobs.Renewals);
        Assert.Empty(h.Jobs.StepsFinished);
        Assert.Empty(h.Step(StartRuntime).Runs);
        Assert.Null(h.Jobs.Failure);
        Assert.Null(h.Jobs.Succeeded);
        Assert.Null(h.Jobs.Wait);
    }

    [Fact]
    public async Task A_renewal_that_throws_is_not_fatal()
    {
        var h = new RunnerHarness(Recipes.ResumeSite);
        h.Jobs.RenewThrows = n => n == 1 ? new InvalidOperationException("connection reset") : null;
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        h.Set(new ScriptedStep(EnableLogin, async (_, ct) =>
        {
            started.SetResult();
            await release.Task.WaitAsync(ct);
            return StepResult.Ok("login enabled");
        }));
        var job = TestData.Job(Recipes.ResumeSite, h.Site);

        var run = h.RunAsync(job);
        await started.Task.WaitAsync(Patience);
        h.Time.Advance(h.Options.Lease / 3);
        await WaitUntil(() => h.Jobs.Renewals == 1);
        await AdvanceUntil(h, () => h.Jobs.Renewals >= 2);
        release.SetResult();
        await run.WaitAsync(Patience);

        Assert.True(h.Jobs.Renewals >= 2);
        Assert.Equal(SiteState.Active, h.Jobs.Succeeded);
        Assert.Equal(Recipes.ResumeSite.Steps.Count, h.Jobs.StepsFinished.Count);
    }

    [Fact]
    public async Task Renewals_failing_for_a_whole_lease_period_stop_the_running_step_and_record_nothing_more()
    {
        var h = new RunnerHarness(Recipes.ResumeSite);
        h.Options.Lease = TimeSpan.FromSeconds(30);
        h.Jobs.RenewThrows = _ => new InvalidOperationException("connection refused");
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var cancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        h.Set(new ScriptedStep(EnableLogin, async (_, ct) =>
        {
            started.SetResult();
            try { await Task.Delay(Timeout.Infinite, ct); }
            finally { cancelled.SetResult(); }
            return StepResult.Ok("never");
        }));
        var job = TestData.Job(Recipes.ResumeSite, h.Site);

        var run = h.RunAsync(job);
        await started.Task.WaitAsync(Patience);
        // Renewals fail, but the lease (30 s from the run's start) may still be ours: the step goes on.
        await AdvanceTo(h, TimeSpan.FromSeconds(29.5));
        Assert.True(h.Jobs.Renewals >= 2, $"{h.Jobs.Renewals} renewal(s) tried");
        Assert.False(cancelled.Task.IsCompleted, "the step was stopped while the lease could still be ours");
        // A whole lease period without a renewal: another worker may hold the job by now. Stop, do not run on blind.
        await AdvanceTo(h, TimeSpan.FromSeconds(30.5));
        await cancelled.Task.WaitAsync(Patience);
        var escaped = await Record.ExceptionAsync(() => run.WaitAsync(Patience));

        Assert.Null(escaped);
        Assert.Empty(h.Jobs.StepsFinished);
        Assert.Empty(h.Step(StartRuntime).Runs);
        Assert.Null(h.Jobs.Failure);
        Assert.Null(h.Jobs.Succeeded);
        Assert.Null(h.Jobs.Wait);
    }

    [Fact]
    public async Task Stopping_the_worker_during_a_step_ends_the_run_with_cancellation_and_no_outcome()
    {
        var h = new RunnerHarness(Recipes.ResumeSite);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        h.Set(new ScriptedStep(EnableLogin, async (_, ct) =>
        {
            started.SetResult();
            await Task.Delay(Timeout.Infinite, ct);
            return StepResult.Ok("never");
        }));
        var job = TestData.Job(Recipes.ResumeSite, h.Site);
        using var stopping = new CancellationTokenSource();

        var run = h.RunAsync(job, stopping.Token);
        await started.Task.WaitAsync(Patience);
        await stopping.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run.WaitAsync(Patience));
        Assert.Empty(h.Jobs.StepsFinished);
        Assert.Null(h.Jobs.Failure);
        Assert.Null(h.Jobs.Succeeded);
    }

    [Fact]
    public async Task CrashTestPauseAfterStep_holds_the_run_after_the_effect_and_before_its_success_is_recorded()
    {
        var h = new RunnerHarness(Recipes.NewSite);
        h.Options.CrashTestPauseAfterStep = CreateSchema;
        var effectDone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        h.Set(new ScriptedStep(CreateSchema, (_, _) =>
        {
            effectDone.SetResult();
            return Task.FromResult(StepResult.Ok("schema created"));
        }));
        var job = TestData.Job(Recipes.NewSite, h.Site);
        using var stopping = new CancellationTokenSource();

        var run = h.RunAsync(job, stopping.Token);
        await effectDone.Task.WaitAsync(Patience);
        var finishedFirst = await Task.WhenAny(run, Task.Delay(TimeSpan.FromMilliseconds(300)));
        Assert.NotSame(run, finishedFirst);
        Assert.False(run.IsCompleted);

        await stopping.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run.WaitAsync(Patience));

        Assert.Equal([new FakeJobStore.StepFinished(1, StepState.Succeeded, $"{CreateRole} ok", null)], h.Jobs.StepsFinished);
        Assert.DoesNotContain("StepFinishedAsync:2", h.Jobs.Calls);
        Assert.Empty(h.Step(ConfigureRole).Runs);
        Assert.Null(h.Jobs.Succeeded);
        Assert.Null(h.Jobs.Failure);
    }

    [Fact]
    public async Task CrashTestPauseAfterStep_naming_another_step_does_not_pause()
    {
        var h = new RunnerHarness(Recipes.ResumeSite);
        h.Options.CrashTestPauseAfterStep = CreateSchema;
        var job = TestData.Job(Recipes.ResumeSite, h.Site);

        await h.RunAsync(job).WaitAsync(Patience);

        Assert.Equal(SiteState.Active, h.Jobs.Succeeded);
    }

    /// <summary>
    /// Advances fake time a renewal period at a time until <paramref name="condition"/> holds. The heartbeat arms its
    /// next timer just after a renewal returns, so one advance may land before it is armed; the next one then fires it.
    /// </summary>
    private static async Task AdvanceUntil(RunnerHarness h, Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("condition not met in time");
            h.Time.Advance(h.Options.Lease / 3);
            await Task.Delay(20);
        }
    }

    /// <summary>Moves fake time forward in small steps to <paramref name="sinceStart"/> after the harness's start time,
    /// letting the heartbeat's timers and continuations run in between.</summary>
    private static async Task AdvanceTo(RunnerHarness h, TimeSpan sinceStart)
    {
        while (h.Time.GetUtcNow() < TestData.Now + sinceStart)
        {
            var step = TimeSpan.FromMilliseconds(250);
            var left = TestData.Now + sinceStart - h.Time.GetUtcNow();
            h.Time.Advance(left < step ? left : step);
            await Task.Delay(5);
        }
        await Task.Delay(50);
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("condition not met in time");
            await Task.Delay(10);
        }
    }
}
