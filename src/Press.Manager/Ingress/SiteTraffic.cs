using System.Collections.Concurrent;
using Press.Core.Ports;

namespace Press.Manager.Ingress;

/// <summary>
/// Requests and 5xx answers per site through the embedded proxy (docs/architecture.md §15): two interlocked counters
/// per site in memory — nothing per request but an increment — added to <c>site_usage</c> by <see cref="TrafficFlusher"/>.
/// Requests Traefik sends straight to a runner are not seen here.
/// </summary>
public sealed class SiteTraffic
{
    private sealed class Counts
    {
        public long Requests;
        public long Errors5xx;
    }

    private readonly ConcurrentDictionary<string, Counts> _counts = new(StringComparer.Ordinal);

    public void Count(string site, int status)
    {
        var counts = _counts.GetOrAdd(site, _ => new Counts());
        Interlocked.Increment(ref counts.Requests);
        if (status >= 500) Interlocked.Increment(ref counts.Errors5xx);
    }

    /// <summary>Takes what was counted since the last call (and leaves zero behind).</summary>
    public IReadOnlyDictionary<string, (long Requests, long Errors5xx)> Take()
    {
        var taken = new Dictionary<string, (long, long)>();
        foreach (var (site, counts) in _counts)
        {
            var requests = Interlocked.Exchange(ref counts.Requests, 0);
            var errors = Interlocked.Exchange(ref counts.Errors5xx, 0);
            if (requests > 0 || errors > 0) taken[site] = (requests, errors);
        }
        return taken;
    }

    /// <summary>Puts counts back that could not be written, so a failed flush loses nothing.</summary>
    public void Return(IReadOnlyDictionary<string, (long Requests, long Errors5xx)> counts)
    {
        foreach (var (site, (requests, errors)) in counts)
        {
            var c = _counts.GetOrAdd(site, _ => new Counts());
            Interlocked.Add(ref c.Requests, requests);
            Interlocked.Add(ref c.Errors5xx, errors);
        }
    }
}

/// <summary>Adds the proxy's counts to <c>site_usage</c> every <see cref="IngressOptions.TrafficFlushInterval"/> and at shutdown.</summary>
public sealed partial class TrafficFlusher(SiteTraffic traffic, ISiteUsageStore store, Press.Infrastructure.Ingress.IngressOptions options,
    TimeProvider time, ILogger<TrafficFlusher> logger) : BackgroundService
{
    public async Task FlushAsync(CancellationToken ct)
    {
        var counts = traffic.Take();
        try { await store.AddTrafficAsync(counts, time.GetUtcNow(), ct); }
        catch (Exception ex)
        {
            traffic.Return(counts);
            LogFailed(ex.Message);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stopping)
    {
        using var timer = new PeriodicTimer(options.TrafficFlushInterval, time);
        try { while (await timer.WaitForNextTickAsync(stopping)) await FlushAsync(stopping); }
        catch (OperationCanceledException) { }
        await FlushAsync(CancellationToken.None);
    }

    [LoggerMessage(LogLevel.Warning, "Usage: the proxy's request counts could not be written (kept for the next flush): {Error}")]
    private partial void LogFailed(string error);
}
