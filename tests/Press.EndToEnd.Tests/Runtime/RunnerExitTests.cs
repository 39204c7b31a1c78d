using Press.Core.Jobs;
using Press.EndToEnd.Tests.Harness;
using Press.Testing;

namespace Press.EndToEnd.Tests.Runtime;

/// <summary>
/// Fail fast: a runner that exits as it starts fails wait-healthy at once with its last log lines, instead of waiting
/// out the health timeout (one minute in these stacks). The Frappe test double exits at start while its test hook's
/// marker file is in a site folder (tests/Press.FrappeDouble/README.md, "Test hooks").
/// </summary>
public static class RunnerExit
{
    public const string Marker = "frappe-test-double-exit-at-start";

    /// <summary>Suspends the active site, plants the marker, resumes: the resume's runner exits at start.</summary>
    public static async Task<JobView> ResumeIntoExitingRunnerAsync(RuntimeStack stack, string name, Func<Task> plantMarker)
    {
        stack.AssertAllStepsSucceeded(await stack.CreateSiteAsync(name), Recipes.NewSite);
        stack.AssertAllStepsSucceeded(await stack.SuspendAsync(name), Recipes.SuspendSite);
        await plantMarker();
        return await stack.ResumeAsync(name);
    }

    public static void AssertFailedFastWithLogs(RuntimeStack stack, JobView resume)
    {
        var context = resume.Describe() + RuntimeStack.StepDetails(resume) + stack.Describe();
        Assert.True(resume.State == "Failed", context);
        Assert.Equal(StepNames.WaitHealthy, resume.FailedStep);
        var step = resume.Step(StepNames.WaitHealthy);
        Assert.Equal("Failed", step.State);
        Assert.StartsWith("the runner exited: ", step.Error);
        Assert.Contains("log lines:\n", step.Error);
        Assert.Contains($"frappe-test-double: exiting at start (test hook ", step.Error);
        // Probed every 0.5 s for at most a minute: a handful of probes, not a hundred and twenty.
        Assert.True(step.Attempts <= 10, $"wait-healthy probed {step.Attempts} times before failing{context}");
        Assert.True(resume.FinishedAt - resume.StartedAt < TimeSpan.FromSeconds(30), $"the resume took {resume.FinishedAt - resume.StartedAt}{context}");
    }
}

[Collection(SiteRuntimeCollection.Name)]
public sealed class ProcessRunnerExitTests(ProcessStackFixture fixture) : IClassFixture<ProcessStackFixture>
{
    [Fact]
    public async Task A_bench_serve_that_exits_at_start_fails_wait_healthy_in_seconds_with_its_log_lines()
    {
        var stack = fixture.Stack;
        var name = stack.SiteName("exit");
        var marker = Path.Combine(ProcessRunners.SiteFolder(stack.BenchFolder!, name), RunnerExit.Marker);
        try
        {
            var resume = await RunnerExit.ResumeIntoExitingRunnerAsync(stack, name, () => File.WriteAllTextAsync(marker, "test"));

            RunnerExit.AssertFailedFastWithLogs(stack, resume);
            Assert.Contains($" of {name} is not running (log ", resume.Step(StepNames.WaitHealthy).Error);

            // The cause fixed, a retry starts the runner again (a process has no supervisor) and the site comes back.
            File.Delete(marker);
            var retried = await stack.RunJobAsync(HttpMethod.Post, $"/api/jobs/{resume.Id}/retry");
            stack.AssertAllStepsSucceeded(retried, Recipes.ResumeSite);
            Assert.Equal("Active", (await stack.GetSiteAsync(name)).State);
        }
        finally
        {
            File.Delete(marker); // the hook applies to every runner of this bench folder
        }
    }
}

[Collection(SiteRuntimeCollection.Name)]
public sealed class DockerRunnerExitTests(DockerStackFixture fixture) : IClassFixture<DockerStackFixture>
{
    [Fact]
    public async Task A_runner_container_that_exits_at_start_fails_wait_healthy_in_seconds_with_its_log_lines()
    {
        var stack = fixture.Stack;
        var name = stack.SiteName("exit");
        var container = RuntimeStack.ContainerOf(name);
        // Planted through a helper container on the site's volume: the runner is stopped by then.
        var resume = await RunnerExit.ResumeIntoExitingRunnerAsync(stack, name, async () =>
        {
            var touch = await TestEngine.RunAsync(["run", "--rm", "--network", "none", "-v", $"{container}:/site", "--user", "1000:1000",
                "--entrypoint", "touch", TestServices.DoubleImage, $"/site/{RunnerExit.Marker}"]);
            Assert.True(touch.ExitCode == 0, $"cannot plant the marker: {touch}");
        });

        RunnerExit.AssertFailedFastWithLogs(stack, resume);
        Assert.Contains($"container {container} ", resume.Step(StepNames.WaitHealthy).Error);
    }
}
