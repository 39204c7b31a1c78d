using System.Net;
using System.Text.Json;
using Press.Core.Jobs;
using Press.EndToEnd.Tests.Harness;

namespace Press.EndToEnd.Tests.Runtime;

/// <summary>
/// The standby pool on the Docker driver (docs/architecture.md §17) with the Frappe test double's image: a claimed
/// standby keeps the containers and volumes of its opaque name and is served under the requested name. One scenario,
/// one claim, to keep the engine's time small: the fill, a claim whose worker is SIGKILLed right after rename-site,
/// the site through the proxy with its workers, the refill, suspend/resume with its files, a backup and restore, and
/// delete+purge. The step logic of claims (fall-back included) is covered on the process driver
/// (<see cref="StandbyPoolTests"/>).
/// </summary>
[Collection(SiteRuntimeCollection.Name)]
public sealed class DockerStandbyTests(DockerStandbyTests.Fixture fixture) : IClassFixture<DockerStandbyTests.Fixture>
{
    public sealed class Fixture : IAsyncLifetime
    {
        private RuntimeStack? _stack;
        public RuntimeStack Stack => _stack ?? throw new InvalidOperationException("fixture not initialised");

        public async Task InitializeAsync()
        {
            _stack = await RuntimeStack.StartDockerAsync(proxy: true, extra: new Dictionary<string, string?>
            {
                ["Press:Worker:StandbyRefillInterval"] = "00:00:01",
            });
            var set = await _stack.Admin.SendAsync(HttpMethod.Put, "/api/settings/standby.size", new { value = "1" });
            Assert.True(set.Status == HttpStatusCode.OK, set.ToString());
        }

        public async Task DisposeAsync()
        {
            if (_stack is { } stack) await stack.DisposeAsync();
        }
    }

    private static readonly TimeSpan PoolTimeout = TimeSpan.FromSeconds(180);

    /// <summary>A claim starts and probes six containers and runs bench twice: on a shared, loaded engine it takes long,
    /// and <see cref="RuntimeStack.JobTimeout"/> (a hang guard, 180 s) is what it may take.</summary>
    private static readonly TimeSpan JobTimeout = RuntimeStack.JobTimeout;

    private async Task<JobView> RunJobAsync(HttpMethod method, string path, object? body = null)
    {
        var response = await Stack.Admin.SendAsync(method, path, body);
        Assert.True(response.Status == HttpStatusCode.Accepted, $"{method} {path}: expected 202, got {response}{Stack.Describe()}");
        return await Stack.Api.WaitForJobAsync(response.As<JobView>().Id, JobTimeout, Stack.Describe);
    }
    private static readonly HttpClient Http = new(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(10) };
    private RuntimeStack Stack => fixture.Stack;
    private int Proxy => Stack.ProxyPort ?? throw new InvalidOperationException("the stack runs no proxy");

    private sealed record StandbySiteView(string Name, string Apps, string State, string PoolState);
    private sealed record PoolView(int Target, bool Enabled, string? Reason, List<StandbySiteView> Sites);

    private async Task<PoolView> PoolAsync()
    {
        var response = await Stack.Admin.GetAsync("/api/standby");
        Assert.True(response.Status == HttpStatusCode.OK, response.ToString());
        return response.As<PoolView>();
    }

    private static async Task<JsonElement> InspectAsync(string container) =>
        await TestEngine.InspectAsync(container) ?? throw new Xunit.Sdk.XunitException($"container {container} does not exist\n{TestEngine.DescribeManaged()}");

    private static string Label(JsonElement container, string label) => container.GetProperty("Config").GetProperty("Labels").GetProperty(label).GetString()!;

    private static bool Running(JsonElement container) => container.GetProperty("State").GetProperty("Running").GetBoolean();

    /// <summary>A shell in the runner as the bench user; fails unless it exits 0; stdout trimmed.</summary>
    private static async Task<string> InRunnerAsync(string runner, string script)
    {
        var result = await TestEngine.ExecAsync(runner, "sh", "-c", script);
        Assert.True(result.ExitCode == 0, $"sh -c '{script}' in {runner}: {result}");
        return result.Stdout.Trim();
    }

    [Fact]
    public async Task A_claimed_standby_keeps_its_runtime_names_answers_under_the_new_name_and_lives_through_suspend_resume_and_purge()
    {
        // The pool fills: a standby made by an ordinary NewSite job, its runtime named after its opaque name.
        var pool = await Eventually.Until(PoolAsync, p => p.Sites.Any(s => s.PoolState == "ready"), PoolTimeout, "a ready standby", Stack.Describe);
        Assert.True(pool.Enabled, $"the pool is not kept with the docker driver: {pool.Reason}");
        var standby = pool.Sites.Single(s => s.PoolState == "ready").Name;
        var runner = RuntimeStack.ContainerOf(standby);
        Assert.Equal(standby, Label(await InspectAsync(runner), "press.site"));

        // The claim, with its worker SIGKILLed after rename-site (its effect done, its success not recorded).
        await Stack.Worker.KillAsync();
        var pausing = await Stack.StartWorkerAsync(PressProcess.FastWorker(pauseAfterStep: StepNames.RenameSite, lease: TimeSpan.FromSeconds(3)));
        var name = Stack.SiteName("claimed");
        var queued = await Stack.Api.CreateSiteAsync(name);
        Assert.True(queued.Kind == nameof(JobKind.ClaimStandby), $"expected a claim: {queued.Describe()}");
        await Crash.WaitForPauseAsync(pausing, queued.Id, StepNames.RenameSite, Stack.Scene);
        Assert.Null(await TestEngine.InspectAsync(runner)); // the standby's containers are gone, made anew for the name at start
        Assert.False(await TestEngine.VolumeExistsAsync(RuntimeStack.RedisContainerOf(standby)), "the standby's Redis data was not dropped");
        Assert.True(await TestEngine.VolumeExistsAsync(runner), $"the standby's files (volume {runner}) are gone");
        await pausing.KillAsync();
        await Stack.StartWorkerAsync();
        var claim = await Stack.Api.WaitForJobAsync(queued.Id, JobTimeout, Stack.Describe);
        Crash.AssertResumedAt(claim, StepNames.RenameSite, Stack.Describe);
        Assert.StartsWith("already renamed", claim.Step(StepNames.RenameSite).Output, StringComparison.Ordinal);
        Assert.Equal("Succeeded", claim.Step(StepNames.RotateAdminPassword).State);

        // Served under the new name through the proxy, by the containers of the standby's name made for the new one; no
        // container of the new name exists.
        Assert.True((await FrappeProbe.UntilPongAsync(name, Proxy, TimeSpan.FromSeconds(60), Stack.Describe)).IsPong);
        Assert.Equal(404, (await FrappeProbe.PingAsync(standby, Proxy)).Status);
        Assert.Null(await TestEngine.InspectAsync(RuntimeStack.ContainerOf(name)));
        foreach (var container in (string[])[runner, RuntimeStack.RedisContainerOf(standby), .. RuntimeStack.BackgroundContainersOf(standby)])
        {
            var inspected = await InspectAsync(container);
            Assert.True(Running(inspected), $"{container} is not running{Stack.Describe()}");
            Assert.Equal(name, Label(inspected, "press.site"));
        }
        var folder = $"{SiteFiles.BenchFolder}/sites/{name}";
        var config = JsonDocument.Parse(await InRunnerAsync(runner, $"cat {folder}/site_config.json")).RootElement;
        Assert.StartsWith($"http://{name}", config.GetProperty("host_name").GetString());
        Assert.Equal("no", await InRunnerAsync(runner, $"if [ -e {SiteFiles.BenchFolder}/sites/{standby} ]; then echo yes; else echo no; fi"));
        Assert.Equal("Active", (await Stack.GetSiteAsync(name)).State);

        // Its worker runs a job a request through the proxy enqueues, for the new name; socket.io answers there too.
        using (var enqueue = new HttpRequestMessage(HttpMethod.Post, $"http://127.0.0.1:{Proxy}/api/method/frappe_test_double.enqueue?queue=short"))
        {
            enqueue.Headers.Host = name;
            using var response = await Http.SendAsync(enqueue);
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"enqueue on {name}: {(int)response.StatusCode} {body}{Stack.Describe()}");
            var id = JsonDocument.Parse(body).RootElement.GetProperty("message").GetProperty("job_id").GetString()!;
            var status = await Eventually.Until(() => InRunnerAsync(runner, $"redis-cli -s {SiteFiles.RedisSocketInRunner} -n 1 hget rq:job:{id} status"),
                s => s is "finished" or "failed", TimeSpan.FromSeconds(90), $"job {id} of {name} to be run by its worker", Stack.Describe);
            Assert.Equal("finished", status);
        }
        var socketIo = await Eventually.Until(async () =>
        {
            using var handshake = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{Proxy}/socket.io/?EIO=4&transport=polling");
            handshake.Headers.Host = name;
            using var response = await Http.SendAsync(handshake);
            return (response.StatusCode, Body: await response.Content.ReadAsStringAsync());
        }, r => r.StatusCode == HttpStatusCode.OK, TimeSpan.FromSeconds(60), $"socket.io of {name} through the proxy", Stack.Describe);
        Assert.StartsWith("0{\"sid\":", socketIo.Body);

        // The pool refills under a new opaque name.
        var refilled = await Eventually.Until(PoolAsync, p => p.Sites.Any(s => s.PoolState == "ready"), PoolTimeout, "the pool to refill", Stack.Describe);
        Assert.DoesNotContain(refilled.Sites, s => s.Name == standby);

        // A file of the site survives suspend and resume (the same volume, mounted at the new name's folder again).
        await InRunnerAsync(runner, $"mkdir -p {folder}/private/files && echo kept > {folder}/private/files/e2e-note.txt");
        Stack.AssertAllStepsSucceeded(await RunJobAsync(HttpMethod.Post, $"/api/sites/{name}/suspend"), Recipes.SuspendSite);
        Assert.False(Running(await InspectAsync(runner)), $"{runner} still runs after suspend{Stack.Describe()}");
        Stack.AssertAllStepsSucceeded(await RunJobAsync(HttpMethod.Post, $"/api/sites/{name}/resume"), Recipes.ResumeSite);
        Assert.True((await FrappeProbe.UntilPongAsync(name, Proxy, TimeSpan.FromSeconds(60), Stack.Describe)).IsPong);
        Assert.Equal("kept", await InRunnerAsync(runner, $"cat {folder}/private/files/e2e-note.txt"));

        // A backup and an in-place restore move the files of the same volume, at the new name's folder.
        var backup = await RunJobAsync(HttpMethod.Post, $"/api/sites/{name}/backups");
        Assert.True(backup.State == "Succeeded", backup.Describe() + RuntimeStack.StepDetails(backup));
        Assert.Contains("exported 1 file (", backup.Step(StepNames.BackupFiles).Output);
        await InRunnerAsync(runner, $"rm {folder}/private/files/e2e-note.txt");
        var restore = await RunJobAsync(HttpMethod.Post, $"/api/sites/{name}/restore", new { backupId = backup.Id });
        Assert.True(restore.State == "Succeeded", restore.Describe() + RuntimeStack.StepDetails(restore));
        Assert.Equal("kept", await InRunnerAsync(runner, $"cat {folder}/private/files/e2e-note.txt"));

        // Delete and purge remove every container and volume of the standby's name, and socket.io's of both names.
        Stack.AssertAllStepsSucceeded(await RunJobAsync(HttpMethod.Delete, $"/api/sites/{name}"), Recipes.DeleteSite);
        Assert.True(await TestEngine.VolumeExistsAsync(runner), $"soft delete removed volume {runner}");
        Stack.AssertAllStepsSucceeded(await RunJobAsync(HttpMethod.Post, $"/api/sites/{name}/purge"), Recipes.PurgeSite);
        foreach (var container in (string[])[runner, RuntimeStack.RedisContainerOf(standby), .. RuntimeStack.BackgroundContainersOf(standby)])
            Assert.Null(await TestEngine.InspectAsync(container));
        foreach (var volume in (string[])[runner, RuntimeStack.RedisContainerOf(standby), RuntimeStack.SocketIoVolumeOf(standby), RuntimeStack.SocketIoVolumeOf(name)])
            Assert.False(await TestEngine.VolumeExistsAsync(volume), $"purge left volume {volume}");
    }
}
