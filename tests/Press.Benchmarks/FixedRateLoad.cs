using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;

namespace Press.Benchmarks;

/// <summary>One request kind of a fixed-rate run and what it must answer.</summary>
public sealed record RatePath(string Label, Func<int, string> Path);

/// <summary>A fixed-rate run's result for one request kind: latency (ms) and how many answers were not 200.</summary>
public sealed record RateResult(string Label, Summary Ms, int NotOk, string? FirstNotOk);

/// <summary>
/// An open-loop load at a fixed rate (requests per second), as many clients produce it: request i is due at start + i/rate
/// and is sent then whether or not earlier ones were answered, and its latency counts from when it was due. A closed loop
/// (<see cref="LoadGenerator"/>) would slow down with a slow server and hide the queueing it causes ("coordinated
/// omission"); a p99 at a stated rate needs this kind. The request kinds take turns.
/// </summary>
public static class FixedRateLoad
{
    public static async Task<IReadOnlyList<RateResult>> RunAsync(Uri baseUrl, string bearer, int perSecond, TimeSpan duration,
        IReadOnlyList<RatePath> paths, CancellationToken ct)
    {
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false, MaxConnectionsPerServer = 256, PooledConnectionLifetime = Timeout.InfiniteTimeSpan })
        { BaseAddress = baseUrl, Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        var total = (int)(perSecond * duration.TotalSeconds);
        var samples = paths.Select(_ => new List<double>(total)).ToArray();
        var notOk = new int[paths.Count];
        var firstNotOk = new string?[paths.Count];
        var sent = new List<Task>(total);
        var start = Stopwatch.GetTimestamp();
        for (var i = 0; i < total; i++)
        {
            var due = TimeSpan.FromSeconds((double)i / perSecond);
            var wait = due - Stopwatch.GetElapsedTime(start);
            if (wait > TimeSpan.Zero) await Task.Delay(wait, ct);
            var kind = i % paths.Count;
            var path = paths[kind].Path(i / paths.Count);
            sent.Add(SendAsync(http, path, start, due, kind, samples, notOk, firstNotOk, ct));
        }
        await Task.WhenAll(sent);
        return paths.Select((p, k) => new RateResult(p.Label, Summary.Of(samples[k]), notOk[k], firstNotOk[k])).ToList();
    }

    private static async Task SendAsync(HttpClient http, string path, long start, TimeSpan due, int kind, List<double>[] samples,
        int[] notOk, string?[] firstNotOk, CancellationToken ct)
    {
        using var response = await http.GetAsync(path, HttpCompletionOption.ResponseContentRead, ct);
        var ms = (Stopwatch.GetElapsedTime(start) - due).TotalMilliseconds;
        lock (samples[kind])
        {
            samples[kind].Add(ms);
            if (response.StatusCode != HttpStatusCode.OK && notOk[kind]++ == 0) firstNotOk[kind] = $"{(int)response.StatusCode} from GET {path}";
        }
    }
}
