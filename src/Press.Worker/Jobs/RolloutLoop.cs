using Press.Core.Rollouts;

namespace Press.Worker.Jobs;

/// <summary>
/// Drives every running fleet rollout (and follows the upgrades a paused or cancelled one left running) one tick per <see cref="WorkerOptions.RolloutInterval"/> (docs/architecture.md §19).
/// Each rollout is leased in the database while it is ticked, so several workers share the work and a worker killed
/// mid-tick leaves the rollout to the next lease holder after the lease (30 s) ends.
/// </summary>
public sealed partial class RolloutLoop(IRolloutStore rollouts, RolloutDriver driver, WorkerOptions options, TimeProvider time,
    ILogger<RolloutLoop> logger) : BackgroundService
{
    public static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);

    public async Task RunOnceAsync(CancellationToken ct)
    {
        foreach (var rollout in await rollouts.LeaseDueAsync(Lease, ct))
        {
            try { await driver.TickAsync(rollout, ct); }
            catch (Exception ex) when (!ct.IsCancellationRequested) { LogTickFailed(rollout.Id, ex.Message); }
            finally { await rollouts.ReleaseAsync(rollout.Id, CancellationToken.None); }
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stopping)
    {
        using var timer = new PeriodicTimer(options.RolloutInterval, time);
        while (!stopping.IsCancellationRequested)
        {
            try { await RunOnceAsync(stopping); }
            catch (Exception ex) when (!stopping.IsCancellationRequested) { LogFailed(ex.Message); }
            try { if (!await timer.WaitForNextTickAsync(stopping)) break; }
            catch (OperationCanceledException) { break; }
        }
    }

    [LoggerMessage(LogLevel.Warning, "Rollout {RolloutId}: tick failed, the next one carries on: {Error}")]
    private partial void LogTickFailed(Guid rolloutId, string error);

    [LoggerMessage(LogLevel.Warning, "Rollout loop pass failed: {Error}")]
    private partial void LogFailed(string error);
}
