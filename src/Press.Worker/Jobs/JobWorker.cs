using System.Collections.Concurrent;
using Press.Core.Jobs;
using Press.Core.Ports;
using Press.Infrastructure.Redis;

namespace Press.Worker.Jobs;

/// <summary>
/// Claims and runs jobs, up to <see cref="WorkerOptions.MaxConcurrentJobs"/> at once. Woken by Redis when a job is
/// enqueued; polls Postgres as well, faster while Redis is down. It never claims a job it is still running: a run whose
/// lease ran out (PostgreSQL was unreachable) may still be ending its step, and a second run here would overlap it.
/// </summary>
public sealed partial class JobWorker(
    IJobStore jobs,
    JobRunner runner,
    RedisJobSignals signals,
    WorkerOptions options,
    JobRunnerOptions runnerOptions,
    TimeProvider time,
    ILogger<JobWorker> logger) : BackgroundService
{
    public string WorkerId { get; } = $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid().ToString("N")[..8]}";

    private readonly SemaphoreSlim _wake = new(0);
    private readonly ConcurrentDictionary<Guid, byte> _running = new();
    private bool _subscribed;
    private bool _claimsFailing;

    /// <summary>The jobs this process is running now.</summary>
    public IReadOnlyCollection<Guid> Running => _running.Keys.ToArray();

    protected override async Task ExecuteAsync(CancellationToken stopping)
    {
        LogStarted(WorkerId, options.MaxConcurrentJobs);
        var inFlight = new List<Task>();
        while (!stopping.IsCancellationRequested)
        {
            await EnsureSubscribedAsync();
            try
            {
                while (_running.Count < options.MaxConcurrentJobs
                       && await jobs.ClaimNextAsync(WorkerId, runnerOptions.Lease, Running, stopping) is { } claim)
                {
                    _running[claim.Job.Id] = 0;
                    inFlight.Add(RunOneAsync(claim, stopping));
                }
                if (_claimsFailing) LogClaimsWorkAgain();
                _claimsFailing = false;
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                // Said once per outage, not at every poll: the lines that matter (which job stopped, why) stay visible.
                if (_claimsFailing) LogClaimStillFailing(ex.Message);
                else LogClaimFailed(ex.Message);
                _claimsFailing = true;
            }
            inFlight.RemoveAll(t => t.IsCompleted);
            var poll = signals.IsConnected && _subscribed ? options.IdlePollInterval : options.FallbackPollInterval;
            if (_running.Count < options.MaxConcurrentJobs) poll = await UntilNextDueAsync(poll, stopping);
            try { await _wake.WaitAsync(poll, stopping); }
            catch (OperationCanceledException) { break; }
        }
        await Task.WhenAll(inFlight);
    }

    /// <summary>Shortens the wait when a job waiting for a retry or a health probe is due sooner than the next poll.</summary>
    private async Task<TimeSpan> UntilNextDueAsync(TimeSpan poll, CancellationToken stopping)
    {
        try
        {
            if (await jobs.NextDueAsync(stopping) is not { } due) return poll;
            var wait = due - time.GetUtcNow();
            return wait < TimeSpan.Zero ? TimeSpan.FromMilliseconds(50) : wait < poll ? wait + TimeSpan.FromMilliseconds(10) : poll;
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            return poll; // stopping: the wait right after ends the loop
        }
        catch (Exception ex)
        {
            // The claim just before failed the same way and said so.
            LogNextDueFailed(ex.Message);
            return poll;
        }
    }

    private async Task RunOneAsync(ClaimedJob claim, CancellationToken stopping)
    {
        try
        {
            await runner.RunAsync(claim, stopping);
        }
        catch (Exception ex) when (!stopping.IsCancellationRequested)
        {
            // The job stays leased; when the lease expires a worker resumes it at the first unfinished step.
            LogRunCrashed(claim.Job.Id, ex.Message);
        }
        finally
        {
            _running.TryRemove(claim.Job.Id, out _);
            _wake.Release();
        }
    }

    private async Task EnsureSubscribedAsync()
    {
        if (_subscribed) return;
        try
        {
            await signals.SubscribeWakeAsync(() => _wake.Release());
            _subscribed = true;
        }
        catch (Exception)
        {
            // Redis is down: keep polling at the fallback interval and try again next round.
        }
    }

    [LoggerMessage(LogLevel.Information, "Worker {WorkerId} started; up to {Max} jobs at once")]
    private partial void LogStarted(string workerId, int max);

    [LoggerMessage(LogLevel.Warning, "Claiming jobs failed: {Error}")]
    private partial void LogClaimFailed(string error);

    [LoggerMessage(LogLevel.Debug, "Claiming jobs still fails: {Error}")]
    private partial void LogClaimStillFailing(string error);

    [LoggerMessage(LogLevel.Information, "Claiming jobs works again")]
    private partial void LogClaimsWorkAgain();

    [LoggerMessage(LogLevel.Debug, "Looking for the next due job failed: {Error}")]
    private partial void LogNextDueFailed(string error);

    [LoggerMessage(LogLevel.Error, "Job {JobId} stopped unexpectedly: {Error}")]
    private partial void LogRunCrashed(Guid jobId, string error);
}
