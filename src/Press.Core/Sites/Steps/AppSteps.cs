using Press.Core.Jobs;
using Press.Core.Ports;

namespace Press.Core.Sites.Steps;

// Apps on a running site (docs/architecture.md §19). "Installed" is what Frappe recorded in the schema
// ("tabInstalled Application", written as an app's install completes and removed by uninstall-app), read as the site
// (ISiteSchema): never what bench printed, since Frappe's uninstall-app exits 0 when it did nothing (docs/frappe.md §8).

internal static class AppJob
{
    public static string App(this StepContext c) =>
        c.Job.Args.GetValueOrDefault(JobArgs.App) ?? throw new StepFailedException(FailureKind.Permanent, $"job {c.Job.Id} names no app");

    public static async Task<IReadOnlyList<string>> InstalledAsync(this ISiteSchema schema, Site site, CancellationToken ct) =>
        (await schema.InspectInstallAsync(site, ct)).InstalledApps?.Where(a => a != "frappe").ToList() ?? [];
}

/// <summary>
/// The rules again, against the live schema and bench, before the backup: the API checked Press's record, and this
/// step changes nothing, so a refusal leaves the site as it was.
/// </summary>
public sealed class CheckAppStep(ISiteRuntime runtime, ISiteSchema schema) : IJobStep
{
    public string Name => StepNames.CheckApp;

    public async Task<StepResult> RunAsync(StepContext c, CancellationToken ct)
    {
        if (runtime.NotServing(c.Site) is { } skipped) return skipped;
        var app = c.App();
        var installed = await schema.InstalledAsync(c.Site, ct);
        if (c.Job.Kind == JobKind.InstallApp)
        {
            if (installed.Contains(app)) return StepResult.Ok($"{app} is already installed in the schema: install-app will only record it");
            var bench = (await runtime.AppVersionsAsync(c.Site, ct)).Keys.ToList();
            return AppChangeRules.InstallProblems(app, installed, bench) is [var problem, ..]
                ? StepResult.Permanent(problem)
                : StepResult.Ok($"{app} is an app of the bench and not installed (installed: {string.Join(", ", installed.DefaultIfEmpty("frappe only"))})");
        }
        if (!installed.Contains(app)) return StepResult.Ok($"{app} is not installed in the schema: uninstall-app will only record that");
        return AppChangeRules.UninstallProblems(app, installed) is [var refused, ..]
            ? StepResult.Permanent(refused)
            : StepResult.Ok($"{app} is installed and no installed app requires it");
    }
}

/// <summary><c>bench install-app</c>, then the site's app list. Idempotent: an app the schema records is only recorded.</summary>
public sealed class InstallAppStep(ISiteRuntime runtime, ISiteSchema schema, ISiteStore sites) : IJobStep
{
    public string Name => StepNames.InstallApp;

    public async Task<StepResult> RunAsync(StepContext c, CancellationToken ct)
    {
        if (runtime.NotServing(c.Site) is { } skipped) return skipped;
        var app = c.App();
        var said = $"{app} was already installed";
        if (!(await schema.InstalledAsync(c.Site, ct)).Contains(app))
        {
            var outcome = await runtime.InstallAppAsync(c.Site, app, ct);
            if (!outcome.Applied) return outcome.ToStep();
            said = outcome.Message;
            if (!(await schema.InstalledAsync(c.Site, ct)).Contains(app))
                return StepResult.Permanent($"{said}; but the schema records no completed install of {app}");
        }
        await sites.SaveAppsAsync(c.Site.Id, [.. c.Site.Apps.Where(a => a != app), app], ct);
        return StepResult.Ok($"{said}; the site's apps: {string.Join(", ", c.Site.Apps.Append(app).Distinct())}");
    }
}

/// <summary>
/// <c>bench uninstall-app --yes --no-backup</c>, then the site's app list. Frappe drops the app's tables and commits as
/// it goes, so a failure can leave the app half-removed: the error names the undo, the restore of the backup this job
/// took (its id is the job's), which puts back the schema and files exactly as they were.
/// </summary>
public sealed class UninstallAppStep(ISiteRuntime runtime, ISiteSchema schema, ISiteStore sites) : IJobStep
{
    public string Name => StepNames.UninstallApp;

    public async Task<StepResult> RunAsync(StepContext c, CancellationToken ct)
    {
        if (runtime.NotServing(c.Site) is { } skipped) return skipped;
        var app = c.App();
        var undo = $"the site may be left with {app} half-removed; the undo is the restore of the backup this job took before: " +
                   $"press site restore {c.Site.Name} --backup {c.Job.Id} (POST /api/sites/{c.Site.Name}/restore)";
        var said = $"{app} was not installed";
        if ((await schema.InstalledAsync(c.Site, ct)).Contains(app))
        {
            RuntimeOutcome outcome;
            try { outcome = await runtime.UninstallAppAsync(c.Site, app, ct); }
            catch (StepFailedException ex) { throw new StepFailedException(ex.Kind, $"{ex.Message}\n{undo}", ex); }
            if (!outcome.Applied) return outcome.ToStep();
            said = outcome.Message;
            if ((await schema.InstalledAsync(c.Site, ct)).Contains(app))
                return StepResult.Permanent($"{said}; but the schema still records {app} as installed (Frappe refuses quietly, e.g. an app that requires it); {undo}");
        }
        var left = c.Site.Apps.Where(a => a != app).ToList();
        await sites.SaveAppsAsync(c.Site.Id, left, ct);
        return StepResult.Ok($"{said}; the site's apps: {string.Join(", ", left.DefaultIfEmpty("frappe only"))}");
    }
}
