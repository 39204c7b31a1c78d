using System.Net;
using Press.Core.Jobs;
using Press.EndToEnd.Tests.Harness;
using Press.Testing;

namespace Press.EndToEnd.Tests.Runtime;

/// <summary>The worker's start-up reconcile: runners of Active sites run again; stray Press containers are reported, never deleted.</summary>
[Collection(SiteRuntimeCollection.Name)]
public sealed class DockerReconcileTests(DockerStackFixture fixture) : IClassFixture<DockerStackFixture>
{
    private RuntimeStack Stack => fixture.Stack;

    [Fact]
    public async Task A_restarted_worker_starts_stopped_runners_of_active_sites_and_reports_a_stray_container_without_deleting_it()
    {
        var name = Stack.SiteName("recon");
        var container = RuntimeStack.ContainerOf(name);
        var job = await Stack.CreateSiteAsync(name);
        Stack.AssertAllStepsSucceeded(job, Recipes.NewSite);
        var port = RuntimeStack.AllocatedPort(job);

        // A manual stop: the restart policy (unless-stopped) does not bring it back.
        await TestEngine.RunOkAsync("stop", "--time", "10", container);
        await FrappeProbe.UntilRefusedAsync(port, TimeSpan.FromSeconds(10), Stack.Describe);
        await Task.Delay(TimeSpan.FromSeconds(1));
        var stopped = await TestEngine.InspectAsync(container) ?? throw new Xunit.Sdk.XunitException("no container");
        Assert.False(stopped.GetProperty("State").GetProperty("Running").GetBoolean(), "docker stop did not stop it");

        // A container with Press's label that belongs to no site of this installation.
        var ghost = $"fcs-press-site-ghost-{Stack.Db.Suffix}.example";
        Stack.TrackContainer(ghost);
        await TestEngine.RunOkAsync("create", "--label", "press.managed=true", "--label", $"press.site=ghost-{Stack.Db.Suffix}.example",
            "--name", ghost, "--network", "host", TestServices.DoubleImage, "sleep", "1");

        var worker = await Stack.RestartWorkerAsync();

        await FrappeProbe.UntilPongAsync(name, port, TimeSpan.FromSeconds(30), () => TestEngine.DescribeLogs(container) + Stack.Describe());
        var running = await TestEngine.InspectAsync(container) ?? throw new Xunit.Sdk.XunitException("no container");
        Assert.True(running.GetProperty("State").GetProperty("Running").GetBoolean());
        Assert.True(worker.Log.Find(l => l.Contains($"Reconcile: runner of {name} was not running")) is not null,
            $"the worker did not log that it started {name}'s runner{Stack.Describe()}");

        var metrics = await Eventually.Until(async () =>
            {
                var (status, body) = await worker.GetAsync("/metrics");
                return status == HttpStatusCode.OK ? body : $"(HTTP {(int)status})";
            },
            body => Exposition.Value(body, "press_runtime_stray_runners") == "1", TimeSpan.FromSeconds(20),
            "the worker's metric press_runtime_stray_runners 1", Stack.Describe, TimeSpan.FromMilliseconds(250));
        Assert.Equal("1", Exposition.Value(metrics, "press_runtime_stray_runners"));
        // The pass that found the runner stopped (and started it) says so: the RunnerDown alert reads this series.
        Assert.Equal("1", Exposition.Value(metrics, "press_runners_down"));

        Assert.NotNull(await TestEngine.InspectAsync(ghost)); // reported, never deleted
        var warning = worker.Log.Find(l => l.Contains($"container {ghost} carries Press's label but belongs to no live site"));
        Assert.True(warning is not null, $"the worker did not log the stray container {ghost}{Stack.Describe()}");
        Assert.Equal("Active", (await Stack.GetSiteAsync(name)).State);
    }
}
