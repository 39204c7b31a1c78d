using Press.Core.Sites;

namespace Press.Core.Jobs;

/// <summary>
/// One named, idempotent step. It looks at the real state first and treats "already done" as success, because a
/// crashed worker's step runs again on another worker.
/// </summary>
public interface IJobStep
{
    string Name { get; }
    Task<StepResult> RunAsync(StepContext context, CancellationToken cancellationToken);
}

/// <param name="Site">The site as it was when the step started.</param>
/// <param name="Lease">The claim the step runs under: writes a step makes to its job's own records (a backup's parts) are
/// fenced on it, so a run that lost its lease cannot overwrite its successor's.</param>
public sealed record StepContext(Job Job, Site Site, int Attempt, JobLease Lease);
