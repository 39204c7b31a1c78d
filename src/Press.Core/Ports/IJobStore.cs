using Press.Core.Jobs;
using Press.Core.Sites;

namespace Press.Core.Ports;

/// <summary>
/// Durable job storage. Every write made while running is fenced by the claim's <see cref="JobLease.Token"/>: it lands
/// only while no later claim of the job happened, and throws <see cref="LeaseLostException"/> otherwise. Lease times are
/// the database's, never a worker's clock. Writes ride out short outages (transient errors are retried until
/// <c>ct</c> ends); the runner bounds them by the lease.
/// </summary>
public interface IJobStore
{
    /// <summary>
    /// Claims the oldest runnable job (queued or waiting and due by this worker's clock, or running with a lease that ran
    /// out by the database's clock) with a fresh token, or returns null. Jobs in <paramref name="running"/> are never
    /// taken: this process is still running them, whatever their lease says.
    /// </summary>
    Task<ClaimedJob?> ClaimNextAsync(string workerId, TimeSpan lease, IReadOnlyCollection<Guid> running, CancellationToken ct);

    /// <summary>Extends the lease by its length from the database's now. One attempt: the caller decides when to try again.</summary>
    /// <returns>false when the job was claimed again since (or is no longer running): the lease is gone for good.</returns>
    Task<bool> RenewLeaseAsync(JobLease lease, CancellationToken ct);

    Task<Job?> GetAsync(Guid jobId, CancellationToken ct);

    /// <summary>When the next waiting or queued job becomes due, so an idle worker wakes exactly then.</summary>
    Task<DateTimeOffset?> NextDueAsync(CancellationToken ct);

    /// <summary>Marks the job started, renews the lease, and sets the recipe's running state of the site.</summary>
    Task StartAsync(JobLease lease, SiteState? siteState, CancellationToken ct);

    /// <summary>Marks the step Running and counts an attempt (once per claim, even when a retried write lands twice).</summary>
    Task StepStartedAsync(JobLease lease, int ordinal, CancellationToken ct);

    Task StepFinishedAsync(JobLease lease, int ordinal, StepState state, string? output, string? error, CancellationToken ct);

    /// <summary>Puts the job back to Waiting until <paramref name="runAfter"/>, releasing the lease.</summary>
    Task WaitAsync(JobLease lease, int ordinal, DateTimeOffset runAfter, string? output, string? error, CancellationToken ct);

    /// <param name="siteState">null keeps the site's state.</param>
    Task SucceedAsync(JobLease lease, SiteState? siteState, CancellationToken ct);

    /// <summary>
    /// <see cref="StartAsync"/> and <see cref="StepStartedAsync"/> of the run's first step as ONE write (one commit
    /// instead of two: issue 15's job engine). Fenced and idempotent like each of them. The default makes the two writes.
    /// </summary>
    async Task StartWithStepAsync(JobLease lease, SiteState? siteState, int ordinal, CancellationToken ct)
    {
        await StartAsync(lease, siteState, ct);
        await StepStartedAsync(lease, ordinal, ct);
    }

    /// <summary>
    /// <see cref="StepFinishedAsync"/> of the job's last step (Succeeded or Skipped) and <see cref="SucceedAsync"/> as ONE
    /// write: the job can no longer be left Running with every step done. The default makes the two writes.
    /// </summary>
    async Task FinishLastStepAsync(JobLease lease, int ordinal, StepState state, string? output, SiteState? siteState, CancellationToken ct)
    {
        await StepFinishedAsync(lease, ordinal, state, output, null, ct);
        await SucceedAsync(lease, siteState, ct);
    }

    /// <param name="siteState">null keeps the site's state.</param>
    Task FailAsync(JobLease lease, string failedStep, string error, SiteState? siteState, CancellationToken ct);
}

/// <summary>The job was claimed again since this claim: another run owns it now; stop touching it.</summary>
public sealed class LeaseLostException(Guid jobId) : Exception($"Lease on job {jobId} was lost.")
{
    public Guid JobId { get; } = jobId;
}
