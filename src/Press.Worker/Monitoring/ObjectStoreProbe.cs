using Press.Core.Ports;

using Press.Worker.Jobs;

namespace Press.Worker.Monitoring;

/// <summary>
/// Whether the backup store answers and takes writes (list, write and delete a probe object, the start-up check's
/// work), checked at start and every Press:Worker:ObjectStoreProbeInterval: <c>press_object_store_up</c>,
/// so an operator hears of a revoked key or a full store before the night's backups fail (docs/architecture.md §13).
/// </summary>
public sealed partial class ObjectStoreProbe(IObjectStore store, WorkerOptions options, TimeProvider time, ILogger<ObjectStoreProbe> logger)
    : BackgroundService
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private volatile int _up = -1; // -1: not probed yet (no sample)

    /// <summary>1 or 0 after a probe; null before the first.</summary>
    public int? Up => _up < 0 ? null : _up;

    /// <returns>null when the store is ready, else why not.</returns>
    public async Task<string?> ProbeAsync(CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(Timeout);
        try
        {
            await store.EnsureReadyAsync(timeout.Token);
            _up = 1;
            return null;
        }
        catch (Exception ex) when (!ct.IsCancellationRequested)
        {
            _up = 0;
            return ex.Message;
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            try { await Task.Delay(options.ObjectStoreProbeInterval, time, stopping); }
            catch (OperationCanceledException) { return; }
            var wasUp = _up;
            if (await ProbeAsync(stopping) is { } error && wasUp != 0) LogDown(store.Describe, error);
            else if (_up == 1 && wasUp == 0) LogBack(store.Describe);
        }
    }

    [LoggerMessage(LogLevel.Error, "Backup store {Store} stopped answering; backups will fail until it does: {Error}")]
    private partial void LogDown(string store, string error);

    [LoggerMessage(LogLevel.Information, "Backup store {Store} answers again")]
    private partial void LogBack(string store);
}
