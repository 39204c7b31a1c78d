using Press.Core.Standby;
using Press.Worker.Jobs;

namespace Press.Worker.Scheduling;

/// <summary>
/// Keeps the standby pool full (docs/architecture.md §17): every <see cref="WorkerOptions.StandbyRefillInterval"/> it
/// records a NewSite job for each standby the pool lacks, at most <see cref="WorkerOptions.MaxStandbyCreates"/> being
/// created at once. The standbys are ordinary jobs, so any worker runs them, a crash resumes them, and two workers'
/// refillers at most overshoot by one round (a claim takes the extra one).
/// </summary>
public sealed partial class StandbyRefiller(StandbyOperations standby, WorkerOptions options, TimeProvider time, ILogger<StandbyRefiller> logger)
    : BackgroundService
{
    /// <returns>The standby names whose NewSite job was recorded.</returns>
    public async Task<IReadOnlyList<string>> RunOnceAsync(CancellationToken ct)
    {
        var jobs = await standby.RefillAsync(options.MaxStandbyCreates, ct);
        foreach (var job in jobs) LogCreating(job.SiteName, job.Id);
        return jobs.Select(j => j.SiteName).ToList();
    }

    protected override async Task ExecuteAsync(CancellationToken stopping)
    {
        using var timer = new PeriodicTimer(options.StandbyRefillInterval, time);
        while (!stopping.IsCancellationRequested)
        {
            try { await RunOnceAsync(stopping); }
            catch (Exception ex) when (!stopping.IsCancellationRequested) { LogFailed(ex.Message); }
            try { if (!await timer.WaitForNextTickAsync(stopping)) break; }
            catch (OperationCanceledException) { break; }
        }
    }

    [LoggerMessage(LogLevel.Information, "Standby pool: creating {SiteName} (job {JobId})")]
    private partial void LogCreating(string siteName, Guid jobId);

    [LoggerMessage(LogLevel.Warning, "Standby refill pass failed: {Error}")]
    private partial void LogFailed(string error);
}
