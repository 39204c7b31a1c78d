using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Press.Benchmarks;

/// <summary>Measurements through the manager's REST API, as a client sees them.</summary>
public sealed class ApiRun(Uri manager) : IDisposable
{
    private static readonly TimeSpan JobTimeout = TimeSpan.FromSeconds(120);
    private static readonly TimeSpan PollEvery = TimeSpan.FromMilliseconds(10);
    private readonly HttpClient _http = new(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = manager, Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>Mints an admin token with HTTP Basic and uses it as Bearer from then on.</summary>
    public async Task LoginAsync(string adminPassword, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/tokens") { Content = JsonContent.Create(new { name = "bench" }) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("admin:" + adminPassword)));
        using var response = await _http.SendAsync(request, ct);
        using var body = await Expect(response, HttpStatusCode.Created, "POST /api/tokens", ct);
        Token = body.RootElement.GetProperty("token").GetString()!;
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
    }

    /// <summary>The admin token <see cref="LoginAsync"/> minted (for other clients of the same run).</summary>
    public string Token { get; private set; } = "";

    /// <summary>GET of a JSON document that must answer 200.</summary>
    public async Task<JsonDocument> GetJsonAsync(string path, CancellationToken ct)
    {
        using var response = await _http.GetAsync(path, ct);
        return await Expect(response, HttpStatusCode.OK, $"GET {path}", ct);
    }

    /// <summary>
    /// Creates the sites with at most <paramref name="concurrency"/> in flight. A site's time runs from sending its POST
    /// to reading Succeeded on its job (polled every 10 ms); Server is the job's own createdAt → finishedAt.
    /// </summary>
    public async Task<CreationRun> CreateSitesAsync(string label, IReadOnlyList<string> names, int concurrency, CancellationToken ct)
    {
        var (results, wall) = await Timing.BoundedAsync(names.Count, concurrency,
            (i, token) => RunJobAsync(HttpMethod.Post, "/api/sites", JsonContent.Create(new { name = names[i] }), token), ct);
        var steps = results.SelectMany(r => r.Steps).GroupBy(s => s.Name).ToDictionary(g => g.Key, g => Summary.Of(g.Select(s => s.Ms)));
        return new CreationRun(label, concurrency, Summary.Of(results.Select(r => r.Client)), wall, results.Sum(r => r.Retries),
            Summary.Of(results.Select(r => r.Server)), Summary.Of(results.Select(r => r.Queued)), steps);
    }

    /// <summary>One job as seen by the client (Client), by the job record (Server: created → finished; Queued: created → started).</summary>
    internal sealed record JobTiming(double Client, double Server, double Queued, int Retries, (string Name, double Ms)[] Steps);

    /// <summary>
    /// Warm-up that leaves nothing listed: creates the sites (all at once), then deletes and purges each, so JIT and
    /// connection pools are warm while GET /api/sites (which hides purged sites) still counts exactly the measured ones.
    /// </summary>
    public async Task WarmUpAsync(IReadOnlyList<string> names, CancellationToken ct)
    {
        await CreateSitesAsync("warm-up", names, names.Count, ct);
        await Timing.BoundedAsync(names.Count, names.Count, async (i, token) =>
        {
            await RunJobAsync(HttpMethod.Delete, $"/api/sites/{names[i]}", null, token);
            return await RunJobAsync(HttpMethod.Post, $"/api/sites/{names[i]}/purge", null, token);
        }, ct);
    }

    /// <summary>
    /// Sends a request that answers 202 with a job, then polls the job every 10 ms until it succeeds. A job that failed
    /// on PostgreSQL's "tuple concurrently updated" is retried through the API, as an operator would (at most 5 times).
    /// </summary>
    internal async Task<JobTiming> RunJobAsync(HttpMethod method, string path, HttpContent? content, CancellationToken ct, TimeSpan? timeout = null)
    {
        var start = Stopwatch.GetTimestamp();
        var retries = 0;
        string id;
        using (var request = new HttpRequestMessage(method, path) { Content = content })
        using (var response = await _http.SendAsync(request, ct))
        using (var accepted = await Expect(response, HttpStatusCode.Accepted, $"{method} {path}", ct))
            id = accepted.RootElement.GetProperty("id").GetString()!;
        while (true)
        {
            using var response = await _http.GetAsync($"/api/jobs/{id}", ct);
            using var job = await Expect(response, HttpStatusCode.OK, $"GET /api/jobs/{id}", ct);
            var root = job.RootElement;
            switch (root.GetProperty("state").GetString())
            {
                case "Succeeded":
                    var client = Timing.MsSince(start);
                    var created = root.GetProperty("createdAt").GetDateTimeOffset();
                    var steps = root.GetProperty("steps").EnumerateArray()
                        .Where(st => st.GetProperty("durationMs").ValueKind == JsonValueKind.Number)
                        .Select(st => (st.GetProperty("name").GetString()!, st.GetProperty("durationMs").GetDouble())).ToArray();
                    return new JobTiming(client, (root.GetProperty("finishedAt").GetDateTimeOffset() - created).TotalMilliseconds,
                        (root.GetProperty("startedAt").GetDateTimeOffset() - created).TotalMilliseconds, retries, steps);
                case "Failed" when retries < 5 && root.GetProperty("error").GetString() is { } error && error.Contains("tuple concurrently updated"):
                    retries++;
                    Console.Error.WriteLine($"bench: job {id} ({method} {path}) Failed at step {root.GetProperty("failedStep")}: {error}; retrying it through the API");
                    using (var retry = await _http.PostAsync($"/api/jobs/{id}/retry", null, ct))
                        (await Expect(retry, HttpStatusCode.Accepted, $"POST /api/jobs/{id}/retry", ct)).Dispose();
                    continue;
                case "Failed" or "Cancelled":
                    throw new InvalidOperationException($"job {id} ({method} {path}) ended {root.GetProperty("state")}: step {root.GetProperty("failedStep")}: {root.GetProperty("error")}");
            }
            if (Stopwatch.GetElapsedTime(start) > (timeout ?? JobTimeout))
                throw new TimeoutException($"job {id} ({method} {path}) not Succeeded after {(timeout ?? JobTimeout).TotalSeconds:0} s (state {root.GetProperty("state")})");
            await Task.Delay(PollEvery, ct);
        }
    }

    public sealed record Latency(string Request, Summary Ms, int Bytes);

    /// <summary>
    /// Baseline B and the list: <paramref name="rounds"/> rounds of GET /healthz, GET /api/sites?pageSize=50 and
    /// ?pageSize=500, one request at a time and interleaved so drift hits all three alike, after 10 unmeasured rounds.
    /// </summary>
    public async Task<IReadOnlyList<Latency>> MeasureListingAsync(int rounds, int expectedSites, CancellationToken ct)
    {
        string[] paths = ["/healthz", "/api/sites?pageSize=50", "/api/sites?pageSize=500"];
        var samples = paths.Select(_ => new List<double>(rounds)).ToArray();
        var bytes = new int[paths.Length];
        for (var round = -10; round < rounds; round++)
            for (var p = 0; p < paths.Length; p++)
            {
                var start = Stopwatch.GetTimestamp();
                using var response = await _http.GetAsync(paths[p], ct);
                var body = await response.Content.ReadAsByteArrayAsync(ct);
                var ms = Timing.MsSince(start);
                if (response.StatusCode != HttpStatusCode.OK)
                    throw new InvalidOperationException($"GET {paths[p]}: {(int)response.StatusCode} {Encoding.UTF8.GetString(body)}");
                if (round < 0) continue;
                samples[p].Add(ms);
                bytes[p] = body.Length;
                if (round == 0 && p > 0) CheckTotal(paths[p], body, expectedSites);
            }
        return paths.Select((path, p) => new Latency("GET " + path, Summary.Of(samples[p]), bytes[p])).ToList();
    }

    private static void CheckTotal(string path, byte[] body, int expected)
    {
        using var page = JsonDocument.Parse(body);
        var total = page.RootElement.GetProperty("total").GetInt64();
        var items = page.RootElement.GetProperty("items").GetArrayLength();
        if (total != expected || items != Math.Min(expected, path.EndsWith("=50") ? 50 : 500))
            throw new InvalidOperationException($"GET {path}: total {total}, {items} items; expected {expected} sites");
    }

    private static async Task<JsonDocument> Expect(HttpResponseMessage response, HttpStatusCode status, string what, CancellationToken ct)
    {
        var text = await response.Content.ReadAsStringAsync(ct);
        if (response.StatusCode != status)
            throw new InvalidOperationException($"{what}: expected {(int)status}, got {(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text);
    }

    public void Dispose() => _http.Dispose();
}
