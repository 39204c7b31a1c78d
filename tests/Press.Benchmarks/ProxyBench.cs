using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Npgsql;
using Press.Core.Routing;
using Press.Infrastructure.Postgres;
using Press.Infrastructure.Runtime;
using Press.Testing;

namespace Press.Benchmarks;

public sealed record ProxyBenchOptions(int Sites, int Filler, int Loops, int Seconds, int Activations, int WarmupSeconds = 2, int Standbys = 5);

/// <summary>Times from a state change (the job's finishedAt) to the proxy answering the new way, ms; and from the
/// request that caused it (the client's POST) to that answer, ms on the client's clock.</summary>
public sealed record Effect(double JobSeen, double Sent, double Answered, double FromRequest);

public sealed record ProxyResult(ProxyBenchOptions Options, Machine Machine, int Routes, double FillerSeconds,
    IReadOnlyList<(LoadRun Direct, LoadRun Proxy)> Load, IReadOnlyList<Effect> Activations, IReadOnlyList<Effect> Suspensions,
    IReadOnlyList<Effect> Claims, Summary StampMs, Summary ReloadMs, double WallSeconds, string LoadAtStart, string LoadAtEnd);

/// <summary>
/// The embedded proxy benchmark (<c>scripts/bench --proxy</c>): a few sites served by bench serve runners (the Frappe
/// test double, process driver) behind the manager's proxy, and 1,000 more routes. Measures requests/s and latency
/// through the proxy against the same runners hit directly, interleaved in the same run, and the time from a site
/// becoming Active (or Suspended) to the proxy answering for it the new way; then, with <c>standby.size</c> set, the time
/// from <c>POST /api/sites</c> claiming a ready standby (docs/architecture.md §17) to the site's pong through the proxy,
/// against the same for the cold creates of the activations.
/// </summary>
public static class ProxyBench
{
    private const string Usage = "usage: Press.Benchmarks --proxy [--sites N] [--filler F] [--loops L] [--seconds S] [--activations A] [--warmup S] [--standbys K] [--out FILE] [--timeout-minutes M]";
    private const string PingPath = "/api/method/ping";
    private const string LightPath = "/robots.txt"; // the double answers 404 after reading site_config.json: no database

    public static async Task<int> MainAsync(string[] args)
    {
        if (BenchCommandLine.Parse(args, new() { ["sites"] = 3, ["filler"] = 1000, ["loops"] = 8, ["seconds"] = 10, ["activations"] = 10, ["warmup"] = 2, ["standbys"] = 5, ["timeout-minutes"] = 20 }, Usage)
            is not var (o, output))
            return 2;
        using var stop = new BenchStop(o["timeout-minutes"]);
        return await BenchRun.ReportAsync(stop, output, async ct => ProxyReport.Render(
            await RunAsync(new ProxyBenchOptions(o["sites"], o["filler"], o["loops"], o["seconds"], o["activations"], o["warmup"], o["standbys"]), ct), DateTimeOffset.UtcNow));
    }

    private static async Task<ProxyResult> RunAsync(ProxyBenchOptions o, CancellationToken ct)
    {
        var wall = Stopwatch.StartNew();
        var loadAtStart = Machine.Load();
        Log("creating a fresh Press installation and a bench folder (process driver, the Frappe test double as bench)");
        await using var db = await PressDatabase.CreateAsync();
        var machine = await Machine.CollectAsync(db);
        var bench = Directory.CreateTempSubdirectory("press-bench-proxy-").FullName;
        Directory.CreateDirectory(Path.Combine(bench, "sites"));
        await File.WriteAllTextAsync(Path.Combine(bench, "sites", "apps.txt"), "frappe\n", ct);
        await File.WriteAllTextAsync(Path.Combine(bench, "sites", "common_site_config.json"), "{}\n", ct);

        var ports = ChildProcess.FreePorts(49704, 49709, 3);
        var proxyPort = ports[2];
        var settings = new Dictionary<string, string?>
        {
            ["Press:Runtime:Driver"] = "process",
            ["Press:Runtime:Process:BenchFolder"] = bench,
            ["Press:Runtime:Process:BenchExecutable"] = DoubleExecutable(),
            // Each site also runs its workers, scheduler and socket.io (docs/architecture.md §9): the double stands in for node.
            ["Press:Runtime:Process:NodeExecutable"] = DoubleExecutable(),
            ["Press:Runtime:Health:Interval"] = "00:00:00.200",
            ["Press:Ingress:ProxyUrl"] = $"http://127.0.0.1:{proxyPort}",
            // As the tests run it: a worker that polls often too (Redis wake-ups are on regardless).
            ["Press:Worker:IdlePollInterval"] = "00:00:00.500",
            // The standby phase: a claimed standby is replaced within a second (StandbyPoolTests does the same).
            ["Press:Worker:StandbyRefillInterval"] = "00:00:01",
        };
        ChildProcess? manager = null, worker = null;
        try
        {
            manager = ChildProcess.Start("manager", TestServices.BuiltProgram("Press.Manager"), ports[0], db.Environment(settings));
            worker = ChildProcess.Start("worker", TestServices.BuiltProgram("Press.Worker"), ports[1], db.Environment(settings));
            await manager.WaitReadyAsync(TimeSpan.FromSeconds(60), ct);
            await worker.WaitReadyAsync(TimeSpan.FromSeconds(60), ct);
            Log($"manager on {manager.BaseUrl} (proxy on 127.0.0.1:{proxyPort}), worker on {worker.BaseUrl}");

            using var api = await Api.LoginAsync(manager.BaseUrl, db.AdminPassword, ct);
            using var probe = new Probe(proxyPort);
            var served = Names("served", o.Sites);
            Log($"creating {o.Sites} served sites");
            foreach (var name in served) await api.RunJobAsync(HttpMethod.Post, "/api/sites", new { name }, ct);
            var runnerPorts = await RunnerPortsAsync(db, served);

            Log($"inserting {o.Filler} filler sites (Active, no runner: maintenance routes) straight into the metadata database");
            var fillerClock = Stopwatch.StartNew();
            await InsertFillerAsync(db, o.Filler, ct);
            var fillerSeconds = fillerClock.Elapsed.TotalSeconds;
            var lastFiller = $"filler{o.Filler:00000}.bench.example.com";
            await probe.UntilAsync(lastFiller, a => a.Kind == "maintenance", TimeSpan.FromSeconds(10), ct);
            var routes = 1 + o.Sites + o.Filler;
            var (stamp, reload) = await MeasureRouteSourceAsync(db, ct);
            Log($"{routes} routes loaded; stamp p50 {stamp.P50:0.00} ms, load+plan p50 {reload.P50:0.00} ms");

            var load = new List<(LoadRun, LoadRun)>();
            using var generator = new LoadGenerator();
            foreach (var (path, expected) in new[] { (PingPath, HttpStatusCode.OK), (LightPath, HttpStatusCode.NotFound) })
            {
                var direct = new LoadTarget($"direct {path}", i => (new Uri($"http://127.0.0.1:{runnerPorts[i % o.Sites]}{path}"), served[i % o.Sites]), expected);
                var proxied = new LoadTarget($"proxy {path}", i => (new Uri($"http://127.0.0.1:{proxyPort}{path}"), served[i % o.Sites]), expected);
                var (d, p) = (new LoadGenerator.Samples(direct, o.Loops), new LoadGenerator.Samples(proxied, o.Loops));
                Log($"load {path}: warm-up {o.WarmupSeconds} s each, then direct, proxy, proxy, direct for {o.Seconds / 2.0:0.#} s each with {o.Loops} loops");
                await generator.RunAsync(direct, o.Loops, TimeSpan.FromSeconds(o.WarmupSeconds), null, ct);
                await generator.RunAsync(proxied, o.Loops, TimeSpan.FromSeconds(o.WarmupSeconds), null, ct);
                var half = TimeSpan.FromSeconds(o.Seconds / 2.0);
                foreach (var samples in new[] { d, p, p, d }) await generator.RunAsync(samples.Target, o.Loops, half, samples, ct);
                load.Add((d.Result(), p.Result()));
                Log($"  direct {d.Result().RequestsPerSecond:0} req/s p99 {d.Result().Ms.P99:0.00} ms; proxy {p.Result().RequestsPerSecond:0} req/s p99 {p.Result().Ms.P99:0.00} ms");
            }

            Log($"{o.Activations} sites one after the other: NewSite Succeeded → pong through the proxy, then suspend → maintenance page");
            var activations = new List<Effect>();
            var suspensions = new List<Effect>();
            foreach (var name in Names("act", o.Activations))
            {
                var created = await api.RunJobAsync(HttpMethod.Post, "/api/sites", new { name }, ct);
                activations.Add(await probe.EffectAsync(name, created, a => a.Status == 200 && a.Kind is null, ct));
                var suspended = await api.RunJobAsync(HttpMethod.Post, $"/api/sites/{name}/suspend", null, ct);
                suspensions.Add(await probe.EffectAsync(name, suspended, a => a.Kind == "maintenance", ct));
            }

            Log($"standby pool: standby.size = 1; {o.Standbys} claims one after the other, each once the pool has a ready standby: POST /api/sites → pong through the proxy");
            await api.SendAsync(HttpMethod.Put, "/api/settings/standby.size", new { value = "1" }, HttpStatusCode.OK, ct);
            var claims = new List<Effect>();
            foreach (var name in Names("claim", o.Standbys))
            {
                await api.ReadyStandbyAsync(TimeSpan.FromMinutes(3), ct);
                var claimed = await api.RunJobAsync(HttpMethod.Post, "/api/sites", new { name }, ct, expectKind: "ClaimStandby");
                claims.Add(await probe.EffectAsync(name, claimed, a => a.Status == 200 && a.Kind is null, ct));
                Log($"  {name}: claim → pong {claims[^1].FromRequest:0} ms");
            }
            return new ProxyResult(o, machine, routes, fillerSeconds, load, activations, suspensions, claims, stamp, reload,
                wall.Elapsed.TotalSeconds, loadAtStart, Machine.Load());
        }
        catch (Exception) when (!ct.IsCancellationRequested)
        {
            foreach (var child in new[] { manager, worker }.OfType<ChildProcess>()) Console.Error.WriteLine(child.Tail());
            foreach (var log in Directory.EnumerateFiles(Path.Combine(bench, "sites"), "press-runner.log", SearchOption.AllDirectories))
                Console.Error.WriteLine($"----- {log} -----\n" + string.Join('\n', File.ReadLines(log).Where(l => !l.Contains(" - - [", StringComparison.Ordinal)).TakeLast(10)));
            throw;
        }
        finally
        {
            if (worker is not null) await worker.DisposeAsync();
            if (manager is not null) await manager.DisposeAsync();
            KillRunners(bench);
            KillSiteRedis(bench);
            try { Directory.Delete(bench, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            Log("manager, worker and runners stopped; dropping the installation");
        }
    }

    /// <summary>The route source's stamp (polled every 250 ms) and a full reload (load + plan), in-process against the same database.</summary>
    private static async Task<(Summary Stamp, Summary Reload)> MeasureRouteSourceAsync(PressDatabase db, CancellationToken ct)
    {
        await using var sources = new PressDataSources(db.Options);
        var source = new RouteSource(sources, new NoSiteRuntime());
        var stamp = new List<double>();
        var reload = new List<double>();
        for (var i = -10; i < 200; i++)
        {
            var start = Stopwatch.GetTimestamp();
            await source.StampAsync(ct);
            if (i >= 0) stamp.Add(Timing.MsSince(start));
        }
        for (var i = -5; i < 50; i++)
        {
            var start = Stopwatch.GetTimestamp();
            RoutePlanner.Plan(await source.LoadAsync(ct), "press.localhost");
            if (i >= 0) reload.Add(Timing.MsSince(start));
        }
        return (Summary.Of(stamp), Summary.Of(reload));
    }

    private static async Task InsertFillerAsync(PressDatabase db, int count, CancellationToken ct)
    {
        await using var conn = await db.OpenAsSuperuserAsync(db.MetadataDatabase);
        await using var cmd = new NpgsqlCommand("""
            INSERT INTO sites (id, name, state, db_name, schema_name, role_name, password_enc, apps, created_at, updated_at)
            SELECT gen_random_uuid(), format('filler%s.bench.example.com', lpad(i::text, 5, '0')), 'Active', @db,
                   't_benchfiller' || i, 't_benchfiller' || i, '\x00'::bytea, '{}', now(), now()
            FROM generate_series(1, @n) i
            """, conn);
        cmd.Parameters.AddWithValue("db", db.SitesDatabase);
        cmd.Parameters.AddWithValue("n", count);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    private static async Task<int[]> RunnerPortsAsync(PressDatabase db, string[] names)
    {
        await using var conn = await db.OpenAsSuperuserAsync(db.MetadataDatabase);
        var ports = new int[names.Length];
        for (var i = 0; i < names.Length; i++)
        {
            await using var cmd = new NpgsqlCommand("SELECT runner_port FROM sites WHERE name = @n AND state = 'Active'", conn);
            cmd.Parameters.AddWithValue("n", names[i]);
            ports[i] = await cmd.ExecuteScalarAsync() is int port ? port : throw new InvalidOperationException($"{names[i]} has no runner port");
        }
        return ports;
    }

    /// <summary>SIGKILL of every process of a site the bench folder's pid files name (bench serve, the workers, the
    /// scheduler, socket.io; each leads its own process group). All of them, not only the runners: a site whose runner
    /// failed keeps its scheduler and socket.io, which would outlive the run holding whatever it inherited.</summary>
    private static void KillRunners(string bench)
    {
        var sites = Path.Combine(bench, "sites");
        if (!Directory.Exists(sites)) return;
        foreach (var pidFile in Directory.EnumerateFiles(sites, ".press-*.pid", SearchOption.AllDirectories))
        {
            if (!int.TryParse(File.ReadAllText(pidFile).Trim(), out var pid)) continue;
            try
            {
                if (!File.ReadAllText($"/proc/{pid}/cmdline").Contains("frappe-test-double", StringComparison.Ordinal)) continue;
            }
            catch (IOException) { continue; }
            using var kill = Process.Start("kill", ["-KILL", "--", $"-{pid}"]);
            kill.WaitForExit(5000);
        }
    }

    /// <summary>SIGKILL of each site's own redis-server (a daemon the process driver started under the bench folder).</summary>
    private static void KillSiteRedis(string bench)
    {
        var root = Path.Combine(bench, ".press-redis");
        if (!Directory.Exists(root)) return;
        foreach (var pidFile in Directory.EnumerateFiles(root, "redis.pid", SearchOption.AllDirectories))
        {
            if (!int.TryParse(File.ReadAllText(pidFile).Trim(), out var pid)) continue;
            try
            {
                if (!File.ReadAllText($"/proc/{pid}/cmdline").Contains("redis-server", StringComparison.Ordinal)) continue;
            }
            catch (IOException) { continue; }
            using var kill = Process.Start("kill", ["-KILL", pid.ToString()]);
            kill.WaitForExit(5000);
        }
    }

    /// <summary>The Frappe test double's apphost, built with this project (its ProjectReference).</summary>
    private static string DoubleExecutable()
    {
        var path = Path.Combine(TestServices.RepoRoot, "tests", "Press.FrappeDouble", "bin", "Release", "net10.0", "frappe-test-double");
        return File.Exists(path) ? path : throw new InvalidOperationException($"{path} is not built; run `dotnet build Press.slnx -c Release`.");
    }

    private static string[] Names(string prefix, int count) =>
        Enumerable.Range(1, count).Select(i => string.Create(CultureInfo.InvariantCulture, $"{prefix}{i:0000}.bench.example.com")).ToArray();

    private static void Log(string message) => Console.Error.WriteLine($"bench {DateTime.UtcNow:HH:mm:ss.fff}: {message}");

    /// <summary>A job the client sent (SentAt, its clock), the job's own finishedAt, and when the client saw it Succeeded.</summary>
    private sealed record JobSeen(DateTimeOffset FinishedAt, DateTimeOffset SeenAt, DateTimeOffset SentAt);

    /// <summary>The manager's API: a job is sent, then polled every 10 ms until it succeeds.</summary>
    private sealed class Api(HttpClient http) : IDisposable
    {
        public static async Task<Api> LoginAsync(Uri manager, string adminPassword, CancellationToken ct)
        {
            var http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = manager, Timeout = TimeSpan.FromSeconds(30) };
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/tokens") { Content = JsonContent.Create(new { name = "bench-proxy" }) };
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("admin:" + adminPassword)));
            using var response = await http.SendAsync(request, ct);
            var body = await response.Content.ReadAsStringAsync(ct);
            if (response.StatusCode != HttpStatusCode.Created) throw new InvalidOperationException($"POST /api/tokens: {(int)response.StatusCode} {body}");
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", JsonDocument.Parse(body).RootElement.GetProperty("token").GetString());
            return new Api(http);
        }

        /// <summary>The job's finishedAt, when the client saw it Succeeded, and when the client sent the request.</summary>
        /// <param name="expectKind">The job kind the request must have recorded (a standby claim, not a cold create).</param>
        public async Task<JobSeen> RunJobAsync(HttpMethod method, string path, object? body, CancellationToken ct, string? expectKind = null)
        {
            using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
            var sentAt = DateTimeOffset.UtcNow;
            using var response = await http.SendAsync(request, ct);
            var text = await response.Content.ReadAsStringAsync(ct);
            if (response.StatusCode != HttpStatusCode.Accepted) throw new InvalidOperationException($"{method} {path}: {(int)response.StatusCode} {text}");
            var queued = JsonDocument.Parse(text).RootElement;
            var id = queued.GetProperty("id").GetString();
            if (expectKind is not null && queued.GetProperty("kind").GetString() != expectKind)
                throw new InvalidOperationException($"{method} {path}: expected a {expectKind} job, got {text}");
            var deadline = DateTime.UtcNow.AddMinutes(2);
            while (DateTime.UtcNow < deadline)
            {
                using var job = JsonDocument.Parse(await http.GetStringAsync($"/api/jobs/{id}", ct));
                var root = job.RootElement;
                switch (root.GetProperty("state").GetString())
                {
                    case "Succeeded":
                        var seen = new JobSeen(root.GetProperty("finishedAt").GetDateTimeOffset(), DateTimeOffset.UtcNow, sentAt);
                        Log($"  {queued.GetProperty("kind").GetString()} {id}: {JobStepTimes.Describe(root)}");
                        return seen;
                    case "Failed" or "Cancelled": throw new InvalidOperationException($"job {id} ({method} {path}) failed: {root}");
                }
                await Task.Delay(10, ct);
            }
            throw new TimeoutException($"job {id} ({method} {path}) did not succeed within 2 minutes");
        }

        public async Task SendAsync(HttpMethod method, string path, object body, HttpStatusCode expected, CancellationToken ct)
        {
            using var request = new HttpRequestMessage(method, path) { Content = JsonContent.Create(body) };
            using var response = await http.SendAsync(request, ct);
            if (response.StatusCode != expected)
                throw new InvalidOperationException($"{method} {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(ct)}");
        }

        /// <summary>Polls <c>GET /api/standby</c> until the pool has a ready standby; fails at once when the pool is not kept.</summary>
        public async Task ReadyStandbyAsync(TimeSpan limit, CancellationToken ct)
        {
            var deadline = DateTime.UtcNow + limit;
            string last;
            do
            {
                last = await http.GetStringAsync("/api/standby", ct);
                using var pool = JsonDocument.Parse(last);
                if (!pool.RootElement.GetProperty("enabled").GetBoolean()) throw new InvalidOperationException($"the standby pool is not kept: {last}");
                if (pool.RootElement.GetProperty("sites").EnumerateArray().Any(site => site.GetProperty("poolState").GetString() == "ready")) return;
                await Task.Delay(50, ct);
            }
            while (DateTime.UtcNow < deadline);
            throw new TimeoutException($"no ready standby within {limit.TotalSeconds:0} s: {last}");
        }

        public void Dispose() => http.Dispose();
    }

    /// <summary>Calls the proxy with a Host header, a new connection each time (as a browser arriving would).</summary>
    private sealed class Probe(int proxyPort) : IDisposable
    {
        private readonly HttpClient _http = new(new SocketsHttpHandler { UseProxy = false, PooledConnectionLifetime = TimeSpan.Zero })
        {
            Timeout = TimeSpan.FromSeconds(10),
        };

        public sealed record Answer(int Status, string? Kind);

        public async Task<Answer> GetAsync(string host, CancellationToken ct)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{proxyPort}{PingPath}");
            request.Headers.Host = host;
            using var response = await _http.SendAsync(request, ct);
            await response.Content.ReadAsByteArrayAsync(ct);
            return new Answer((int)response.StatusCode, response.Headers.TryGetValues("X-Press-Ingress", out var kind) ? kind.First() : null);
        }

        public async Task UntilAsync(string host, Func<Answer, bool> done, TimeSpan limit, CancellationToken ct)
        {
            var clock = Stopwatch.StartNew();
            Answer last;
            do
            {
                if (done(last = await GetAsync(host, ct))) return;
                await Task.Delay(10, ct);
            }
            while (clock.Elapsed < limit);
            throw new TimeoutException($"{host} through the proxy: still {last} after {limit.TotalSeconds:0} s");
        }

        /// <summary>Polls every 10 ms from when the job was seen to end until the proxy answers the new way.</summary>
        public async Task<Effect> EffectAsync(string host, JobSeen job, Func<Answer, bool> done, CancellationToken ct)
        {
            var limit = DateTimeOffset.UtcNow.AddSeconds(10);
            Answer last;
            do
            {
                var sent = DateTimeOffset.UtcNow;
                if (done(last = await GetAsync(host, ct)))
                {
                    var answered = DateTimeOffset.UtcNow;
                    return new Effect(Ms(job.SeenAt - job.FinishedAt), Ms(sent - job.FinishedAt), Ms(answered - job.FinishedAt), Ms(answered - job.SentAt));
                }
                await Task.Delay(10, ct);
            }
            while (DateTimeOffset.UtcNow < limit);
            throw new TimeoutException($"{host} through the proxy: still {last} 10 s after its job ended");
        }

        private static double Ms(TimeSpan t) => t.TotalMilliseconds;

        public void Dispose() => _http.Dispose();
    }
}
