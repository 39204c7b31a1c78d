using System.Net;
using Press.Core.Jobs;
using Press.EndToEnd.Tests.Harness;

namespace Press.EndToEnd.Tests.Runtime;

/// <summary>
/// The reconciler and running jobs: a suspend that has stopped the runner is not undone by a worker's start-up pass
/// (the site is still Active while its suspend runs, so "Active and not running" alone would restart it).
/// </summary>
[Collection(SiteRuntimeCollection.Name)]
public sealed class DockerReconcileJobsTests(DockerStackFixture fixture) : IClassFixture<DockerStackFixture>
{
    private RuntimeStack Stack => fixture.Stack;

    [Fact]
    public async Task A_worker_starting_mid_suspend_leaves_the_stopped_runner_alone_and_the_suspend_ends_with_it_stopped()
    {
        var name = Stack.SiteName("midsuspend");
        var container = RuntimeStack.ContainerOf(name);
        var created = await Stack.CreateSiteAsync(name);
        Stack.AssertAllStepsSucceeded(created, Recipes.NewSite);
        var port = RuntimeStack.AllocatedPort(created);

        // A worker that stops right after stop-runtime has run (before recording it; its lease short, so the next
        // worker resumes soon and runs the idempotent step again).
        await Stack.Worker.KillAsync();
        var paused = await Stack.Scene.StartWorkerAsync(Stack.Db, "paused-after-stop",
            new Dictionary<string, string?>(Stack.Settings)
                .Concat(PressProcess.FastWorker(pauseAfterStep: StepNames.StopRuntime, lease: TimeSpan.FromSeconds(5)))
                .ToDictionary(p => p.Key, p => p.Value));
        var response = await Stack.Admin.PostAsync($"/api/sites/{name}/suspend");
        Assert.True(response.Status == HttpStatusCode.Accepted, response.ToString());
        var jobId = response.As<JobView>().Id;
        await Stack.Api.WaitForJobAsync(jobId, RuntimeStack.JobTimeout, Stack.Describe,
            j => j.Steps.Any(s => s.Name == StepNames.StopRuntime && s.State == "Running"));
        await FrappeProbe.UntilRefusedAsync(port, TimeSpan.FromSeconds(20), Stack.Describe);
        await paused.KillAsync();

        // The new worker reconciles at start, while the suspend job is still in progress (its lease not yet expired).
        // Whether the runner answers at any moment until the job ends is what is watched.
        using var done = new CancellationTokenSource();
        var answered = Task.Run(async () =>
        {
            while (!done.IsCancellationRequested)
            {
                if (!await FrappeProbe.RefusedAsync(port)) return true;
                await Task.Delay(200);
            }
            return false;
        });
        var worker = await Stack.StartWorkerAsync();
        var job = await Stack.Api.WaitForJobAsync(jobId, RuntimeStack.JobTimeout, Stack.Describe);
        await done.CancelAsync();
        Assert.False(await answered, $"{name}'s runner answered on 127.0.0.1:{port} during its suspend{Stack.Describe()}");
        Assert.True(job.State == "Succeeded", $"{job.Describe()}{RuntimeStack.StepDetails(job)}{Stack.Describe()}");
        Assert.Equal("Suspended", (await Stack.GetSiteAsync(name)).State);

        var state = await TestEngine.InspectAsync(container) ?? throw new Xunit.Sdk.XunitException($"no container {container}");
        Assert.False(state.GetProperty("State").GetProperty("Running").GetBoolean(),
            $"{container} runs again although its site is Suspended: the reconciler restarted it during the suspend{Stack.Describe()}");
        Assert.True(worker.Log.Find(l => l.Contains($"Reconcile: runner of {name} was not running")) is null,
            $"the worker started {name}'s runner during its suspend{Stack.Describe()}");
        Assert.True(worker.Log.Find(l => l.Contains($"Reconcile: runner of {name} is left stopped")) is not null,
            $"the worker did not say why it left {name}'s runner stopped{Stack.Describe()}");
    }
}
