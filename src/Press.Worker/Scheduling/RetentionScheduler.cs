using Press.Core.Audit;
using Press.Core.Ports;
using Press.Core.Sites;
using Press.Worker.Jobs;

namespace Press.Worker.Scheduling;

/// <summary>Purges soft-deleted sites whose retention window has ended (time from <see cref="TimeProvider"/>).</summary>
public sealed partial class RetentionScheduler(
    ISiteStore sites,
    SiteOperations operations,
    WorkerOptions options,
    TimeProvider time,
    ILogger<RetentionScheduler> logger) : BackgroundService
{
    private static readonly Actor Retention = Actor.System("retention");

    /// <returns>The names of the sites whose purge was enqueued.</returns>
    public async Task<IReadOnlyList<string>> RunOnceAsync(CancellationToken ct)
    {
        var enqueued = new List<string>();
        foreach (var site in await sites.ListExpiredDeletedAsync(time.GetUtcNow(), ct))
        {
            try
            {
                await operations.PurgeAsync(site.Name, Retention, ct);
                enqueued.Add(site.Name);
                LogPurgeEnqueued(site.Name, site.PurgeAfter);
            }
            catch (ConflictException ex)
            {
                // Another job got there first (an operator's purge, an undelete): leave it be.
                LogSkipped(site.Name, ex.Message);
            }
        }
        return enqueued;
    }

    protected override async Task ExecuteAsync(CancellationToken stopping)
    {
        using var timer = new PeriodicTimer(options.RetentionInterval, time);
        while (!stopping.IsCancellationRequested)
        {
            try { await RunOnceAsync(stopping); }
            catch (Exception ex) when (!stopping.IsCancellationRequested) { LogFailed(ex.Message); }
            try { if (!await timer.WaitForNextTickAsync(stopping)) break; }
            catch (OperationCanceledException) { break; }
        }
    }

    [LoggerMessage(LogLevel.Information, "Retention: purge of {SiteName} enqueued (retention ended {PurgeAfter})")]
    private partial void LogPurgeEnqueued(string siteName, DateTimeOffset? purgeAfter);

    [LoggerMessage(LogLevel.Information, "Retention: {SiteName} not purged now: {Reason}")]
    private partial void LogSkipped(string siteName, string reason);

    [LoggerMessage(LogLevel.Warning, "Retention pass failed: {Error}")]
    private partial void LogFailed(string error);
}
