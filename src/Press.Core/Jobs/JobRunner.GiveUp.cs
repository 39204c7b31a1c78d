using Microsoft.Extensions.Logging;

namespace Press.Core.Jobs;

public sealed partial class JobRunner
{
    /// <summary>
    /// The job's last <see cref="JobRunnerOptions.MaxAbandonedClaims"/> claims all ended without recording anything, each
    /// time in <paramref name="stuck"/>: whatever kills the worker there will do so again. The job fails at that step,
    /// the way any failure does (its recipe's undo included), instead of looping forever.
    /// </summary>
    private async Task GiveUpAsync(ClaimedJob claim, JobRecipe recipe, JobStep stuck, CancellationToken ct)
    {
        var (job, lease) = (claim.Job, claim.Lease);
        LogGaveUp(job.Id, stuck.Name, claim.AbandonedClaims);
        var error = AbandonedError(stuck.Name, claim.AbandonedClaims, _options.MaxAbandonedClaims);
        if (recipe.Undo.Count > 0)
        {
            // The undo itself may be what kills the worker: once a give-up died too, the job ends without it.
            error += claim.AbandonedClaims == _options.MaxAbandonedClaims
                ? await UndoAsync(job, lease, recipe, await ReadSiteAsync(job, ct), stuck.Attempts, ct)
                : " — undo not run: the worker stopped during it as well; the site may need an operator";
        }
        await jobs.StepFinishedAsync(lease, stuck.Ordinal, StepState.Failed, null, error, ct);
        await jobs.FailAsync(lease, stuck.Name, error, recipe.FailureState(stuck.Name), ct);
    }

    internal static string AbandonedError(string step, int abandoned, int limit) =>
        $"step {step} was started {abandoned} times in a row by a worker that then stopped without recording any outcome " +
        "(killed, out of memory, shut down, or cut off from PostgreSQL for longer than its lease); it is not run again " +
        $"(Press:Jobs:MaxAbandonedClaims = {limit}). Look at the worker's log around the step's start, then retry the job from this step.";

    [LoggerMessage(LogLevel.Error, "Job {JobId}: gave up on step {Step}: its worker stopped {Count} times in a row without recording an outcome")]
    private partial void LogGaveUp(Guid jobId, string step, int count);
}
