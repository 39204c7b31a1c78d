using Press.Core.Audit;
using Press.Core.Backups;
using Press.Core.Jobs;
using Press.Core.Ports;

namespace Press.Core.Sites;

/// <summary>
/// Installing and uninstalling an app on a running site (docs/architecture.md §19): every rule is checked first
/// (<see cref="AppChangeRules"/>, all problems at once, nothing changed), then the job is recorded.
/// </summary>
public sealed class SiteAppOperations(ISiteCommands commands, IJobSignals signals, ISiteStore sites, ISiteRuntime runtime)
{
    /// <exception cref="ValidationException">The app breaks a rule (unknown to the bench, already installed, frappe).</exception>
    /// <exception cref="NotFoundException">No such site.</exception>
    /// <exception cref="ConflictException">The site is not Active, or another job runs on it.</exception>
    public async Task<Job> InstallAsync(string name, string? app, Actor actor, CancellationToken ct)
    {
        var site = await RequireActiveAsync(name, ct);
        var bench = runtime.Driver == "none" ? null : await BenchAppsAsync(site, ct);
        ValidationException.ThrowIfAny(new Dictionary<string, List<string>> { ["app"] = AppChangeRules.InstallProblems(app, site.Apps, bench) });
        return await EnqueueAsync(name, Recipes.InstallApp, app!, actor, "site.app.install", ct);
    }

    /// <exception cref="ValidationException">The app is not installed, is needed by another app, or is frappe.</exception>
    /// <exception cref="NotFoundException">No such site.</exception>
    /// <exception cref="ConflictException">The site is not Active, or another job runs on it.</exception>
    public async Task<Job> UninstallAsync(string name, string? app, Actor actor, CancellationToken ct)
    {
        var site = await RequireActiveAsync(name, ct);
        ValidationException.ThrowIfAny(new Dictionary<string, List<string>> { ["app"] = AppChangeRules.UninstallProblems(app, site.Apps) });
        return await EnqueueAsync(name, Recipes.UninstallApp, app!, actor, "site.app.uninstall", ct);
    }

    private async Task<Site> RequireActiveAsync(string name, CancellationToken ct)
    {
        var site = await sites.FindByNameAsync(name, ct) ?? throw new NotFoundException($"No site named '{name}'.");
        return site.State == SiteState.Active ? site
            : throw new ConflictException($"Site '{name}' is {site.State}: apps are installed and uninstalled on an Active site only.");
    }

    /// <summary>The bench's apps, or null when the runtime cannot say now (a runner not running): check-app asks again.</summary>
    private async Task<IReadOnlyCollection<string>?> BenchAppsAsync(Site site, CancellationToken ct)
    {
        try { return (await runtime.AppVersionsAsync(site, ct)).Keys.ToList(); }
        catch (StepFailedException) { return null; }
    }

    private async Task<Job> EnqueueAsync(string name, JobRecipe recipe, string app, Actor actor, string action, CancellationToken ct)
    {
        var args = new Dictionary<string, string> { [JobArgs.App] = app };
        var job = await commands.EnqueueAsync(name, recipe, [SiteState.Active], actor.Did(action, name, details: args), ct, args,
            BackupTriggers.For(recipe));
        // Best effort: a missed wake-up only delays the job until the next poll.
        try { await signals.WakeWorkersAsync(ct); } catch (Exception) when (!ct.IsCancellationRequested) { }
        return job;
    }
}
