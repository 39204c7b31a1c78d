using System.Net;
using System.Text.RegularExpressions;
using Press.Core.Jobs;
using Press.Testing;

namespace Press.EndToEnd.Tests.Harness;

// The site's runtime as the API shows it (the shared SiteView leaves it out).
public sealed record RuntimeView(string Driver, bool Served, string? Reason);

public sealed record RuntimeSiteView(string Name, string State, List<string> Apps, LocationView Location, RuntimeView Runtime, Guid? ActiveJobId,
    Dictionary<string, string>? AppVersions = null)
{
    public override string ToString() => $"site {Name} {State} schema {Location.Schema} runtime {Runtime}";
}

/// <summary>
/// A fresh Press installation whose manager and worker serve sites through a real runtime driver: Docker (the test
/// engine and the Frappe test double's image) or process (a temporary bench folder with the double as bench). It
/// remembers the sites it named and, when disposed, stops its processes and removes what they created: containers
/// and volumes <c>fcs-press-site-NAME</c>, runner processes, the bench folder, the databases.
/// </summary>
public sealed partial class RuntimeStack : IAsyncDisposable
{
    /// <summary>How long a test waits for a job before it fails: a guard against a hang, not a bound on speed. CI runs the
    /// suite at a 1-min load of 14–40 on two cores, where one minute for a Docker create is no guarantee.</summary>
    public static readonly TimeSpan JobTimeout = TimeSpan.FromSeconds(180);

    private readonly Lock _lock = new();
    private readonly List<string> _sites = [];
    private readonly List<string> _extraContainers = [];
    private readonly Dictionary<string, string?> _workerSettings;
    private PressProcess? _worker;
    private int _workers;

    public PressDatabase Db { get; }
    public Scene Scene { get; } = new();
    private PressProcess? _manager;
    private PressApi? _api;
    private ApiClient? _admin;
    public PressProcess Manager => _manager ?? throw new InvalidOperationException("no manager running");
    public PressProcess Worker => _worker ?? throw new InvalidOperationException("no worker running");
    public PressApi Api => _api ?? throw new InvalidOperationException("not logged in");
    /// <summary>The admin token's plain client (every endpoint, any status).</summary>
    public ApiClient Admin => _admin ?? throw new InvalidOperationException("not logged in");
    public string Driver { get; }
    /// <summary>The process driver's bench folder; null for Docker.</summary>
    public string? BenchFolder { get; }

    private RuntimeStack(PressDatabase db, string driver, Dictionary<string, string?> settings, string? benchFolder)
    {
        Db = db;
        Driver = driver;
        Settings = settings;
        BenchFolder = benchFolder;
        _workerSettings = new Dictionary<string, string?>(settings);
        foreach (var (k, v) in PressProcess.FastWorker(lease: TimeSpan.FromSeconds(30))) _workerSettings[k] = v;
    }

    /// <summary>The runtime settings both programs get (<c>Press:Runtime:…</c>).</summary>
    public Dictionary<string, string?> Settings { get; }

    public static Dictionary<string, string?> DockerSettings(string? image = null) => new()
    {
        ["Press:Runtime:Driver"] = "docker",
        ["Press:Runtime:Docker:Endpoint"] = TestServices.DockerHost,
        ["Press:Runtime:Docker:Image"] = image ?? TestServices.DoubleImage,
        ["Press:Runtime:Docker:RedisImage"] = TestServices.RedisImage,
        ["Press:Runtime:Docker:MemoryMb"] = "512",
        ["Press:Runtime:Docker:Cpus"] = "0.5",
        ["Press:Runtime:Health:Interval"] = "00:00:00.500",
        ["Press:Runtime:Health:Timeout"] = "00:01:00",
    };

    public static Dictionary<string, string?> ProcessSettings(string benchFolder) => new()
    {
        ["Press:Runtime:Driver"] = "process",
        ["Press:Runtime:Process:BenchFolder"] = benchFolder,
        ["Press:Runtime:Process:BenchExecutable"] = DoubleExecutable,
        ["Press:Runtime:Process:NodeExecutable"] = DoubleExecutable, // the double's socket.io stand-in

        ["Press:Runtime:Health:Interval"] = "00:00:00.500",
        ["Press:Runtime:Health:Timeout"] = "00:01:00",
    };

    /// <summary>The Frappe test double's apphost, built by this project's reference (same configuration).</summary>
    public static string DoubleExecutable
    {
        get
        {
            var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}") ? "Release" : "Debug";
            var path = Path.Combine(TestServices.RepoRoot, "tests", "Press.FrappeDouble", "bin", configuration, "net10.0", "frappe-test-double");
            return File.Exists(path) ? path : throw new InvalidOperationException($"{path} is not built; run `dotnet build Press.slnx -c {configuration}`.");
        }
    }

    /// <param name="privateRedis">Press's own Redis is a private one with a password (as production runs it), so a test
    /// can prove a runner cannot reach it whatever the shared test Redis is configured with.</param>
    /// <param name="extra">More settings for both programs (e.g. <c>Press:Oidc:…</c>).</param>
    /// <param name="proxy">The manager also runs the embedded proxy, on <see cref="ProxyPort"/>.</param>
    public static async Task<RuntimeStack> StartDockerAsync(bool privateRedis = false, IReadOnlyDictionary<string, string?>? extra = null, bool proxy = false)
    {
        _ = TestServices.DockerHost; // fail first with how to run, not with a refused connection
        _ = TestServices.DoubleImage;
        _ = TestServices.RedisImage;
        var settings = WithProxy(DockerSettings(), proxy);
        foreach (var (key, value) in extra ?? new Dictionary<string, string?>()) settings[key] = value;
        return await StartAsync("docker", settings, null, privateRedis);
    }

    /// <summary>The embedded proxy's port when the stack runs one.</summary>
    public int? ProxyPort => Settings.GetValueOrDefault("Press:Ingress:ProxyUrl") is { Length: > 0 } url ? new Uri(url).Port : null;

    private static Dictionary<string, string?> WithProxy(Dictionary<string, string?> settings, bool proxy)
    {
        if (proxy) settings["Press:Ingress:ProxyUrl"] = $"http://127.0.0.1:{Ports.Reserve()}";
        return settings;
    }

    /// <param name="extra">More settings for both programs (e.g. <c>Press:Oidc:…</c>).</param>
    /// <param name="proxy">The manager also runs the embedded proxy, on <see cref="ProxyPort"/>.</param>
    public static async Task<RuntimeStack> StartProcessAsync(bool privateRedis = false, IReadOnlyDictionary<string, string?>? extra = null, bool proxy = false)
    {
        // A bench folder as frappe_docker lays it out, with only frappe in apps.txt (like the double's image).
        var bench = Directory.CreateTempSubdirectory("press-e2e-bench-").FullName;
        Directory.CreateDirectory(Path.Combine(bench, "sites"));
        await File.WriteAllTextAsync(Path.Combine(bench, "sites", "apps.txt"), "frappe\n");
        // A 2-s scheduler tick (Frappe: 60 s), as the double's image sets it, so a scheduled job runs within a test.
        await File.WriteAllTextAsync(Path.Combine(bench, "sites", "common_site_config.json"), "{\"scheduler_tick_interval\": 2}\n");
        var settings = WithProxy(ProcessSettings(bench), proxy);
        foreach (var (key, value) in extra ?? new Dictionary<string, string?>()) settings[key] = value;
        return await StartAsync("process", settings, bench, privateRedis);
    }

    /// <summary>Press's own Redis when the stack has a private one (null: the shared test Redis).</summary>
    public RedisServer? PressRedis { get; private set; }

    private static async Task<RuntimeStack> StartAsync(string driver, Dictionary<string, string?> settings, string? bench, bool privateRedis)
    {
        var db = await PressDatabase.CreateAsync();
        RedisServer? redis = null;
        if (privateRedis)
        {
            redis = await RedisServer.StartAsync(password: Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16)));
            settings["Press:Redis:Configuration"] = redis.Endpoint;
            settings["Press:Redis:Password"] = redis.Password;
        }
        var stack = new RuntimeStack(db, driver, settings, bench);
        if (redis is not null) stack.PressRedis = stack.Scene.Track(redis);
        try
        {
            stack._manager = await stack.Scene.StartManagerAsync(db, "manager", settings);
            stack._api = await PressApi.LoginAsync(stack.Manager.BaseUrl, db.AdminPassword);
            stack._admin = new ApiClient(stack.Manager.BaseUrl, stack.Api.Token);
            await stack.StartWorkerAsync();
        }
        catch
        {
            await stack.DisposeAsync();
            throw;
        }
        return stack;
    }

    /// <param name="overrides">Settings of this worker only, over the stack's (e.g. a crash test's pause and a short lease).</param>
    public async Task<PressProcess> StartWorkerAsync(IReadOnlyDictionary<string, string?>? overrides = null)
    {
        var settings = new Dictionary<string, string?>(_workerSettings);
        foreach (var (key, value) in overrides ?? new Dictionary<string, string?>()) settings[key] = value;
        var worker = await Scene.StartWorkerAsync(Db, $"worker-{Interlocked.Increment(ref _workers)}", settings);
        _worker = worker;
        return worker;
    }

    /// <summary>SIGKILL of the worker, then a new one (its start-up is when the reconciler runs).</summary>
    public async Task<PressProcess> RestartWorkerAsync()
    {
        if (_worker is { } old) await old.KillAsync();
        return await StartWorkerAsync();
    }

    /// <summary>SIGKILL of the manager, then a new one (on another port) and a new admin token for <see cref="Api"/> and
    /// <see cref="Admin"/>: what the manager kept in memory is gone.</summary>
    public async Task<PressProcess> RestartManagerAsync()
    {
        if (_manager is { } old) await old.KillAsync();
        _manager = await Scene.StartManagerAsync(Db, $"manager-{Interlocked.Increment(ref _managers)}", Settings);
        _admin?.Dispose();
        _api?.Dispose();
        _api = await PressApi.LoginAsync(Manager.BaseUrl, Db.AdminPassword);
        _admin = new ApiClient(Manager.BaseUrl, Api.Token);
        return _manager;
    }

    private int _managers;

    /// <summary>A site name unique to this installation (and this run); cleaned up with the stack.</summary>
    public string SiteName(string label)
    {
        var name = $"{label}-{Db.Suffix}.rt.test";
        lock (_lock) _sites.Add(name);
        return name;
    }

    /// <summary>A site Press named itself (a rehearsal's scratch copy): its containers and volumes are removed with the
    /// stack's, whatever a test left behind.</summary>
    public void TrackSite(string name)
    {
        lock (_lock) _sites.Add(name);
    }

    /// <summary>A container (by name) this test made itself, removed with the stack.</summary>
    public void TrackContainer(string name)
    {
        lock (_lock) _extraContainers.Add(name);
    }

    public static string ContainerOf(string site) => $"fcs-press-site-{site}";

    /// <summary>The site's workers and scheduler (docs/architecture.md §9), each its own container.</summary>
    public static IEnumerable<string> BackgroundContainersOf(string site) => ProcessRunners.BackgroundRoles.Select(r => $"fcs-press-site-{site}-{r}");

    /// <summary>The site's own Redis: its sidecar container, and that container's volume (same name).</summary>
    public static string RedisContainerOf(string site) => $"fcs-press-site-{site}-redis";

    /// <summary>socket.io's volume of a site name (docs/architecture.md §9).</summary>
    public static string SocketIoVolumeOf(string site) => Press.Infrastructure.Runtime.Docker.BackgroundContainer.SocketIoVolume(site);

    /// <summary>What the Docker driver names each site's containers and volumes after (its runtime name, else its name),
    /// standbys included, as the metadata records them.</summary>
    public async Task<List<string>> RuntimeKeysAsync()
    {
        await using var conn = await Db.OpenAsSuperuserAsync(Db.MetadataDatabase);
        await using var cmd = new Npgsql.NpgsqlCommand("SELECT coalesce(runtime_name, name) FROM sites", conn);
        await using var r = await cmd.ExecuteReaderAsync();
        var keys = new List<string>();
        while (await r.ReadAsync()) keys.Add(r.GetString(0));
        return keys;
    }

    /// <summary>POST /api/sites (no apps: the double's bench has only frappe) and waits until the job ends.</summary>
    public async Task<JobView> CreateSiteAsync(string name)
    {
        var queued = await Api.CreateSiteAsync(name);
        return await Api.WaitForJobAsync(queued.Id, JobTimeout, Describe);
    }

    /// <summary>Sends a lifecycle request that answers 202 with a job, and waits until the job ends.</summary>
    public async Task<JobView> RunJobAsync(HttpMethod method, string path)
    {
        var response = await Admin.SendAsync(method, path);
        Assert.True(response.Status == HttpStatusCode.Accepted, $"{method} {path}: expected 202, got {response}{Describe()}");
        return await Api.WaitForJobAsync(response.As<JobView>().Id, JobTimeout, Describe);
    }

    public Task<JobView> SuspendAsync(string site) => RunJobAsync(HttpMethod.Post, $"/api/sites/{site}/suspend");
    public Task<JobView> ResumeAsync(string site) => RunJobAsync(HttpMethod.Post, $"/api/sites/{site}/resume");
    public Task<JobView> DeleteAsync(string site) => RunJobAsync(HttpMethod.Delete, $"/api/sites/{site}");
    public Task<JobView> UndeleteAsync(string site) => RunJobAsync(HttpMethod.Post, $"/api/sites/{site}/undelete");
    public Task<JobView> PurgeAsync(string site) => RunJobAsync(HttpMethod.Post, $"/api/sites/{site}/purge");

    public async Task<RuntimeSiteView> GetSiteAsync(string name)
    {
        var response = await Admin.GetAsync($"/api/sites/{name}");
        Assert.True(response.Status == HttpStatusCode.OK, $"GET /api/sites/{name}: {response}");
        return response.As<RuntimeSiteView>();
    }

    /// <summary>Fails unless the job succeeded with every step Succeeded (none Skipped) in the recipe's order.</summary>
    /// <param name="requireSso">The site's SSO steps must have run too; otherwise they may be Skipped for a site (or a
    /// Press) without single sign-on, saying so.</param>
    public void AssertAllStepsSucceeded(JobView job, JobRecipe recipe, bool requireSso = false)
    {
        Assert.True(job.State == "Succeeded", $"expected {job.Kind} to succeed: {job.Describe()}{StepDetails(job)}{Describe()}");
        Assert.Equal(recipe.Steps, job.Steps.OrderBy(s => s.Ordinal).Select(s => s.Name));
        foreach (var step in job.Steps)
            Assert.True(step.State == "Succeeded" || (!requireSso && step.State == "Skipped" && SsoSteps.Contains(step.Name) && SsoSkipReasons.Any(r => step.Output?.StartsWith(r, StringComparison.Ordinal) == true)),
                $"step {step.Name} is {step.State} ({step.Output}): {job.Describe()}");
    }

    private static readonly string[] SsoSteps = [StepNames.RegisterSsoClient, StepNames.ConfigureSiteSso, StepNames.DisableSsoClient, StepNames.RemoveSsoClient];
    private static readonly string[] SsoSkipReasons = ["single sign-on is not enabled for this site", "the site has no SSO client", "Press__Oidc__Provisioning is 'none'"];

    /// <summary>The runner port the job's allocate-runner step reports ("port 48600, Redis database 1").</summary>
    public static int AllocatedPort(JobView newSite)
    {
        var output = newSite.Step(StepNames.AllocateRunner).Output ?? "";
        var match = PortInOutput().Match(output);
        Assert.True(match.Success, $"allocate-runner output names no port: '{output}' ({newSite.Describe()})");
        return int.Parse(match.Groups[1].Value);
    }

    public static string StepDetails(JobView job) =>
        "\n" + string.Join("\n", job.Steps.OrderBy(s => s.Ordinal).Select(s => $"  {s.Name} {s.State}: {s.Output}{(s.Error is null ? "" : " ERROR " + s.Error)}"));

    /// <summary>Every process's recent output, and for Docker the Press-labelled containers.</summary>
    public string Describe() => Scene.Describe() + (Driver == "docker" ? "\n" + TestEngine.DescribeManaged() : "");

    [GeneratedRegex(@"\bport (\d+)")]
    private static partial Regex PortInOutput();

    private int _disposed;

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        string[] sites, extra;
        lock (_lock) (sites, extra) = (_sites.ToArray(), _extraContainers.ToArray());
        // Workers first, so no reconciler or job recreates a runner behind the cleanup.
        _admin?.Dispose();
        _api?.Dispose();
        await Scene.DisposeAsync();
        if (Driver == "docker")
        {
            try
            {
                // Press names standbys itself, and a claimed site's containers keep its standby's name: every runtime key
                // the installation recorded, besides the names the tests made.
                var keys = sites.Concat(await RuntimeKeysAsync()).Distinct().ToArray();
                await TestEngine.RemoveAsync([.. keys.SelectMany(BackgroundContainersOf), .. keys.Select(ContainerOf), .. keys.Select(RedisContainerOf), .. extra],
                    [.. keys.Select(ContainerOf), .. keys.Select(RedisContainerOf), .. keys.Select(SocketIoVolumeOf)]);
            }
            catch (Exception ex) { Console.Error.WriteLine($"RuntimeStack cleanup: {ex.Message}"); }
        }
        if (BenchFolder is { } bench)
        {
            // Every site folder, not only the sites named here: Press names its standby sites itself.
            var folders = Directory.Exists(Path.Combine(bench, "sites"))
                ? Directory.GetDirectories(Path.Combine(bench, "sites")).Select(Path.GetFileName).OfType<string>() : [];
            foreach (var site in sites.Concat(folders).Distinct()) ProcessRunners.Kill(bench, site);
            ProcessRunners.KillRedis(bench);
            try { Directory.Delete(bench, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
        await Db.DisposeAsync();
    }
}

/// <summary>The process driver's detached <c>bench serve</c> runners, as the pid files in their site folders name them.</summary>
public static class ProcessRunners
{
    public static string SiteFolder(string bench, string site) => Path.Combine(bench, "sites", site);

    public static string PidFile(string bench, string site) => Path.Combine(SiteFolder(bench, site), ".press-runner.pid");

    public static int? Pid(string bench, string site) =>
        File.Exists(PidFile(bench, site)) && int.TryParse(File.ReadAllText(PidFile(bench, site)).Trim(), out var pid) ? pid : null;

    /// <summary>Running, not a zombie, and still the test double (a pid reused by something else does not count).</summary>
    public static bool IsRunner(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            if (stat[(stat.LastIndexOf(')') + 2)..].StartsWith('Z')) return false;
            return File.ReadAllText($"/proc/{pid}/cmdline").Contains("frappe-test-double", StringComparison.Ordinal);
        }
        catch (IOException) { return false; }
        catch (UnauthorizedAccessException) { return false; }
    }

    /// <summary>The sites' own redis-servers the process driver started under the bench folder (SIGKILL, only if still redis).</summary>
    public static void KillRedis(string bench)
    {
        var root = Path.Combine(bench, ".press-redis");
        if (!Directory.Exists(root)) return;
        foreach (var pidFile in Directory.EnumerateFiles(root, "redis.pid", SearchOption.AllDirectories))
        {
            try
            {
                if (!int.TryParse(File.ReadAllText(pidFile).Trim(), out var pid)
                    || !File.ReadAllText($"/proc/{pid}/cmdline").Contains("redis-server", StringComparison.Ordinal)) continue;
                using var kill = System.Diagnostics.Process.Start("kill", ["-KILL", pid.ToString()]);
                kill.WaitForExit(5000);
            }
            catch (IOException) { }
        }
    }

    /// <summary>The site's background processes the process driver starts beside bench serve (pid file .press-ROLE.pid).</summary>
    public static readonly string[] BackgroundRoles = ["worker-short", "worker-long", "schedule", "socketio"];

    public static int? Pid(string bench, string site, string role) =>
        Path.Combine(SiteFolder(bench, site), $".press-{role}.pid") is var file && File.Exists(file)
        && int.TryParse(File.ReadAllText(file).Trim(), out var pid) ? pid : null;

    /// <summary>SIGKILL of the runner's and the background processes' groups (each leads its own session), only if still the double.</summary>
    public static void Kill(string bench, string site)
    {
        foreach (var role in (string[])["runner", .. BackgroundRoles])
        {
            if (Pid(bench, site, role) is not { } pid || !IsRunner(pid)) continue;
            using var kill = System.Diagnostics.Process.Start("kill", ["-KILL", "--", $"-{pid}"]);
            kill.WaitForExit(5000);
        }
    }
}
