using System.Net;
using System.Text.Json;
using Press.EndToEnd.Tests.Harness;
using Press.Testing;
using Xunit.Sdk;

namespace Press.EndToEnd.Tests.Images;

/// <summary>
/// Press's own images (built by scripts/test with docker/press/build-images.sh) start as an operator runs them — host
/// networking, secrets as read-only files through the <c>…_FILE</c> settings — become ready, and run a job end to end:
/// a site created through the manager container's API is built by the worker container.
/// </summary>
public sealed class ImageStartTests : IAsyncLifetime
{
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(60);
    private static readonly string[] SecretKeys = ["Press__Postgres__Password", "Press__Secrets__Key", "Press__Admin__Password"];

    private PressDatabase? _db;
    private readonly SecretFolder _secrets = new();
    private readonly List<PressContainer> _containers = [];

    public async Task InitializeAsync() => _db = await PressDatabase.CreateAsync();

    [Fact]
    public async Task Manager_and_worker_images_start_become_ready_and_run_a_job()
    {
        var db = _db!;
        var environment = _secrets.AsFiles(db.Environment(), SecretKeys);
        var manager = Track(new PressContainer("manager", ImageTestServices.ManagerImage, environment, _secrets.MountArgs));
        // The worker gets what compose gives it: no admin account.
        var worker = Track(new PressContainer("worker", ImageTestServices.WorkerImage,
            environment.Where(e => !e.Key.StartsWith("Press__Admin__", StringComparison.Ordinal)).ToDictionary(), _secrets.MountArgs));
        // A second worker set up as compose does it for the Docker driver: the engine's socket mounted at the default
        // path, the socket's group added to the non-root user. It only shows that the image reaches the engine (its
        // /readyz runtime check asks the engine for its version and for the runner image, here the worker image
        // itself), and is removed before any job exists, so the job below runs with runtime "none".
        var socket = ImageTestServices.DockerHost.StartsWith("unix://", StringComparison.Ordinal)
            ? ImageTestServices.DockerHost["unix://".Length..]
            : throw new InvalidOperationException($"PRESS_TEST_DOCKER_HOST must be a unix socket URL, not {ImageTestServices.DockerHost}");
        var dockerWorker = Track(new PressContainer("worker-docker", ImageTestServices.WorkerImage,
            new Dictionary<string, string>(worker.Environment)
            {
                ["Press__Runtime__Driver"] = "docker",
                ["Press__Runtime__Docker__Image"] = ImageTestServices.WorkerImage,
            },
            [.. _secrets.MountArgs, "-v", $"{socket}:/var/run/docker.sock", "--group-add", await GroupOfAsync(socket)]));
        try
        {
            await Task.WhenAll(manager.StartAsync(), worker.StartAsync(), dockerWorker.StartAsync());

            var dockerReady = await dockerWorker.WaitReadyAsync(ReadyTimeout, Describe);
            var runtime = dockerReady.GetProperty("checks").GetProperty("runtime");
            Assert.True(runtime.GetProperty("status").GetString() == "Healthy"
                && runtime.GetProperty("detail").GetString()?.StartsWith("runtime 'docker'", StringComparison.Ordinal) == true,
                $"worker with the Docker driver: /readyz {dockerReady}");
            await dockerWorker.DisposeAsync();

            // Ready: Postgres and Redis reachable from inside the containers (runtime "none" is healthy by design).
            var ready = await Task.WhenAll(manager.WaitReadyAsync(ReadyTimeout, Describe), worker.WaitReadyAsync(ReadyTimeout, Describe));
            foreach (var (container, body) in new[] { manager, worker }.Zip(ready))
            {
                Assert.True(body.GetProperty("status").GetString() == "Healthy", $"{container.Kind} /readyz: {body}");
                foreach (var check in new[] { "postgres", "redis" })
                    Assert.True(body.GetProperty("checks").TryGetProperty(check, out var c) && c.GetProperty("status").GetString() == "Healthy",
                        $"{container.Kind} /readyz check '{check}' is not Healthy: {body}");
                var (status, healthz) = await container.GetAsync("/healthz");
                Assert.True(status == HttpStatusCode.OK, $"{container.Kind} /healthz: {(int)status} {healthz}");
            }

            // The worker's Redis wake-ups work (it would otherwise fall back to polling and still look ready).
            await Eventually.Until(() => worker.GetAsync("/metrics"),
                m => m.Status == HttpStatusCode.OK && Exposition.Value(m.Body, "press_worker_redis_connected") == "1",
                TimeSpan.FromSeconds(15), "the worker's /metrics to report press_worker_redis_connected 1", Describe);
            var (managerMetrics, _) = await manager.GetAsync("/metrics");
            Assert.True(managerMetrics == HttpStatusCode.OK, $"manager /metrics: {(int)managerMetrics}");

            // A job end to end: the manager container takes the request, the worker container (the only worker of
            // this installation) runs the NewSite job.
            using var api = await PressApi.LoginAsync(manager.BaseUrl, db.AdminPassword);
            var queued = await api.CreateSiteAsync("img.example.com");
            var job = await api.WaitForJobAsync(queued.Id, TimeSpan.FromSeconds(45), Describe);
            Assert.True(job.State == "Succeeded", $"NewSite did not succeed: {job.Describe()}");
            var site = await api.GetSiteAsync("img.example.com");
            Assert.True(site.State == "Active", $"after the job: {site}");
            var workerLogs = DockerCli.Run("logs", worker.Name);
            Assert.True((workerLogs.Stdout + workerLogs.Stderr).Contains($"Job {job.Id}"),
                $"the worker container's log does not mention job {job.Id}");

            // What the Dockerfiles declare.
            await AssertImageAsync(manager, "press-manager", "/app/Press.Manager", 48550);
            await AssertImageAsync(worker, "press-worker", "/app/Press.Worker", 48551);
            // The worker image puts the PostgreSQL client tools of PG_MAJOR (16) first on PATH (for pg_dump/pg_restore;
            // scripts/test builds with PG_CLIENT_INSTALL=none, so only the PATH is declared, not the tools).
            var workerConfig = await ImageConfigAsync(worker.Image);
            var path = Env(workerConfig, "PATH");
            Assert.True(path?.StartsWith("/usr/lib/postgresql/16/bin:", StringComparison.Ordinal) == true, $"worker image PATH: {path}");
        }
        catch (XunitException ex) when (!ex.Message.Contains("----- docker logs", StringComparison.Ordinal))
        {
            throw new XunitException(ex.Message + "\n" + Describe(), ex);
        }
    }

    /// <summary>Non-root user, labels, entry point, loopback port and a health check that works on the port given.</summary>
    private static async Task AssertImageAsync(PressContainer container, string title, string entrypoint, int imagePort)
    {
        var config = await ImageConfigAsync(container.Image);
        var what = $"{container.Kind} image {container.Image}";

        Assert.True(config.GetProperty("User").GetString() == "app", $"{what}: USER is '{config.GetProperty("User")}', not app");
        var uid = await container.ExecAsync("id", "-u");
        Assert.True(uid.Ok && int.TryParse(uid.Stdout.Trim(), out var id) && id != 0, $"{what} runs as root or `id -u` failed\n{uid.Describe()}");

        var labels = config.GetProperty("Labels");
        Assert.True(Label(labels, "org.opencontainers.image.title") == title, $"{what}: title label {labels}");
        Assert.False(string.IsNullOrWhiteSpace(Label(labels, "org.opencontainers.image.description")), $"{what}: no description label {labels}");
        // build-images.sh passes PRESS_VERSION=$TAG, so the version label is the tag the image was built under.
        var colon = container.Image.LastIndexOf(':');
        var tag = colon > container.Image.LastIndexOf('/') && !container.Image.Contains('@') ? container.Image[(colon + 1)..] : null;
        Assert.True(tag is null || Label(labels, "org.opencontainers.image.version") == tag, $"{what}: version label {labels}, tag {tag}");

        Assert.True(config.GetProperty("Entrypoint").EnumerateArray().Select(e => e.GetString()).SequenceEqual([entrypoint]),
            $"{what}: ENTRYPOINT {config.GetProperty("Entrypoint")}");
        // Loopback on its architecture port unless ASPNETCORE_URLS says otherwise, and the aspnet base's :8080 cleared.
        Assert.True(Env(config, "ASPNETCORE_URLS") == $"http://127.0.0.1:{imagePort}", $"{what}: Env {config.GetProperty("Env")}");
        Assert.True(Env(config, "ASPNETCORE_HTTP_PORTS") == "", $"{what}: ASPNETCORE_HTTP_PORTS is not cleared: {config.GetProperty("Env")}");
        Assert.True(config.TryGetProperty("ExposedPorts", out var exposed) && exposed.TryGetProperty($"{imagePort}/tcp", out _),
            $"{what}: EXPOSE {(config.TryGetProperty("ExposedPorts", out var e) ? e : "none")}");

        // HEALTHCHECK: curl of /healthz at the first address of ASPNETCORE_URLS, so it follows the app to whatever port
        // it was given (here one of the suite's, not the architecture port). Run the declared command in the container.
        Assert.True(config.TryGetProperty("Healthcheck", out var health) && health.ValueKind == JsonValueKind.Object,
            $"{what}: no HEALTHCHECK");
        var test = health.GetProperty("Test").EnumerateArray().Select(t => t.GetString()!).ToArray();
        Assert.True(test.Length == 2 && test[0] == "CMD-SHELL" && test[1].Contains("${ASPNETCORE_URLS%%;*}/healthz"),
            $"{what}: HEALTHCHECK {string.Join(" ", test)}");
        var probe = await container.ExecAsync("sh", "-c", test[1]);
        Assert.True(probe.Ok, $"{what}: the HEALTHCHECK command fails against the running app\n{probe.Describe()}");
    }

    /// <summary>The numeric group owning <paramref name="path"/> (compose: <c>PRESS_DOCKER_GID</c>).</summary>
    private static async Task<string> GroupOfAsync(string path)
    {
        using var stat = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("stat", ["-c", "%g", path])
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        })!;
        var gid = (await stat.StandardOutput.ReadToEndAsync()).Trim();
        await stat.WaitForExitAsync();
        Assert.True(stat.ExitCode == 0 && int.TryParse(gid, out _), $"stat -c %g {path}: {await stat.StandardError.ReadToEndAsync()}");
        return gid;
    }

    private static async Task<JsonElement> ImageConfigAsync(string image)
    {
        var inspect = await DockerCli.RunAsync("image", "inspect", "--format", "{{json .Config}}", image);
        Assert.True(inspect.Ok, inspect.Describe());
        return JsonDocument.Parse(inspect.Stdout).RootElement.Clone();
    }

    private static string? Label(JsonElement labels, string name) =>
        labels.ValueKind == JsonValueKind.Object && labels.TryGetProperty(name, out var v) ? v.GetString() : null;

    private static string? Env(JsonElement config, string name) =>
        config.GetProperty("Env").EnumerateArray().Select(e => e.GetString()!)
            .Where(e => e.StartsWith(name + "=", StringComparison.Ordinal)).Select(e => e[(name.Length + 1)..]).FirstOrDefault();

    private PressContainer Track(PressContainer container)
    {
        _containers.Add(container);
        return container;
    }

    private string Describe() => "\n" + string.Join("\n", _containers.Where(c => !c.Removed).Select(c => c.Describe()));

    public async Task DisposeAsync()
    {
        try
        {
            foreach (var c in _containers) await c.DisposeAsync();
        }
        finally
        {
            _secrets.Dispose();
            if (_db is not null) await _db.DisposeAsync();
        }
    }
}
