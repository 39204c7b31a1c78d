using Press.Core.Audit;
using Press.Core.Backups;
using Press.Core.Ports;
using Press.Core.Sites;
using Press.Worker.Jobs;

namespace Press.Worker.Scheduling;

/// <summary>What one pass of the <see cref="BackupScheduler"/> did.</summary>
/// <param name="BackupsEnqueued">Sites whose scheduled backup was enqueued.</param>
/// <param name="Pruned">Backups whose objects were deleted and that are now marked pruned.</param>
/// <param name="VerificationsEnqueued">Sites whose newest good backup's verification was enqueued.</param>
/// <param name="DiscardsEnqueued">Restore jobs whose rollback data's discard was enqueued.</param>
public sealed record BackupPass(
    IReadOnlyList<string> BackupsEnqueued,
    IReadOnlyList<Guid> Pruned,
    IReadOnlyList<string> VerificationsEnqueued,
    IReadOnlyList<Guid> DiscardsEnqueued);

/// <summary>
/// The worker's backup duties (docs/architecture.md §6), each pass (time from <see cref="TimeProvider"/>): scheduled backups
/// spread over the window (<see cref="BackupSchedule"/>), pruning of expired backups, periodic restore verification
/// of each site's newest good backup, and the end of restores' rollback windows.
/// </summary>
public sealed partial class BackupScheduler(
    ISettingsStore settingsStore,
    IBackupStore backups,
    IRestoreLog restores,
    ISiteStore sites,
    IObjectStore objects,
    SiteOperations operations,
    WorkerOptions options,
    TimeProvider time,
    ILogger<BackupScheduler> logger) : BackgroundService
{
    private static readonly Actor Scheduler = Actor.System("scheduler");

    /// <summary>A fresh backup is left alone this long before it is verified.</summary>
    public static readonly TimeSpan VerifySettle = TimeSpan.FromHours(1);

    /// <summary>How long a verification or discard enqueued by this worker is not enqueued again (its job records
    /// the outcome; should it fail without recording one, the next attempt waits this long rather than one pass).</summary>
    public static readonly TimeSpan RetryAfter = TimeSpan.FromHours(1);

    private readonly Dictionary<Guid, DateTimeOffset> _recentVerifications = new();
    private readonly Dictionary<Guid, DateTimeOffset> _recentDiscards = new();

    public async Task<BackupPass> RunOnceAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var settings = await settingsStore.GetAsync(ct);
        var summaries = await backups.SummariesAsync(ct);
        var live = summaries.Where(s => s.State is SiteState.Active or SiteState.Suspended).ToList();

        var enqueued = new List<string>();
        foreach (var site in live)
        {
            if (!BackupSchedule.IsDue(settings.BackupSchedule, site.SiteId, settings.BackupSpreadMinutes, now, site.SiteCreatedAt, site.LastScheduledAt))
                continue;
            if (await TryAsync(site.SiteName, "scheduled backup", () => operations.BackupAsync(site.SiteName, Scheduler, ct, BackupTrigger.Scheduled)))
            {
                enqueued.Add(site.SiteName);
                LogBackupEnqueued(site.SiteName);
            }
        }

        var pruned = await PruneAsync(now, ct);
        // Ending a rollback window before verifications: a verification enqueued first would keep the site busy.
        var discards = await DiscardAsync(now, ct);
        var verifications = await VerifyAsync(live, settings.BackupVerifyEveryDays, now, ct);
        return new BackupPass(enqueued, pruned, verifications, discards);
    }

    private async Task<List<Guid>> PruneAsync(DateTimeOffset now, CancellationToken ct)
    {
        var pruned = new List<Guid>();
        foreach (var backup in await backups.ListPrunableAsync(now, ct))
        {
            try
            {
                // Also what a failed attempt uploaded but never recorded (a data part of a larger plan, say).
                var listed = new List<string>();
                await foreach (var item in objects.ListAsync(BackupParts.BackupPrefix(backup.SiteId, backup.Id), ct)) listed.Add(item.Key);
                var keys = backup.Parts.Select(p => p.Key)
                    .Concat(BackupParts.All.Select(part => BackupParts.Key(backup.SiteId, backup.Id, part)))
                    .Concat(listed)
                    .Distinct(StringComparer.Ordinal);
                foreach (var key in keys)
                    await objects.DeleteAsync(key, ct);
                await backups.MarkPrunedAsync(backup.Id, now, ct);
                pruned.Add(backup.Id);
                LogPruned(backup.Id, backup.SiteName, backup.ExpiresAt);
            }
            catch (Exception ex) when (!ct.IsCancellationRequested)
            {
                // One backup's store error must not keep the others from being pruned; the next pass tries again.
                LogPruneFailed(backup.Id, backup.SiteName, ex.Message);
            }
        }
        return pruned;
    }

    private async Task<List<string>> VerifyAsync(List<SiteBackupSummary> live, int verifyEveryDays, DateTimeOffset now, CancellationToken ct)
    {
        Forget(_recentVerifications, now);
        var candidates = live
            .Where(s => s.NewestGoodId is { } id && s.NewestGoodAt is { } goodAt && goodAt <= now - VerifySettle
                        && (s.LastVerifiedAt is not { } at || at <= now - TimeSpan.FromDays(verifyEveryDays))
                        && !_recentVerifications.ContainsKey(id))
            .OrderBy(s => s.LastVerifiedAt ?? DateTimeOffset.MinValue) // never verified first, then the longest ago
            .ThenBy(s => s.NewestGoodAt)
            .Take(Math.Max(0, options.MaxVerificationsPerPass));
        var enqueued = new List<string>();
        foreach (var site in candidates)
        {
            if (await TryAsync(site.SiteName, "verification", () => operations.VerifyBackupAsync(site.SiteName, Scheduler, ct)))
            {
                _recentVerifications[site.NewestGoodId!.Value] = now;
                enqueued.Add(site.SiteName);
                LogVerifyEnqueued(site.SiteName, site.NewestGoodId!.Value, site.LastVerifiedAt);
            }
        }
        return enqueued;
    }

    private async Task<List<Guid>> DiscardAsync(DateTimeOffset now, CancellationToken ct)
    {
        Forget(_recentDiscards, now);
        var enqueued = new List<Guid>();
        foreach (var restore in await restores.ListExpiredAsync(now, ct))
        {
            if (_recentDiscards.ContainsKey(restore.JobId)) continue;
            var site = await sites.GetAsync(restore.SiteId, ct);
            if (site is null) continue;
            if (await TryAsync(site.Name, "discard of restore data", () => operations.DiscardRestoreAsync(site.Name, restore.JobId, Scheduler, ct)))
            {
                _recentDiscards[restore.JobId] = now;
                enqueued.Add(restore.JobId);
                LogDiscardEnqueued(site.Name, restore.RestoreId, restore.RollbackUntil);
            }
        }
        return enqueued;
    }

    /// <returns>false when the site is busy or not in a state for it (the next pass tries again).</returns>
    private async Task<bool> TryAsync(string siteName, string what, Func<Task> enqueue)
    {
        try
        {
            await enqueue();
            return true;
        }
        catch (ConflictException ex)
        {
            LogSkipped(what, siteName, ex.Message);
            return false;
        }
        catch (NotFoundException ex)
        {
            LogSkipped(what, siteName, ex.Message);
            return false;
        }
    }

    private static void Forget(Dictionary<Guid, DateTimeOffset> recent, DateTimeOffset now)
    {
        foreach (var (id, at) in recent.ToList())
            if (now - at >= RetryAfter) recent.Remove(id);
    }

    protected override async Task ExecuteAsync(CancellationToken stopping)
    {
        using var timer = new PeriodicTimer(options.BackupSchedulerInterval, time);
        while (!stopping.IsCancellationRequested)
        {
            try { await RunOnceAsync(stopping); }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested) { break; }
            catch (Exception ex) when (!stopping.IsCancellationRequested) { LogFailed(ex.Message); }
            try { if (!await timer.WaitForNextTickAsync(stopping)) break; }
            catch (OperationCanceledException) { break; }
        }
    }

    [LoggerMessage(LogLevel.Information, "Backups: scheduled backup of {SiteName} enqueued")]
    private partial void LogBackupEnqueued(string siteName);

    [LoggerMessage(LogLevel.Information, "Backups: backup {BackupId} of {SiteName} pruned (expired {ExpiresAt})")]
    private partial void LogPruned(Guid backupId, string siteName, DateTimeOffset expiresAt);

    [LoggerMessage(LogLevel.Warning, "Backups: pruning backup {BackupId} of {SiteName} failed, retried next pass: {Error}")]
    private partial void LogPruneFailed(Guid backupId, string siteName, string error);

    [LoggerMessage(LogLevel.Information, "Backups: verification of {SiteName}'s backup {BackupId} enqueued (last verified {LastVerifiedAt})")]
    private partial void LogVerifyEnqueued(string siteName, Guid backupId, DateTimeOffset? lastVerifiedAt);

    [LoggerMessage(LogLevel.Information, "Backups: discard of {SiteName}'s restore {RestoreId} data enqueued (rollback window ended {RollbackUntil})")]
    private partial void LogDiscardEnqueued(string siteName, string restoreId, DateTimeOffset rollbackUntil);

    [LoggerMessage(LogLevel.Information, "Backups: {What} of {SiteName} not enqueued now: {Reason}")]
    private partial void LogSkipped(string what, string siteName, string reason);

    [LoggerMessage(LogLevel.Warning, "Backup scheduler pass failed: {Error}")]
    private partial void LogFailed(string error);
}
