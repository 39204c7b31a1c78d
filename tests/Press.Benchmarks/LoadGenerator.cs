using System.Diagnostics;
using System.Net;

namespace Press.Benchmarks;

/// <summary>One HTTP target of a load run: the URL and Host header of request number i, and the status it must answer.</summary>
public sealed record LoadTarget(string Label, Func<int, (Uri Url, string Host)> Request, HttpStatusCode Expected);

/// <summary>A target's load, over one or more timed runs: requests per second and per-request latency (ms).</summary>
public sealed record LoadRun(string Label, int Loops, double Seconds, long Requests, long Unexpected, string? FirstUnexpected, Summary Ms)
{
    public double RequestsPerSecond => Requests / Seconds;
}

/// <summary>
/// A bounded closed-loop load generator on loopback: <c>loops</c> concurrent request loops (each sends its next request
/// when the last answer is read) for a fixed time, over one pooled handler (no proxy, keep-alive). A run stops by
/// itself at its deadline or after <see cref="MaxRequests"/>, whichever comes first. Runs of the same target add up
/// (<see cref="Samples"/>), so targets can be measured interleaved (A B B A) and drift hits both alike.
/// </summary>
public sealed class LoadGenerator : IDisposable
{
    public const long MaxRequests = 5_000_000;

    private readonly HttpClient _http = new(new SocketsHttpHandler
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        AutomaticDecompression = DecompressionMethods.None,
        UseCookies = false,
        PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
        MaxConnectionsPerServer = 1024,
    })
    { Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>Everything measured of one target so far.</summary>
    public sealed class Samples(LoadTarget target, int loops)
    {
        private readonly List<double> _ms = new(200_000);
        private long _unexpected;
        private string? _firstUnexpected;

        public LoadTarget Target => target;
        public int Loops => loops;
        public double Seconds { get; private set; }

        internal void Add(double seconds, IEnumerable<List<double>> ms, long unexpected, string? firstUnexpected)
        {
            Seconds += seconds;
            foreach (var list in ms) _ms.AddRange(list);
            _unexpected += unexpected;
            _firstUnexpected ??= firstUnexpected;
        }

        public LoadRun Result() => new(target.Label, loops, Seconds, _ms.Count, _unexpected, _firstUnexpected, Summary.Of(_ms));
    }

    /// <summary>Sends requests from <c>loops</c> loops for <paramref name="duration"/>; <paramref name="into"/> null = warm-up.</summary>
    public async Task RunAsync(LoadTarget target, int loops, TimeSpan duration, Samples? into, CancellationToken ct)
    {
        long requests = 0, unexpected = 0;
        string? firstUnexpected = null;
        var ms = Enumerable.Range(0, loops).Select(_ => new List<double>(100_000)).ToArray();
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, loops).Select(async loop =>
        {
            for (var i = loop; clock.Elapsed < duration && Interlocked.Read(ref requests) < MaxRequests; i += loops)
            {
                var (url, host) = target.Request(i);
                using var request = new HttpRequestMessage(HttpMethod.Get, url);
                request.Headers.Host = host;
                var start = Stopwatch.GetTimestamp();
                using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, ct);
                ms[loop].Add(Timing.MsSince(start));
                Interlocked.Increment(ref requests);
                if (response.StatusCode != target.Expected && Interlocked.Increment(ref unexpected) == 1)
                    firstUnexpected = $"{(int)response.StatusCode} from {url} (Host {host}): {await response.Content.ReadAsStringAsync(ct)}";
            }
        }));
        into?.Add(clock.Elapsed.TotalSeconds, ms, unexpected, firstUnexpected);
    }

    public void Dispose() => _http.Dispose();
}
