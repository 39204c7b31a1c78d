using Press.Core.Audit;
using Press.Core.Backups;
using Press.Core.Jobs;
using Press.Core.Ports;
using Press.Core.Tenancy;

namespace Press.Core.Sites;

/// <summary>The site operations the API and CLI offer: validate, then record the job for a worker to run.</summary>
public sealed class SiteOperations(ISiteCommands commands, ISecretProtector secrets, IJobSignals signals, TenancyOptions tenancy,
    ISiteStore sites, IBackupStore backups, IRestoreLog restores)
{
    public async Task<Job> CreateAsync(string name, IReadOnlyList<string> apps, Actor actor, CancellationToken ct)
    {
        var identifier = TenantIdentifier.NewId();
        var record = new NewSiteRecord(Guid.CreateVersion7(), name, tenancy.SitesDatabase, identifier, identifier,
            secrets.Protect(SitePassword.New()), apps, secrets.Protect(SitePassword.New()));
        var audit = actor.Did("site.create", name, details: new Dictionary<string, string> { ["apps"] = string.Join(",", apps) });
        return await Wake(await commands.CreateSiteAsync(record, audit, ct), ct);
    }

    public Task<Job> SuspendAsync(string name, Actor actor, CancellationToken ct) =>
        Enqueue(name, Recipes.SuspendSite, [SiteState.Active], actor, "site.suspend", ct);

    public Task<Job> ResumeAsync(string name, Actor actor, CancellationToken ct) =>
        Enqueue(name, Recipes.ResumeSite, [SiteState.Suspended], actor, "site.resume", ct);

    public Task<Job> DeleteAsync(string name, Actor actor, CancellationToken ct) =>
        Enqueue(name, Recipes.DeleteSite, [SiteState.Active, SiteState.Suspended, SiteState.Broken], actor, "site.delete", ct);

    public Task<Job> UndeleteAsync(string name, Actor actor, CancellationToken ct) =>
        Enqueue(name, Recipes.UndeleteSite, [SiteState.Deleted], actor, "site.undelete", ct);

    public Task<Job> PurgeAsync(string name, Actor actor, CancellationToken ct) =>
        Enqueue(name, Recipes.PurgeSite, [SiteState.Deleted], actor, "site.purge", ct);

    /// <summary>A backup now (the backup's id is the returned job's id).</summary>
    public Task<Job> BackupAsync(string name, Actor actor, CancellationToken ct, BackupTrigger trigger = BackupTrigger.Manual) =>
        Enqueue(name, Recipes.BackupSite, [SiteState.Active, SiteState.Suspended, SiteState.Broken], actor, "backup.create", ct,
            new Dictionary<string, string> { [JobArgs.Trigger] = trigger.ToString() });

    /// <exception cref="NotFoundException">No such site or backup.</exception>
    /// <exception cref="ConflictException">The backup is not good, or belongs to another site.</exception>
    public async Task<Job> RestoreAsync(string name, Guid backupId, Actor actor, CancellationToken ct)
    {
        var site = await sites.FindByNameAsync(name, ct) ?? throw new NotFoundException($"No site named '{name}'.");
        var backup = await RequireGoodBackupAsync(backupId, ct);
        if (backup.SiteId != site.Id)
            throw new ConflictException($"Backup {backupId} is of site '{backup.SiteName}', not '{name}': restore it as a new site (POST /api/sites with fromBackup).");
        return await Enqueue(name, Recipes.RestoreSite, [SiteState.Active, SiteState.Broken], actor, "site.restore", ct,
            new Dictionary<string, string> { [JobArgs.BackupId] = backupId.ToString() });
    }

    /// <exception cref="ConflictException">No restore of the site is inside its rollback window.</exception>
    public async Task<Job> RollbackRestoreAsync(string name, Actor actor, TimeProvider time, CancellationToken ct)
    {
        var site = await sites.FindByNameAsync(name, ct) ?? throw new NotFoundException($"No site named '{name}'.");
        var restore = await restores.CurrentAsync(site.Id, ct)
            ?? throw new ConflictException($"Site '{name}' has no restore to roll back.");
        if (restore.RollbackUntil < time.GetUtcNow())
            throw new ConflictException($"The rollback window of the restore of '{name}' ended at {restore.RollbackUntil:O}.");
        return await Enqueue(name, Recipes.RollbackRestore, [SiteState.Active, SiteState.Broken], actor, "site.rollback-restore", ct,
            new Dictionary<string, string> { [JobArgs.RestoreId] = restore.JobId.ToString() });
    }

    /// <summary>A new site holding a backup's data (any site's backup, a soft-deleted site's included).</summary>
    public async Task<Job> CreateFromBackupAsync(string name, Guid backupId, Actor actor, CancellationToken ct)
    {
        var backup = await RequireGoodBackupAsync(backupId, ct);
        var apps = backup.Manifest!.Apps.Select(a => a.Name).Where(a => a != "frappe").ToList();
        var identifier = TenantIdentifier.NewId();
        var record = new NewSiteRecord(Guid.CreateVersion7(), name, tenancy.SitesDatabase, identifier, identifier,
            secrets.Protect(SitePassword.New()), apps, secrets.Protect(SitePassword.New()));
        var audit = actor.Did("site.create", name, details: new Dictionary<string, string>
        {
            ["fromBackup"] = backupId.ToString(), ["sourceSite"] = backup.SiteName, ["apps"] = string.Join(",", apps),
        });
        return await Wake(await commands.CreateSiteAsync(record, audit, ct, Recipes.NewSiteFromBackup,
            new Dictionary<string, string> { [JobArgs.BackupId] = backupId.ToString() }), ct);
    }

    /// <summary>Enqueues the job that drops what a restore kept, once its window ended (the scheduler calls this).</summary>
    public Task<Job> DiscardRestoreAsync(string name, Guid restoreJobId, Actor actor, CancellationToken ct) =>
        Enqueue(name, Recipes.DiscardRestoreData, [SiteState.Active, SiteState.Suspended, SiteState.Broken], actor, "site.discard-restore", ct,
            new Dictionary<string, string> { [JobArgs.RestoreId] = restoreJobId.ToString() });

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
        IReadOnlyDictionary<string, string>? args = null) =>
        await Wake(await commands.EnqueueAsync(name, recipe, allowed, actor.Did(action, name), ct, args), ct);

    private async Task<Job> Wake(Job job, CancellationToken ct)
    {
        // Best effort: a missed wake-up only delays the job until the next poll.
        try { await signals.WakeWorkersAsync(ct); } catch (Exception) when (!ct.IsCancellationRequested) { }
        return job;
    }
}
