namespace Press.Core.Jobs;

/// <summary>
/// One claim of a job. <paramref name="Token"/> is random and new for every claim; the store fences every write made
/// under the claim on it, so once the job was claimed again (its lease ran out) the earlier claimant can write nothing
/// more — whatever its worker id, whatever its clock says.
/// </summary>
/// <param name="Length">How long the lease holds after each renewal, by the database's clock.</param>
public sealed record JobLease(Guid JobId, string WorkerId, Guid Token, TimeSpan Length);

/// <summary>A job as a worker claimed it.</summary>
/// <param name="AbandonedClaims">
/// Claims in a row, before this one, that ended without recording any outcome (no step finished, no wait, no end):
/// their worker was killed, stopped, or cut off from PostgreSQL for longer than its lease, each time in the same step.
/// </param>
public sealed record ClaimedJob(Job Job, JobLease Lease, int AbandonedClaims);
