using Press.Core.Jobs;
using Press.EndToEnd.Tests.Harness;

namespace Press.EndToEnd.Tests;

/// <summary>
/// A step that kills its worker every time (out of memory, a crash in a tool): after three workers died in it without
/// recording anything, the next worker fails the job naming the reason instead of running the step again forever.
/// </summary>
public sealed class RepeatedCrashTests(ManagerFixture stack) : IClassFixture<ManagerFixture>
{
    private const int Deaths = 3; // Press:Jobs:MaxAbandonedClaims's default

    [Fact]
    public async Task A_job_whose_worker_died_three_times_in_the_same_step_fails_naming_the_reason()
    {
        await using var scene = new Scene(stack.Manager);
        const string site = "dies.repeat.test";
        const string step = StepNames.CreateRole; // the first step: no outcome is recorded before the worker dies
        var queued = await stack.Api.CreateSiteAsync(site);

        for (var death = 1; death <= Deaths; death++)
        {
            var doomed = await scene.StartWorkerAsync(stack.Db, $"worker-{death}(dies in {step})", PressProcess.FastWorker(step));
            await Crash.WaitForPauseAsync(doomed, queued.Id, step, scene);
            await doomed.KillAsync();
        }
        var last = await scene.StartWorkerAsync(stack.Db, "worker-last", PressProcess.FastWorker());
        var job = await stack.Api.WaitForJobAsync(queued.Id, Crash.JobTimeout, scene.Describe);
        var context = job.Describe() + scene.Describe();

        Assert.True(job.State == "Failed" && job.FailedStep == step, "expected the job to fail at the step: " + context);
        Assert.True(job.Error?.Contains($"{Deaths} times", StringComparison.Ordinal) == true, context);
        Assert.Contains("MaxAbandonedClaims", job.Error);
        // Run by the three workers that died; the fourth did not run it again.
        Assert.Equal(Deaths, job.Step(step).Attempts);
        Assert.Equal("Failed", job.Step(step).State);
        Assert.All(job.Steps.Where(s => s.Name != step), s => Assert.Equal(0, s.Attempts));
        Assert.Equal("Broken", (await stack.Api.GetSiteAsync(site)).State);
        Assert.NotNull(last.Log.Find(l => l.Contains($"Job {queued.Id}") && l.Contains("gave up")));
    }
}
