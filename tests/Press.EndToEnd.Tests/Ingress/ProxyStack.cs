using System.Diagnostics;
using System.Net;
using Press.EndToEnd.Tests.Harness;
using Press.Testing;

namespace Press.EndToEnd.Tests.Ingress;

/// <summary>
/// A fresh installation served by the process driver (a temporary bench folder, the Frappe test double as bench) whose
/// manager runs the embedded proxy on a port of the suite's range, and a client that calls the proxy with any Host.
/// Disposal stops the manager and worker, kills every runner the sites left, removes the bench folder and the databases.
/// </summary>
public sealed class ProxyStack : IAsyncDisposable
{
    public const string PressHost = "press.ingress.test";
    public static readonly TimeSpan JobTimeout = TimeSpan.FromSeconds(90);

    private readonly List<string> _sites = [];
    private readonly HttpClient _proxy = new(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false })
    {
        Timeout = TimeSpan.FromSeconds(10),
    };
    private PressApi? _api;
    private ApiClient? _admin;

    public PressDatabase Db { get; }
    public Scene Scene { get; } = new();
    public string BenchFolder { get; }
    public int ProxyPort { get; }
    public PressProcess Manager { get; private set; } = null!;
    public PressProcess Worker { get; private set; } = null!;
    public PressApi Api => _api ?? throw new InvalidOperationException("not logged in");
    public ApiClient Admin => _admin ?? throw new InvalidOperationException("not logged in");

    private ProxyStack(PressDatabase db, string bench, int proxyPort)
    {
        Db = db;
        BenchFolder = bench;
        ProxyPort = proxyPort;
    }

    public static async Task<ProxyStack> StartAsync()
    {
        var bench = Directory.CreateTempSubdirectory("press-e2e-proxy-bench-").FullName;
        Directory.CreateDirectory(Path.Combine(bench, "sites"));
        await File.WriteAllTextAsync(Path.Combine(bench, "sites", "apps.txt"), "frappe\n");
        await File.WriteAllTextAsync(Path.Combine(bench, "sites", "common_site_config.json"), "{}\n");
        var stack = new ProxyStack(await PressDatabase.CreateAsync(), bench, Ports.Reserve());
        try
        {
            var settings = RuntimeStack.ProcessSettings(bench);
            settings["Press:Ingress:ProxyUrl"] = $"http://127.0.0.1:{stack.ProxyPort}";
            settings["Press:Ingress:PressHost"] = PressHost;
            stack.Manager = await stack.Scene.StartManagerAsync(stack.Db, "manager", settings);
            stack._api = await PressApi.LoginAsync(stack.Manager.BaseUrl, stack.Db.AdminPassword);
            stack._admin = new ApiClient(stack.Manager.BaseUrl, stack.Api.Token);
            var worker = new Dictionary<string, string?>(settings);
            foreach (var (k, v) in PressProcess.FastWorker(lease: TimeSpan.FromSeconds(30))) worker[k] = v;
            stack.Worker = await stack.Scene.StartWorkerAsync(stack.Db, "worker", worker);
        }
        catch
        {
            await stack.DisposeAsync();
            throw;
        }
        return stack;
    }

    /// <summary>A site name unique to this installation; its runner is killed with the stack.</summary>
    public string SiteName(string label)
    {
        var name = $"{label}-{Db.Suffix}.proxy.test";
        lock (_sites) _sites.Add(name);
        return name;
    }

    /// <summary>Sends a lifecycle request that answers 202 with a job; returns the job's id.</summary>
    public async Task<Guid> StartJobAsync(HttpMethod method, string path, object? body = null)
    {
        var response = await Admin.SendAsync(method, path, body);
        Assert.True(response.Status == HttpStatusCode.Accepted, $"{method} {path}: expected 202, got {response}{Describe()}");
        return response.As<JobView>().Id;
    }

    /// <summary>Polls the job every 20 ms until it ends, and fails unless it succeeded.</summary>
    public async Task<JobView> SucceededAsync(Guid job)
    {
        var done = await Api.WaitForJobAsync(job, JobTimeout, Describe, every: TimeSpan.FromMilliseconds(20));
        Assert.True(done.State == "Succeeded", $"expected {done.Kind} to succeed: {done.Describe()}{RuntimeStack.StepDetails(done)}{Describe()}");
        return done;
    }

    public sealed record ProxyAnswer(int Status, string Body, string? Kind, string? RetryAfter, string? Error)
    {
        public bool IsPong => Status == 200 && Body.Contains("\"message\":\"pong\"", StringComparison.Ordinal);
        public bool IsPage(string kind) => Kind == kind;
        public override string ToString() =>
            Error ?? $"{Status} X-Press-Ingress={Kind ?? "-"} Retry-After={RetryAfter ?? "-"} {(Body.Length > 300 ? Body[..300] + "…" : Body)}";
    }

    /// <summary>GET <paramref name="path"/> on 127.0.0.1:<paramref name="port"/> (the proxy's by default) with the given Host.</summary>
    public async Task<ProxyAnswer> GetAsync(string host, string path = "/api/method/ping", int? port = null,
        IReadOnlyDictionary<string, string>? headers = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{port ?? ProxyPort}{path}");
        request.Headers.Host = host;
        foreach (var (k, v) in headers ?? new Dictionary<string, string>()) request.Headers.TryAddWithoutValidation(k, v);
        try
        {
            using var response = await _proxy.SendAsync(request);
            return new ProxyAnswer((int)response.StatusCode, await response.Content.ReadAsStringAsync(),
                response.Headers.TryGetValues("X-Press-Ingress", out var kind) ? kind.First() : null,
                response.Headers.RetryAfter?.ToString(), null);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return new ProxyAnswer(0, "", null, null, $"{ex.GetType().Name}: {ex.Message}");
        }
    }

    /// <summary>When the first answer that met the condition was sent and received, both counted from the state change.</summary>
    public sealed record Effect(ProxyAnswer Answer, TimeSpan Sent, TimeSpan Answered)
    {
        public override string ToString() => $"sent +{Sent.TotalMilliseconds:0} ms, answered +{Answered.TotalMilliseconds:0} ms";
    }

    /// <summary>
    /// Polls the proxy every 20 ms (for at most <paramref name="limit"/>) until <paramref name="done"/> holds. The
    /// times count from <paramref name="since"/> (a job's finishedAt, the state change): Sent is when that request
    /// left the client — the proxy routed it the new way, so the change was in effect by then — and Answered when its
    /// answer was read (the runner's own response time included).
    /// </summary>
    public async Task<Effect> UntilAsync(string host, Func<ProxyAnswer, bool> done, DateTimeOffset since, TimeSpan limit, string what)
    {
        var watch = Stopwatch.StartNew();
        ProxyAnswer last;
        do
        {
            var sent = DateTimeOffset.UtcNow;
            last = await GetAsync(host);
            if (done(last)) return new Effect(last, sent - since, DateTimeOffset.UtcNow - since);
            await Task.Delay(20);
        }
        while (watch.Elapsed < limit);
        Assert.Fail($"{host} through the proxy: no {what} within {limit.TotalSeconds:0.#} s of polling; last answer {last}{Describe()}");
        return null!;
    }

    /// <summary>Every process's recent output, and the last lines of each runner's log in the bench folder.</summary>
    public string Describe()
    {
        var runners = Directory.Exists(Path.Combine(BenchFolder, "sites"))
            ? Directory.EnumerateFiles(Path.Combine(BenchFolder, "sites"), "press-runner.log", SearchOption.AllDirectories)
                .Select(log => $"----- {log} -----\n" + string.Join("\n", File.ReadLines(log).TakeLast(8)))
            : [];
        return Scene.Describe() + "\n" + string.Join("\n", runners);
    }

    public async ValueTask DisposeAsync()
    {
        string[] sites;
        lock (_sites) sites = [.. _sites];
        _proxy.Dispose();
        _admin?.Dispose();
        _api?.Dispose();
        await Scene.DisposeAsync(); // manager and worker first, so nothing starts a runner behind the cleanup
        Ports.Release(ProxyPort);
        foreach (var site in sites) ProcessRunners.Kill(BenchFolder, site);
        // The sites' own redis-servers are daemons: they outlive the test unless killed (and hold what it held open).
        ProcessRunners.KillRedis(BenchFolder);
        try { Directory.Delete(BenchFolder, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        await Db.DisposeAsync();
    }
}
