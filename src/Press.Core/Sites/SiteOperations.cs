using Press.Core.Audit;
using Press.Core.Backups;
using Press.Core.Jobs;
using Press.Core.Ports;
using Press.Core.Runtime;
using Press.Core.Sso;
using Press.Core.Tenancy;

namespace Press.Core.Sites;

/// <param name="Name">The site's host name.</param>
/// <param name="Apps">Apps to install besides frappe; none with <paramref name="FromBackup"/> (the backup's apps are used).</param>
/// <param name="FromBackup">Create the site holding this good backup's data.</param>
/// <param name="FromBackupGiven">A backup was asked for, even one whose id did not parse (so 'apps' is still refused).</param>
public sealed record NewSiteRequest(string? Name, IReadOnlyList<string> Apps, Guid? FromBackup = null, bool FromBackupGiven = false);

/// <summary>
/// The site operations the API, the pages and the CLI offer: validate (every rule of the domain is here), then record
/// the job for a worker to run.
/// </summary>
public sealed partial class SiteOperations(ISiteCommands commands, ISecretProtector secrets, IJobSignals signals, TenancyOptions tenancy,
    ISiteStore sites, IBackupStore backups, IRestoreLog restores, PressHost press, ISettingsStore settings, ISiteSsoStore sso,
    IStandbyPool standby)
{
    /// <summary>Every problem of a create request, per field (empty when it may go ahead).</summary>
    public Dictionary<string, List<string>> Problems(NewSiteRequest request)
    {
        var problems = new Dictionary<string, List<string>>();
        if (request.Name is not null) problems.AddAll("name", HostNames.Problems(request.Name, "name", press));
        if ((request.FromBackup is not null || request.FromBackupGiven) && request.Apps.Count > 0)
            problems.AddAll("apps", ["'apps' cannot be given with 'fromBackup': a site created from a backup gets the apps the backup recorded."]);
        problems.AddAll("apps", AppNameRules.Validate(request.Apps));
        return problems;
    }

    /// <summary>A new site, empty (NewSite) or holding a backup's data (NewSiteFromBackup).</summary>
    /// <exception cref="ValidationException">The name or apps break a rule.</exception>
    /// <exception cref="NotFoundException">No such backup.</exception>
    /// <exception cref="ConflictException">The name is taken, or the backup is not good.</exception>
    public async Task<Job> CreateAsync(NewSiteRequest request, Actor actor, CancellationToken ct)
    {
        var problems = Problems(request);
        if (request.Name is null) problems.AddAll("name", SiteNameRules.Validate(null));
        ValidationException.ThrowIfAny(problems);
        var name = request.Name!;
        var placement = new SitePlacement(tenancy.SitesDatabase, (await settings.GetAsync(ct)).SitesPerDatabase);
        if (request.FromBackup is null)
        {
            // A standby already holds its runner port: claiming one takes no more of the host's capacity.
            if (await ClaimStandbyAsync(name, request.Apps, actor, ct) is { } claimed) return await Wake(claimed, ct);
        }
        RunnerCapacity.ThrowIfFull(await sites.CountServedAsync(ct), $"create '{name}'");
        if (request.FromBackup is not { } backupId)
        {
            var audit = actor.Did("site.create", name, details: new Dictionary<string, string> { ["apps"] = string.Join(",", request.Apps) });
            return await Wake(await commands.CreateSiteAsync(NewSiteRecord.For(name, request.Apps, placement, secrets),
                Recipes.NewSite, audit, ct, await SsoArgsAsync(false, ct)), ct);
        }
        var backup = await RequireGoodBackupAsync(backupId, ct);
        var apps = backup.Manifest!.Apps.Select(a => a.Name).Where(a => a != "frappe").ToList();
        var fromBackup = actor.Did("site.create", name, details: new Dictionary<string, string>
        {
            ["fromBackup"] = backupId.ToString(), ["sourceSite"] = backup.SiteName, ["apps"] = string.Join(",", apps),
        });
        // The backup carries its site's Social Login Key (with that site's client secret): a copy of an SSO site always
        // gets its own fresh client, which replaces it.
        var sourceHadSso = await sso.GetAsync(backup.SiteId, ct) is { State: not SiteSsoState.Removed };
        var args = new Dictionary<string, string>(await SsoArgsAsync(sourceHadSso, ct)) { [JobArgs.BackupId] = backupId.ToString() };
        return await Wake(await commands.CreateSiteAsync(NewSiteRecord.For(name, apps, placement, secrets),
            Recipes.NewSiteFromBackup, fromBackup, ct, args), ct);
    }

    /// <summary>
    /// A ready standby of the request's app set becomes the site (job ClaimStandby, docs/architecture.md §17); null when
    /// the pool is off or has none ready, and the site is created cold. The answer is the same either way: 202 and a job.
    /// </summary>
    private async Task<Job?> ClaimStandbyAsync(string name, IReadOnlyList<string> apps, Actor actor, CancellationToken ct)
    {
        if ((await settings.GetAsync(ct)).StandbySize == 0) return null;
        var set = Standby.AppSet.Of(apps);
        var audit = actor.Did("site.create", name, details: new Dictionary<string, string> { ["apps"] = string.Join(",", apps), ["from"] = "standby" });
        return await standby.ClaimAsync(new StandbyClaim(name, set, secrets.Protect(Tenancy.SitePassword.New()), await SsoArgsAsync(false, ct)), audit, ct);
    }

    /// <summary>The SSO decision is made when the job is recorded (setting <c>sso.newSites</c>), so the job shows it.</summary>
    private async Task<IReadOnlyDictionary<string, string>> SsoArgsAsync(bool forced, CancellationToken ct) =>
        forced || (await settings.GetAsync(ct)).SsoForNewSites ? new Dictionary<string, string> { [JobArgs.Sso] = "on" } : JobArgs.None;

    /// <summary>Single sign-on for a live site: its own client at the issuer and its Social Login Key (job EnableSso).</summary>
    public Task<Job> EnableSsoAsync(string name, Actor actor, CancellationToken ct) =>
        Enqueue(name, Recipes.EnableSso, [SiteState.Active], actor, "site.sso.enable", ct,
            new Dictionary<string, string> { [JobArgs.Sso] = "on" });

    public Task<Job> SuspendAsync(string name, Actor actor, CancellationToken ct) =>
        Enqueue(name, Recipes.SuspendSite, [SiteState.Active], actor, "site.suspend", ct);

    public async Task<Job> ResumeAsync(string name, Actor actor, CancellationToken ct)
    {
        await ThrowIfNoRunnerPortLeftAsync(name, "resume", ct);
        return await Enqueue(name, Recipes.ResumeSite, [SiteState.Suspended], actor, "site.resume", ct);
    }

    public Task<Job> DeleteAsync(string name, Actor actor, CancellationToken ct) =>
        Enqueue(name, Recipes.DeleteSite, [SiteState.Active, SiteState.Suspended, SiteState.Broken], actor, "site.delete", ct);

    public async Task<Job> UndeleteAsync(string name, Actor actor, CancellationToken ct)
    {
        await ThrowIfNoRunnerPortLeftAsync(name, "undelete", ct);
        return await Enqueue(name, Recipes.UndeleteSite, [SiteState.Deleted], actor, "site.undelete", ct);
    }

    /// <summary>A site keeps its runner port until purge; one without (made while no runtime served sites) needs a free one.</summary>
    private async Task ThrowIfNoRunnerPortLeftAsync(string name, string verb, CancellationToken ct)
    {
        if (await sites.FindByNameAsync(name, ct) is { RunnerPort: null })
            RunnerCapacity.ThrowIfFull(await sites.CountServedAsync(ct), $"{verb} '{name}'");
    }

    public Task<Job> PurgeAsync(string name, Actor actor, CancellationToken ct) =>
        Enqueue(name, Recipes.PurgeSite, [SiteState.Deleted], actor, "site.purge", ct);

    /// <summary>A backup now (the backup's id is the returned job's id).</summary>
    public Task<Job> BackupAsync(string name, Actor actor, CancellationToken ct, BackupTrigger trigger = BackupTrigger.Manual) =>
        Enqueue(name, Recipes.BackupSite, [SiteState.Active, SiteState.Suspended, SiteState.Broken], actor, "backup.create", ct,
            new Dictionary<string, string> { [JobArgs.Trigger] = trigger.ToString() }, trigger);

    /// <exception cref="NotFoundException">No such site or backup.</exception>
    /// <exception cref="ConflictException">The backup is not good, or belongs to another site.</exception>
    public async Task<Job> RestoreAsync(string name, Guid backupId, Actor actor, CancellationToken ct)
    {
        var site = await sites.FindByNameAsync(name, ct) ?? throw SiteErrors.NotFound(name);
        var backup = await RequireGoodBackupAsync(backupId, ct);
        if (backup.SiteId != site.Id)
            throw new ConflictException($"Backup {backupId} is of site '{backup.SiteName}', not '{name}': restore it as a new site (POST /api/sites with fromBackup).");
        return await Enqueue(name, Recipes.RestoreSite, [SiteState.Active, SiteState.Broken], actor, "site.restore", ct,
            new Dictionary<string, string> { [JobArgs.BackupId] = backupId.ToString() });
    }

    /// <exception cref="ConflictException">No restore of the site is inside its rollback window.</exception>
    public async Task<Job> RollbackRestoreAsync(string name, Actor actor, TimeProvider time, CancellationToken ct)
    {
        var site = await sites.FindByNameAsync(name, ct) ?? throw SiteErrors.NotFound(name);
        var restore = await restores.CurrentAsync(site.Id, ct)
            ?? throw new ConflictException($"Site '{name}' has no restore to roll back.");
        if (restore.IsMoveFrom(site.Location.Database))
            throw new ConflictException($"The newest change of '{name}''s data is its move from database {restore.PreviousDatabase}: " +
                                        $"a move is not rolled back; move the site back instead (POST /api/sites/{name}/move).");
        if (restore.RollbackUntil < time.GetUtcNow())
            throw new ConflictException($"The rollback window of the restore of '{name}' ended at {restore.RollbackUntil:O}.");
        return await Enqueue(name, Recipes.RollbackRestore, [SiteState.Active, SiteState.Broken], actor, "site.rollback-restore", ct,
            new Dictionary<string, string> { [JobArgs.RestoreId] = restore.JobId.ToString() });
    }

    /// <summary>Enqueues the job that drops what a restore kept, once its window ended (the scheduler calls this).</summary>
    public Task<Job> DiscardRestoreAsync(string name, Guid restoreJobId, Actor actor, CancellationToken ct) =>
        Enqueue(name, Recipes.DiscardRestoreData, [SiteState.Active, SiteState.Suspended, SiteState.Broken], actor, "site.discard-restore", ct,
            new Dictionary<string, string> { [JobArgs.RestoreId] = restoreJobId.ToString() });

    /// <summary>
    /// Upgrades an Active site to another runner image (job UpgradeSite, docs/architecture.md §18): backup first,
    /// maintenance, the runner remade from <paramref name="image"/>, bench migrate, health; any failure puts the site back
    /// exactly as it was. The job records the image to go back to.
    /// </summary>
    /// <exception cref="ValidationException">The image is not an image reference.</exception>
    /// <exception cref="NotFoundException">No such site.</exception>
    /// <exception cref="ConflictException">The site is not Active, or another job of it runs.</exception>
    public async Task<Job> UpgradeAsync(string name, string? image, Actor actor, CancellationToken ct)
    {
        var problems = new Dictionary<string, List<string>>();
        problems.AddAll("image", ImageReferenceRules.Validate(image));
        ValidationException.ThrowIfAny(problems);
        var site = await sites.FindByNameAsync(name, ct) ?? throw new NotFoundException($"No site named '{name}'.");
        return await Enqueue(name, Recipes.UpgradeSite, [SiteState.Active], actor, "site.upgrade", ct, new Dictionary<string, string>
        {
            [JobArgs.Image] = image!, [JobArgs.PreviousImage] = site.Image?.Reference ?? "",
        });
    }

    public Task<Job> VerifyBackupAsync(string name, Actor actor, CancellationToken ct) =>
        Enqueue(name, Recipes.VerifyBackup, [SiteState.Active, SiteState.Suspended, SiteState.Broken], actor, "backup.verify", ct);

    private async Task<Backup> RequireGoodBackupAsync(Guid backupId, CancellationToken ct)
    {
        var backup = await backups.GetAsync(backupId, ct) ?? throw new NotFoundException($"No backup {backupId}.");
        if (backup.State != BackupState.Good || backup.Manifest is null)
            throw new ConflictException($"Backup {backupId} is {backup.State}; only a good backup can be restored.");
        return backup;
    }

    public async Task<Job> RetryAsync(Guid jobId, Actor actor, CancellationToken ct) =>
        await Wake(await commands.RetryAsync(jobId, actor.Did("job.retry", target: jobId.ToString()), ct), ct);

    private async Task<Job> Enqueue(string name, JobRecipe recipe, IReadOnlyList<SiteState> allowed, Actor actor, string action, CancellationToken ct,
        IReadOnlyDictionary<string, string>? args = null, BackupTrigger trigger = BackupTrigger.Manual) =>
        // The job's arguments are ids and the trigger (never secrets): the audit entry says which backup or restore.
        await Wake(await commands.EnqueueAsync(name, recipe, allowed, actor.Did(action, name, details: args), ct, args, BackupTriggers.For(recipe, trigger)), ct);

    private async Task<Job> Wake(Job job, CancellationToken ct)
    {
        // Best effort: a missed wake-up only delays the job until the next poll.
        try { await signals.WakeWorkersAsync(ct); } catch (Exception) when (!ct.IsCancellationRequested) { }
        return job;
    }
}
