using Press.Core.Jobs;
using Press.Core.Sites;

namespace Press.Core.Ports;

/// <summary>Durable job storage. Every write made while running is fenced by the worker's lease.</summary>
public interface IJobStore
{
    /// <summary>Claims the oldest runnable job (queued, due, or with an expired lease), or returns null.</summary>
    Task<Job?> ClaimNextAsync(string workerId, TimeSpan lease, CancellationToken ct);

    /// <returns>false when the lease was lost to another worker.</returns>
    Task<bool> RenewLeaseAsync(Guid jobId, string workerId, TimeSpan lease, CancellationToken ct);

    Task<Job?> GetAsync(Guid jobId, CancellationToken ct);

    /// <summary>When the next waiting or queued job becomes due, so an idle worker wakes exactly then.</summary>
    Task<DateTimeOffset?> NextDueAsync(CancellationToken ct);

    /// <summary>Marks the job Running and, when the recipe says so, the site's running state.</summary>
    Task StartAsync(Guid jobId, string workerId, SiteState? siteState, CancellationToken ct);

    Task StepStartedAsync(Guid jobId, string workerId, int ordinal, CancellationToken ct);

    Task StepFinishedAsync(Guid jobId, string workerId, int ordinal, StepState state, string? output, string? error, CancellationToken ct);

    /// <summary>Puts the job back to Waiting until <paramref name="runAfter"/>, releasing the lease.</summary>
    Task WaitAsync(Guid jobId, string workerId, int ordinal, DateTimeOffset runAfter, string? output, string? error, CancellationToken ct);

    /// <param name="siteState">null keeps the site's state.</param>
    Task SucceedAsync(Guid jobId, string workerId, SiteState? siteState, CancellationToken ct);

    /// <param name="siteState">null keeps the site's state.</param>
    Task FailAsync(Guid jobId, string workerId, string failedStep, string error, SiteState? siteState, CancellationToken ct);
}

/// <summary>The worker no longer holds the job's lease: another worker owns it now; stop touching it.</summary>
public sealed class LeaseLostException(Guid jobId) : Exception($"Lease on job {jobId} was lost.")
{
    public Guid JobId { get; } = jobId;
}
