using Press.Core.Audit;
using Press.Core.Jobs;
using Press.Core.Ports;
using Press.Core.Sites.Steps;

namespace Press.Core.Rehearsals;

// The steps of an upgrade rehearsal on a scratch copy (docs/architecture.md §20); the others are the restore's, the
// upgrade's and the purge's own. Every one acts on the job's site — the scratch — never on the live site.

/// <summary>Refuses to run a rehearsal that already ended (a retry after the undo dropped its scratch): its answer is
/// recorded, and a new rehearsal is a new job with a new scratch.</summary>
public sealed class CheckRehearsalStep(IRehearsalStore rehearsals) : IJobStep
{
    public string Name => StepNames.CheckRehearsal;

    public async Task<StepResult> RunAsync(StepContext c, CancellationToken ct)
    {
        var rehearsal = await rehearsals.GetAsync(c.Job.Id, ct);
        if (RehearsalRules.WhyNotRun(rehearsal, c.Job.Id) is { } why) return StepResult.Permanent(why);
        return StepResult.Ok($"rehearsing {rehearsal!.SiteName} on {rehearsal.Image} from backup {rehearsal.BackupId}, as scratch site {c.Site.Name}");
    }
}

/// <summary>
/// <c>bench migrate</c> on the scratch copy, timed, with its output recorded on the rehearsal whether it passes or fails
/// (a failed migrate's traceback is the answer the operator wants). A crash mid-migrate runs it again: Frappe's migrate
/// skips the patches it already logged (docs/frappe.md §2), and the time recorded is the last run's.
/// </summary>
public sealed class RehearseMigrateStep(ISiteRuntime runtime, IRehearsalStore rehearsals, TimeProvider time) : IJobStep
{
    public string Name => StepNames.RehearseMigrate;

    public async Task<StepResult> RunAsync(StepContext c, CancellationToken ct)
    {
        var started = time.GetTimestamp();
        try
        {
            var outcome = await runtime.MigrateAsync(c.Site, ct);
            var took = time.GetElapsedTime(started);
            if (!outcome.Applied) return StepResult.Skip(outcome.Message);
            await rehearsals.SaveMigrateAsync(c.Job.Id, took, succeeded: true, RehearsalRules.Tail(outcome.Message), ct);
            return StepResult.Ok($"migrate took {took.TotalSeconds:0.0} s: {outcome.Message}");
        }
        catch (StepFailedException failed)
        {
            var took = time.GetElapsedTime(started);
            await rehearsals.SaveMigrateAsync(c.Job.Id, took, succeeded: false, RehearsalRules.Tail(failed.Message), ct);
            return new StepResult.Fail(failed.Kind, $"migrate failed after {took.TotalSeconds:0.0} s: {failed.Message}");
        }
    }
}

/// <summary>The scratch copy migrated and answered its health check: the rehearsal passed (recorded and audited). The
/// scratch is dropped by the steps after this one.</summary>
public sealed class RecordRehearsalStep(IRehearsalStore rehearsals) : IJobStep
{
    public string Name => StepNames.RecordRehearsal;

    public async Task<StepResult> RunAsync(StepContext c, CancellationToken ct)
    {
        var rehearsal = await rehearsals.GetAsync(c.Job.Id, ct)
            ?? throw new StepFailedException(FailureKind.Permanent, $"job {c.Job.Id} has no rehearsal record");
        var recorded = await rehearsals.FinishAsync(c.Job.Id, RehearsalOutcome.Passed, null, RehearsalAudit.Result(rehearsal, RehearsalOutcome.Passed, null), ct);
        return StepResult.Ok(recorded ? $"passed: {rehearsal.SiteName} migrates on {rehearsal.Image}{Took(rehearsal)}" : $"already recorded: {rehearsal.Outcome}");
    }

    private static string Took(Rehearsal r) => r.MigrateDuration is { } d ? $" (migrate {d.TotalSeconds:0.0} s)" : "";
}

/// <summary>
/// The rehearsal's undo, run when any step failed for good: records the failure (naming the step; migrate's output was
/// recorded by its own step) and drops the scratch with the very steps that end a passed rehearsal. The row is first
/// marked deleted with its retention already over, so what this undo cannot drop (an engine that does not answer) is
/// purged by the retention scheduler later; once all is dropped the row is Purged, its runner port free. The live site
/// is not touched: every step here acts on the scratch.
/// </summary>
public sealed class DropScratchStep(IJobStore jobs, IRehearsalStore rehearsals, ISiteStore sites, ISiteRuntime runtime, ITenantDatabase tenants,
    TimeProvider time) : IJobStep
{
    public string Name => StepNames.DropScratch;

    public async Task<StepResult> RunAsync(StepContext c, CancellationToken ct)
    {
        var current = await jobs.GetAsync(c.Job.Id, ct) ?? c.Job;
        var failedAt = current.Steps.OrderBy(s => s.Ordinal).FirstOrDefault(s => s.State is not (StepState.Succeeded or StepState.Skipped))?.Name;
        var said = new List<string>();
        if (await rehearsals.GetAsync(c.Job.Id, ct) is { } rehearsal
            && await rehearsals.FinishAsync(c.Job.Id, RehearsalOutcome.Failed, failedAt, RehearsalAudit.Result(rehearsal, RehearsalOutcome.Failed, failedAt), ct))
            said.Add($"rehearsal recorded as failed at {failedAt}");
        await sites.MarkDiscardedAsync(c.Site.Id, time.GetUtcNow(), ct);
        foreach (var step in Steps())
        {
            StepResult result;
            try { result = await step.RunAsync(c, ct); }
            catch (StepFailedException ex) { result = new StepResult.Fail(ex.Kind, ex.Message); }
            catch (Exception ex) when (ex is not OperationCanceledException and not LeaseLostException)
            {
                result = new StepResult.Fail(FailureKind.Permanent, $"{ex.GetType().Name}: {ex.Message}");
            }
            if (result is StepResult.Fail fail)
                return StepResult.Permanent($"{string.Join("; ", said)}; dropping the scratch site {c.Site.Name} failed at {step.Name}: {fail.Error} " +
                                            "(it is marked deleted with no retention left: the retention scheduler purges it)");
            said.Add($"{step.Name}: {(result is StepResult.Done d ? d.Output : result is StepResult.Skipped s ? $"skipped ({s.Reason})" : result.ToString())}");
        }
        await sites.MarkPurgedAsync(c.Site.Id, time.GetUtcNow(), ct);
        said.Add($"scratch site {c.Site.Name} purged");
        return StepResult.Ok(string.Join("; ", said));
    }

    private IEnumerable<IJobStep> Steps() =>
        [new RemoveRunnerStep(runtime), new RemoveSiteFilesStep(runtime), new RemoveSiteRedisStep(runtime), new DropSchemaStep(tenants), new DropRoleStep(tenants)];
}

internal static class RehearsalAudit
{
    /// <summary>The outcome of a rehearsal as an audit entry of the live site, by the worker.</summary>
    public static AuditEntry Result(Rehearsal r, RehearsalOutcome outcome, string? failedStep)
    {
        var details = new Dictionary<string, string> { ["outcome"] = outcome.ToString(), ["image"] = r.Image, ["backupId"] = r.BackupId.ToString() };
        if (failedStep is not null) details["failedStep"] = failedStep;
        if (r.MigrateDuration is { } d) details["migrateSeconds"] = d.TotalSeconds.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture);
        return new AuditEntry("system:worker", "site.rehearse.result", r.SiteName, r.Id.ToString(), details, null);
    }
}
