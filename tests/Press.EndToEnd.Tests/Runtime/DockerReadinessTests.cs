using System.Net;
using System.Text.Json;
using Press.Core.Jobs;
using Press.EndToEnd.Tests.Harness;
using Press.Testing;

namespace Press.EndToEnd.Tests.Runtime;

/// <summary>/readyz tells whether the Docker runtime can serve sites; a missing runner image fails a new site loudly and retryably.</summary>
[Collection(SiteRuntimeCollection.Name)]
public sealed class DockerReadinessTests(DockerStackFixture fixture) : IClassFixture<DockerStackFixture>
{
    private RuntimeStack Stack => fixture.Stack;

    private static async Task<(HttpStatusCode Status, JsonElement Runtime, string Body)> ReadyAsync(PressProcess program)
    {
        var (status, body) = await program.GetAsync("/readyz");
        using var doc = JsonDocument.Parse(body);
        return (status, doc.RootElement.GetProperty("checks").GetProperty("runtime").Clone(), body);
    }

    [Fact]
    public async Task Readyz_names_the_docker_runtime_and_a_missing_image_fails_new_sites_until_the_image_setting_is_fixed()
    {
        var image = TestServices.DoubleImage;
        foreach (var program in new[] { Stack.Manager, Stack.Worker })
        {
            var (status, runtime, body) = await ReadyAsync(program);
            Assert.True(status == HttpStatusCode.OK, $"{program.Name} /readyz: {(int)status} {body}");
            Assert.Equal("Healthy", runtime.GetProperty("status").GetString());
            var detail = runtime.GetProperty("detail").GetString()!;
            Assert.StartsWith("runtime 'docker'", detail);
            Assert.Contains($"image {image} present", detail);
        }

        // The same installation, now with programs whose runner image is not on the engine. Only they may work on jobs.
        await Stack.Worker.KillAsync();
        var missing = $"fcs-press-missing-{Stack.Db.Suffix}:none";
        var settings = RuntimeStack.DockerSettings(missing);
        var manager = await Stack.Scene.StartManagerAsync(Stack.Db, "manager-missing-image", settings, PressProcess.LivePath);
        var worker = await Stack.Scene.StartWorkerAsync(Stack.Db, "worker-missing-image",
            new Dictionary<string, string?>(settings.Concat(PressProcess.FastWorker(lease: TimeSpan.FromSeconds(30)))), PressProcess.LivePath);

        foreach (var program in new[] { manager, worker })
        {
            var (status, runtime, body) = await ReadyAsync(program);
            Assert.True(status == HttpStatusCode.ServiceUnavailable, $"{program.Name} /readyz: {(int)status} {body}");
            Assert.Equal("Unhealthy", runtime.GetProperty("status").GetString());
            Assert.Contains(missing, runtime.GetProperty("detail").GetString());
        }

        using var api = await PressApi.LoginAsync(manager.BaseUrl, Stack.Db.AdminPassword);
        using var admin = new ApiClient(manager.BaseUrl, api.Token);
        var name = Stack.SiteName("noimage");
        var queued = await api.CreateSiteAsync(name);
        var failed = await api.WaitForJobAsync(queued.Id, RuntimeStack.JobTimeout, Stack.Describe);
        var context = failed.Describe() + RuntimeStack.StepDetails(failed) + Stack.Describe();
        Assert.True(failed.State == "Failed", context);
        // The first step that needs the image: the Docker driver creates the runner to write site_config.json into its volume.
        Assert.True(failed.FailedStep == StepNames.WriteSiteConfig, context);
        Assert.Contains($"runner image '{missing}' is not present", failed.Error);
        Assert.Equal("Failed", failed.Step(StepNames.WriteSiteConfig).State);
        foreach (var later in new[] { StepNames.StartRuntime, StepNames.InstallSite, StepNames.WaitHealthy })
            Assert.Equal("Pending", failed.Step(later).State);
        Assert.Equal("Broken", (await Stack.GetSiteAsync(name)).State);
        Assert.Null(await TestEngine.InspectAsync(RuntimeStack.ContainerOf(name)));

        // Fix the image through the runtime setting: readiness recovers and the failed job, retried, finishes the site.
        var set = await admin.SendAsync(HttpMethod.Put, "/api/settings/runtime.image", new { value = image });
        Assert.True(set.Status == HttpStatusCode.OK, set.ToString());
        var (readyStatus, _, readyBody) = await ReadyAsync(manager);
        Assert.True(readyStatus == HttpStatusCode.OK, $"/readyz after setting runtime.image: {readyBody}");

        var retry = await admin.PostAsync($"/api/jobs/{failed.Id}/retry");
        Assert.True(retry.Status == HttpStatusCode.Accepted, retry.ToString());
        var done = await api.WaitForJobAsync(failed.Id, RuntimeStack.JobTimeout, Stack.Describe);
        Stack.AssertAllStepsSucceeded(done, Recipes.NewSite);
        Assert.Equal(1, done.Step(StepNames.CreateRole).Attempts); // resumed at the failed step, not from the start
        Assert.Equal("Active", (await Stack.GetSiteAsync(name)).State);
        var pong = await FrappeProbe.PingAsync(name, RuntimeStack.AllocatedPort(done));
        Assert.True(pong.IsPong, $"{pong}{Stack.Describe()}");
    }
}
