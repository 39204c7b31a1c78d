using Microsoft.Extensions.Logging;
using Press.Core.Ports;

namespace Press.Core.Jobs;

/// <summary>
/// Keeps one claim's lease alive while its job runs, and stops the run (cancels <see cref="Token"/>, which the running
/// step's child processes are killed on) as soon as the lease may belong to someone else: when the store answers that
/// the job was claimed again, or when no renewal got through for a whole lease period — by then the database may have
/// handed the job to another worker, and a step that ran on blind would run beside its successor's.
/// </summary>
/// <remarks>
/// The deadline runs on this process's monotonic clock from the moment the last successful renewal was SENT. The
/// database computed that renewal's expiry from its own now, which came later, so this run always stops before the
/// database can call the lease expired. (The runner's first write renews the lease, right after this starts.)
/// Renewals are tried every third of the lease; after a failure every tenth, so a short outage costs nothing.
/// </remarks>
internal sealed partial class LeaseKeeper : IAsyncDisposable
{
    private readonly IJobStore _jobs;
    private readonly JobLease _lease;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop;
    private readonly Task _loop;
    private long _lastRenewalSent;

    public LeaseKeeper(IJobStore jobs, JobLease lease, TimeProvider time, ILogger logger, CancellationToken stopping)
    {
        (_jobs, _lease, _time, _logger) = (jobs, lease, time, logger);
        _stop = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        _lastRenewalSent = time.GetTimestamp();
        _loop = KeepAsync();
    }

    /// <summary>Cancelled when the lease is gone or the worker stops.</summary>
    public CancellationToken Token => _stop.Token;

    private TimeSpan Every => _lease.Length / 3;
    private TimeSpan RetryEvery => _lease.Length / 10;
    private TimeSpan Left => _lease.Length - _time.GetElapsedTime(_lastRenewalSent);

    private async Task KeepAsync()
    {
        try
        {
            await Task.Delay(Every, _time, Token);
            while (true)
            {
                var renewed = await TryRenewAsync();
                if (Token.IsCancellationRequested) return;
                if (renewed)
                {
                    await Task.Delay(Every, _time, Token);
                    continue;
                }
                var left = Left;
                if (left <= TimeSpan.Zero)
                {
                    LogNotRenewed(_lease.JobId, _lease.Length);
                    await _stop.CancelAsync();
                    return;
                }
                await Task.Delay(left < RetryEvery ? left : RetryEvery, _time, Token);
            }
        }
        catch (OperationCanceledException) when (Token.IsCancellationRequested)
        {
            // the run ended, or the worker stops
        }
    }

    /// <returns>true when the lease was renewed; false when this attempt failed (the caller decides whether to go on).</returns>
    private async Task<bool> TryRenewAsync()
    {
        var sent = _time.GetTimestamp();
        var left = Left;
        // A renewal that hangs (a connection that went silent) must not carry this run past its deadline.
        using var limit = new CancellationTokenSource(left > RetryEvery ? left : RetryEvery, _time);
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(limit.Token, Token);
        try
        {
            if (await _jobs.RenewLeaseAsync(_lease, attempt.Token))
            {
                _lastRenewalSent = sent;
                return true;
            }
            LogClaimedAgain(_lease.JobId);
            await _stop.CancelAsync();
            return false;
        }
        catch (OperationCanceledException) when (!Token.IsCancellationRequested)
        {
            LogRenewFailed(_lease.JobId, "no answer", left);
            return false;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogRenewFailed(_lease.JobId, ex.Message, left);
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }

    [LoggerMessage(LogLevel.Warning, "Job {JobId}: lease renewal failed ({Error}); the run stops in {Left} unless a renewal gets through")]
    private partial void LogRenewFailed(Guid jobId, string error, TimeSpan left);

    [LoggerMessage(LogLevel.Warning, "Job {JobId}: no lease renewal got through for {Lease}; stopping the run here, because another worker may hold the job by now — it resumes at this step once the lease is free")]
    private partial void LogNotRenewed(Guid jobId, TimeSpan lease);

    [LoggerMessage(LogLevel.Warning, "Job {JobId}: the job was claimed again by another run; stopping without writing anything more")]
    private partial void LogClaimedAgain(Guid jobId);
}
