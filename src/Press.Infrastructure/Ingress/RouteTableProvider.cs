using System.Diagnostics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Press.Core.Ports;
using Press.Core.Routing;
using Press.Infrastructure.Redis;

namespace Press.Infrastructure.Ingress;

/// <summary>
/// Keeps the current route table: reads the cheap stamp when any job makes progress (a Redis message: a job's end is
/// what changes a route) and at least every <see cref="IngressOptions.RefreshInterval"/> (for changes made outside
/// jobs, and while Redis is down), and re-plans only when the stamp moved — so a state change is routed a few tens of
/// milliseconds after its job ends, without reloading 1,000 routes four times a second.
/// </summary>
public sealed partial class RouteTableProvider(IRouteSource source, IngressOptions options, ILogger<RouteTableProvider> logger,
    IJobChanges? changes = null) : BackgroundService
{
    /// <summary>The least time between two refreshes a burst of job messages causes: at most 20 stamp reads a second
    /// while a thousand sites are created.</summary>
    public static readonly TimeSpan MinRefreshSpacing = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan ResubscribeAfter = TimeSpan.FromSeconds(10);

    private string? _stamp;
    // Released by a job message; its count of at most one coalesces a burst into one refresh.
    private readonly SemaphoreSlim _changed = new(0, 1);
    // The refresh loop and callers (GET /api/ingress/traefik refreshes before it renders) must not interleave: a slow
    // load finishing last would put an older table back in place.
    private readonly SemaphoreSlim _gate = new(1, 1);

    public RouteTable Current { get; private set; } = RouteTable.Empty;

    /// <summary>Raised after a new table is in place.</summary>
    public event Action<RouteTable>? Changed;

    /// <summary>Re-plans if the stamp moved; returns whether the table changed.</summary>
    public async Task<bool> RefreshAsync(CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            var stamp = await source.StampAsync(ct);
            if (stamp == _stamp) return false;
            var table = RoutePlanner.Plan(await source.LoadAsync(ct), options.PressHost);
            Current = table;
            _stamp = stamp;
            LogReloaded(table.Routes.Count);
            Changed?.Invoke(table);
            return true;
        }
        finally
        {
            _gate.Release();
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stopping)
    {
        IAsyncDisposable? subscription = null;
        long? lastAttempt = null;
        try
        {
            do
            {
                if (subscription is null && changes is not null
                    && (lastAttempt is not { } last || Stopwatch.GetElapsedTime(last) >= ResubscribeAfter))
                {
                    lastAttempt = Stopwatch.GetTimestamp();
                    subscription = await TrySubscribeAsync(changes);
                }
                try { await RefreshAsync(stopping); }
                catch (Exception ex) when (!stopping.IsCancellationRequested) { LogFailed(ex.Message); }
            }
            while (await WaitAsync(stopping));
        }
        finally
        {
            if (subscription is not null)
                try { await subscription.DisposeAsync(); } catch (Exception) { /* Redis gone at shutdown: nothing to undo */ }
        }
    }

    private async Task<IAsyncDisposable?> TrySubscribeAsync(IJobChanges source)
    {
        try { return await source.SubscribeChangesAsync(OnJobChanged); }
        catch (Exception ex)
        {
            LogSubscribeFailed(ex.Message);
            return null;
        }
    }

    private void OnJobChanged()
    {
        try { _changed.Release(); }
        catch (SemaphoreFullException) { /* a refresh is already due */ }
    }

    /// <summary>Waits for a job message or the poll interval, whichever comes first; false when stopping.</summary>
    private async Task<bool> WaitAsync(CancellationToken ct)
    {
        try
        {
            await Task.Delay(MinRefreshSpacing, ct);
            var rest = options.RefreshInterval - MinRefreshSpacing;
            if (rest > TimeSpan.Zero) await _changed.WaitAsync(rest, ct);
            return true;
        }
        catch (OperationCanceledException) { return false; }
    }

    [LoggerMessage(LogLevel.Debug, "Route table reloaded: {Count} routes")]
    private partial void LogReloaded(int count);

    [LoggerMessage(LogLevel.Information, "Route table: no job messages from Redis ({Error}); polling every refresh interval, subscribing again in 10 s")]
    private partial void LogSubscribeFailed(string error);

    [LoggerMessage(LogLevel.Warning, "Route table refresh failed (keeping the last table): {Error}")]
    private partial void LogFailed(string error);
}
