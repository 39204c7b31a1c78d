using Press.Core.Backups.Steps;
using Press.Core.Jobs;
using Press.Core.Ports;

namespace Press.Core.Sites.Steps;

// The upgrade of one site to another runner image (docs/architecture.md §18).

internal static class UpgradeArgs
{
    public static RunnerImage Target(this Job job) => job.Arg(JobArgs.Image) is { Length: > 0 } image
        ? new RunnerImage(image)
        : throw new StepFailedException(FailureKind.Permanent, $"job {job.Id} names no image to upgrade to");

    /// <summary>The image the site was made from before the upgrade; null: the default (<c>runtime.image</c>).</summary>
    public static RunnerImage? Previous(this Job job) => job.Arg(JobArgs.PreviousImage) is { Length: > 0 } image ? new RunnerImage(image) : null;

    public static string Describe(RunnerImage? image) => image?.Reference ?? "the default image (setting runtime.image)";
}

/// <summary>
/// Records the job's image as the site's own and starts the site: the runtime remakes the runner and its workers from
/// it (their files and Redis data are in volumes, so nothing is lost). Idempotent: a second run finds them made from it.
/// </summary>
public sealed class SwitchImageStep(ISiteRuntime runtime, ISiteStore sites) : IJobStep
{
    public string Name => StepNames.SwitchImage;

    public async Task<StepResult> RunAsync(StepContext c, CancellationToken ct)
    {
        if (runtime.NotServing(c.Site) is { } skipped) return skipped;
        var target = c.Job.Target();
        if (c.Site.Image?.Reference != target.Reference) await sites.SaveRunnerImageAsync(c.Site.Id, target, ct);
        var started = await runtime.StartAsync(c.Site with { Image = target }, ct);
        return started.Applied ? StepResult.Ok($"the site's image is {target.Reference}; {started.Message}") : started.ToStep();
    }
}

/// <summary>
/// The upgrade's undo: the site ends exactly as before the job. The old image comes back (its runner remade from it);
/// once migrate has started — it may have changed the schema half-way, as Frappe's does when a patch fails
/// (docs/frappe.md §3) — the backup the job took first is restored with the in-place restore's own steps (into a fresh
/// schema, checked against its manifest, swapped in one transaction while the role cannot log in; the replaced schema is
/// kept for the rollback window); maintenance mode off. Each part checks what the job did first, so a failure before
/// maintenance mode undoes nothing.
/// </summary>
public sealed class UndoUpgradeStep(IJobStore jobs, ISiteStore sites, ISiteRuntime runtime, IBackupStore backups, ISchemaArchive archive,
    IObjectStore store, ITenantDatabase tenants, IRestoreLog restores, ISettingsStore settings, TimeProvider time) : IJobStep
{
    public string Name => StepNames.UndoUpgrade;

    public async Task<StepResult> RunAsync(StepContext c, CancellationToken ct)
    {
        var current = await jobs.GetAsync(c.Job.Id, ct) ?? c.Job;
        bool Started(string step) => current.Steps.Any(s => s.Name == step && s.State != StepState.Pending);
        if (!Started(StepNames.EnterMaintenance))
            return StepResult.Skip("nothing to undo: the upgrade failed before it changed the site");
        var said = new List<string>();
        var site = c.Site;
        if (Started(StepNames.SwitchImage) && runtime.NotServing(site) is null)
        {
            var previous = c.Job.Previous();
            if (site.Image?.Reference != previous?.Reference) await sites.SaveRunnerImageAsync(site.Id, previous, ct);
            site = site with { Image = previous };
            said.Add($"image back to {UpgradeArgs.Describe(previous)}: {(await runtime.StartAsync(site, ct)).Message}");
        }
        if (Started(StepNames.Migrate))
        {
            // The job's own backup (its id is the job's) is the one a restore step reads through its job argument.
            var args = new Dictionary<string, string>(c.Job.Args) { [JobArgs.BackupId] = c.Job.Id.ToString() };
            var restore = c with { Job = c.Job with { Args = args }, Site = site };
            foreach (var step in RestoreSteps())
            {
                var result = await step.RunAsync(restore, ct);
                if (result is StepResult.Fail fail)
                {
                    // The role must not stay unable to log in because the swap did not happen: the site would be down.
                    if (step is not DisableLoginStep && said.Any(s => s.StartsWith(StepNames.DisableLogin, StringComparison.Ordinal)))
                        said.Add(await tenants.SetLoginAsync(site, canLogin: true, ct));
                    return StepResult.Permanent($"{string.Join("; ", said)}; restoring the pre-upgrade backup {c.Job.Id} failed at {step.Name}: {fail.Error}");
                }
                said.Add($"{step.Name}: {Said(result)}");
            }
        }
        said.Add($"maintenance off: {(await runtime.SetMaintenanceAsync(site, false, ct)).Message}");
        return StepResult.Ok(string.Join("; ", said));
    }

    /// <summary>The in-place restore's steps from the restore to the files swap (<see cref="Recipes.RestoreSite"/>), minus
    /// the checks and the backup it takes first: the backup was read back and verified by this job a moment ago.</summary>
    private IEnumerable<IJobStep> RestoreSteps() =>
    [
        new RestoreDatabaseStep(backups, archive, store), new CheckRestoreStep(backups, archive), new StageFilesStep(backups, runtime, store),
        new DisableLoginStep(tenants), new TerminateConnectionsStep(tenants), new SwapSchemaStep(backups, archive, restores, settings, time),
        new EnableLoginStep(tenants), new SwapFilesStep(runtime),
    ];

    private static string Said(StepResult result) => result switch
    {
        StepResult.Done d => d.Output ?? "done",
        StepResult.Skipped s => $"skipped ({s.Reason})",
        _ => result.ToString() ?? "",
    };
}
