using Press.Core.Jobs;
using Press.EndToEnd.Tests.Harness;
using Press.Testing;

namespace Press.EndToEnd.Tests.Runtime;

/// <summary>
/// A site served before each site had its own Redis: its runner mounts no Redis and is not locked down. Suspending and
/// resuming it (the upgrade path) rewrites its site_config and replaces the runner with today's, data kept.
/// </summary>
[Collection(SiteRuntimeCollection.Name)]
public sealed class DockerUpgradeTests(DockerStackFixture fixture) : IClassFixture<DockerStackFixture>
{
    private RuntimeStack Stack => fixture.Stack;

    [Fact]
    public async Task Resume_replaces_a_runner_made_without_its_own_Redis_and_the_site_is_served_from_it()
    {
        var name = Stack.SiteName("upgrade");
        var container = RuntimeStack.ContainerOf(name);
        var created = await Stack.CreateSiteAsync(name);
        Stack.AssertAllStepsSucceeded(created, Recipes.NewSite);
        var port = RuntimeStack.AllocatedPort(created);
        Stack.AssertAllStepsSucceeded(await Stack.SuspendAsync(name), Recipes.SuspendSite);

        // The runner as the previous release made it: the site's volume only, writable root, default capabilities.
        await TestEngine.RunOkAsync("rm", "-f", container);
        await TestEngine.RunOkAsync("create", "--name", container, "--network", "host", "--label", "press.managed=true",
            "--label", $"press.site={name}", "-v", $"{container}:{SiteFiles.BenchFolder}/sites/{name}", TestServices.DoubleImage,
            $"{SiteFiles.BenchFolder}/env/bin/gunicorn", $"--chdir={SiteFiles.BenchFolder}/sites", $"--bind=127.0.0.1:{port}");

        var resumed = await Stack.ResumeAsync(name);
        Stack.AssertAllStepsSucceeded(resumed, Recipes.ResumeSite);
        Assert.Contains($"removed {container} (created without its own Redis)", resumed.Step(StepNames.WriteSiteConfig).Output);

        var runner = await TestEngine.InspectAsync(container) ?? throw new Xunit.Sdk.XunitException($"no {container}");
        Assert.True(runner.GetProperty("HostConfig").GetProperty("ReadonlyRootfs").GetBoolean());
        Assert.Contains(runner.GetProperty("Mounts").EnumerateArray(), m => m.GetProperty("Name").GetString() == RuntimeStack.RedisContainerOf(name));
        Assert.True((await FrappeProbe.PingAsync(name, port)).IsPong);
        Assert.Equal("PONG", await RunnerRedis.CliAsync(name, "ping"));
        Assert.Equal("Active", (await Stack.GetSiteAsync(name)).State);
    }
}
