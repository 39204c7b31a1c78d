using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Press.Core.Ports;
using Press.Core.Routing;

namespace Press.Infrastructure.Ingress;

/// <summary>
/// Keeps the current route table: polls the cheap stamp every <see cref="IngressOptions.RefreshInterval"/> and
/// re-plans only when it changed, so a state change is routed within a second without reloading 1,000 routes
/// four times a second.
/// </summary>
public sealed partial class RouteTableProvider(IRouteSource source, IngressOptions options, ILogger<RouteTableProvider> logger)
    : BackgroundService
{
    private string? _stamp;
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
        using var timer = new PeriodicTimer(options.RefreshInterval);
        do
        {
            try { await RefreshAsync(stopping); }
            catch (Exception ex) when (!stopping.IsCancellationRequested) { LogFailed(ex.Message); }
        }
        while (await Tick(timer, stopping));
    }

    private static async Task<bool> Tick(PeriodicTimer timer, CancellationToken ct)
    {
        try { return await timer.WaitForNextTickAsync(ct); }
        catch (OperationCanceledException) { return false; }
    }

    [LoggerMessage(LogLevel.Debug, "Route table reloaded: {Count} routes")]
    private partial void LogReloaded(int count);

    [LoggerMessage(LogLevel.Warning, "Route table refresh failed (keeping the last table): {Error}")]
    private partial void LogFailed(string error);
}
