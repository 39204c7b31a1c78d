using Press.Core.Jobs;
using Press.Core.Ports;
using Press.Core.Sites.Steps;

namespace Press.Core.Backups.Steps;

// Restore in place and a new site from a backup. Until swap-schema, nothing live is touched: the backup is checked,
// restored into a fresh schema and its files staged. The swap is one transaction; the previous schema and files are
// kept under the restore's name for the rollback window.

/// <summary>Every part of the backup is present and matches its SHA-256, the manifest included, before anything else.</summary>
public sealed class CheckBackupStep(IBackupStore backups, IObjectStore store) : IJobStep
{
    public string Name => StepNames.CheckBackup;

    public async Task<StepResult> RunAsync(StepContext c, CancellationToken ct)
    {
        var (backup, manifest) = await backups.SourceBackupAsync(c, ct);
        if (c.Job.Kind == JobKind.RestoreSite && backup.SiteId != c.Site.Id)
            return StepResult.Permanent($"backup {backup.Id} is of site '{backup.SiteName}'; restore it as a new site instead");
        foreach (var part in backup.Parts)
            await PartCheck.RequireIntactAsync(store, part, ct);
        var listed = manifest.Parts.Select(p => (p.Name, p.Sha256)).ToHashSet();
        if (!backup.Parts.Where(p => p.Name != BackupParts.Manifest).All(p => listed.Contains((p.Name, p.Sha256))))
            return StepResult.Permanent($"backup {backup.Id}: the manifest does not list the recorded parts; refusing to restore");
        return StepResult.Ok($"backup {backup.Id} of {backup.SiteName} ({backup.CreatedAt:O}): {backup.Parts.Count} part(s) present, SHA-256 verified");
    }
}

public sealed class RestoreDatabaseStep(IBackupStore backups, ISchemaArchive archive, IObjectStore store) : IJobStep
{
    public string Name => StepNames.RestoreDatabase;

    public async Task<StepResult> RunAsync(StepContext c, CancellationToken ct)
    {
        var (backup, manifest) = await backups.SourceBackupAsync(c, ct);
        var target = c.RestoreTarget();
        // The archive knows a complete restore from an interrupted one (it marks the schema in the restore's own
        // transaction), says so for the first and starts the second over.
        return StepResult.Ok(await archive.RestoreAsync(BackupContext.PartOpener(store, backup, manifest), manifest.Layout,
            c.DataDatabase(), manifest.Schema, target, c.Site.Location.Schema, c.Site.RoleName, ct));
    }
}

/// <summary>The restored schema holds exactly the tables and row counts the manifest recorded at dump time.</summary>
public sealed class CheckRestoreStep(IBackupStore backups, ISchemaArchive archive) : IJobStep
{
    public string Name => StepNames.CheckRestore;

    public async Task<StepResult> RunAsync(StepContext c, CancellationToken ct)
    {
        var (_, manifest) = await backups.SourceBackupAsync(c, ct);
        var target = c.RestoreTarget();
        var counts = await archive.CountRowsAsync(c.DataDatabase(), target, c.Site.RoleName, ct);
        return BackupContext.CountMismatch(manifest.Tables, counts) is { } problem
            ? StepResult.Permanent($"restored schema {target}: {problem}")
            : StepResult.Ok($"schema {target}: {counts.Count} tables, {counts.Values.Sum():N0} rows, as in the manifest");
    }
}

public sealed class StageFilesStep(IBackupStore backups, ISiteRuntime runtime, IObjectStore store) : IJobStep
{
    public string Name => StepNames.StageFiles;

    public async Task<StepResult> RunAsync(StepContext c, CancellationToken ct)
    {
        var (backup, manifest) = await backups.SourceBackupAsync(c, ct);
        if (manifest.Part(BackupParts.Files) is not { } part) return StepResult.Skip($"backup {backup.Id} has no files part");
        await using var tar = await store.OpenReadAsync(part.Key, ct);
        return (await runtime.StageFilesAsync(c.Site, c.RestoreId(), tar, ct)).ToStep();
    }
}

public sealed class SwapFilesStep(ISiteRuntime runtime) : IJobStep
{
    public string Name => StepNames.SwapFiles;

    public async Task<StepResult> RunAsync(StepContext c, CancellationToken ct)
    {
        return (await runtime.SwapFilesAsync(c.Site, c.RestoreId(), ct)).ToStep();
    }
}

public sealed class EnterMaintenanceStep(ISiteRuntime runtime) : IJobStep
{
    public string Name => StepNames.EnterMaintenance;

    public async Task<StepResult> RunAsync(StepContext c, CancellationToken ct)
    {
        return (await runtime.SetMaintenanceAsync(c.Site, true, ct)).ToStep();
    }
}

public sealed class LeaveMaintenanceStep(ISiteRuntime runtime) : IJobStep
{
    public string Name => StepNames.LeaveMaintenance;

    public async Task<StepResult> RunAsync(StepContext c, CancellationToken ct)
    {
        return (await runtime.SetMaintenanceAsync(c.Site, false, ct)).ToStep();
    }
}

public sealed class MigrateStep(ISiteRuntime runtime) : IJobStep
{
    public string Name => StepNames.Migrate;

    public async Task<StepResult> RunAsync(StepContext c, CancellationToken ct)
    {
        return (await runtime.MigrateAsync(c.Site, ct)).ToStep();
    }
}

/// <summary>
/// The one moment the live site changes: in one transaction the live schema becomes the kept previous one and the
/// restored schema takes the live name (the site role's search_path and site_config name it, so nothing else
/// changes). Connections were terminated just before.
/// </summary>
public sealed class SwapSchemaStep(IBackupStore backups, ISchemaArchive archive, IRestoreLog restores, ISettingsStore settings, TimeProvider time) : IJobStep
{
    public string Name => StepNames.SwapSchema;

    public async Task<StepResult> RunAsync(StepContext c, CancellationToken ct)
    {
        var (backup, _) = await backups.SourceBackupAsync(c, ct);
        var (db, live) = (c.Site.Location.Database, c.Site.Location.Schema);
        var fresh = RestoreNames.FreshSchema(live, c.RestoreId());
        var previous = RestoreNames.PreviousSchema(live, c.RestoreId());
        string output;
        if (await archive.SchemaExistsAsync(db, previous, ct) && !await archive.SchemaExistsAsync(db, fresh, ct))
        {
            output = $"already swapped: {previous} holds the previous data";
        }
        else
        {
            await archive.RenameSchemasAsync(db, c.Site.RoleName, [(live, previous), (fresh, live)], ct);
            output = $"swapped in one transaction: {live} → {previous}, {fresh} → {live}";
        }
        var now = time.GetUtcNow();
        var until = now + TimeSpan.FromHours((await settings.GetAsync(ct)).RestoreRollbackHours);
        await restores.RecordSwapAsync(new SiteRestore(c.Job.Id, c.Site.Id, backup.Id, c.RestoreId(), previous, now, until, null, null), ct);
        return StepResult.Ok($"{output}; rollback possible until {until:O}");
    }
}

/// <summary>
/// The restore's undo: whatever it did is taken back — files and schema swapped back if they were swapped, the
/// restored schema and staged files dropped, maintenance off if it was turned on. Each part checks first.
/// </summary>
public sealed class UndoRestoreStep(IJobStore jobs, ISchemaArchive archive, IRestoreLog restores, ISiteRuntime runtime, ITenantDatabase tenants) : IJobStep
{
    public string Name => StepNames.UndoRestore;

    public async Task<StepResult> RunAsync(StepContext c, CancellationToken ct)
    {
        var (db, live) = (c.Site.Location.Database, c.Site.Location.Schema);
        var fresh = RestoreNames.FreshSchema(live, c.RestoreId());
        var previous = RestoreNames.PreviousSchema(live, c.RestoreId());
        var said = new List<string>();
        var current = await jobs.GetAsync(c.Job.Id, ct) ?? c.Job;
        bool Started(string step) => current.Steps.Any(s => s.Name == step && s.State != StepState.Pending);

        if (Started(StepNames.SwapFiles)) said.Add((await runtime.UnswapFilesAsync(c.Site, c.RestoreId(), ct)).Message);
        if (await archive.SchemaExistsAsync(db, previous, ct))
        {
            await archive.RenameSchemasAsync(db, c.Site.RoleName, [(live, fresh), (previous, live)], ct);
            said.Add($"schema swapped back ({previous} → {live})");
        }
        await restores.ForgetAsync(c.Job.Id, ct);
        said.Add(await archive.DropSchemaAsync(db, fresh, c.Site.RoleName, ct));
        if (Started(StepNames.DisableLogin)) said.Add(await tenants.SetLoginAsync(c.Site, canLogin: true, ct));
        if (Started(StepNames.StageFiles)) said.Add((await runtime.DiscardRestoreFilesAsync(c.Site, c.RestoreId(), ct)).Message);
        if (Started(StepNames.EnterMaintenance)) said.Add((await runtime.SetMaintenanceAsync(c.Site, false, ct)).Message);
        return StepResult.Ok(string.Join("; ", said));
    }
}

public sealed class RollbackSchemaStep(ISchemaArchive archive, IRestoreLog restores, TimeProvider time) : IJobStep
{
    public string Name => StepNames.RollbackSchema;

    public async Task<StepResult> RunAsync(StepContext c, CancellationToken ct)
    {
        var restore = await RestoreOf(restores, c, ct);
        var (db, live) = (c.Site.Location.Database, c.Site.Location.Schema);
        if (restore.IsMoveFrom(db))
            return StepResult.Permanent($"job {restore.JobId} moved the site from {restore.PreviousDatabase}: a move is taken back by moving the site back");
        var replaced = RestoreNames.FreshSchema(live, restore.RestoreId);
        if (!await archive.SchemaExistsAsync(db, restore.PreviousSchema, ct) && await archive.SchemaExistsAsync(db, replaced, ct))
            return StepResult.Ok($"already rolled back: the restored data is in {replaced}");
        if (restore.RollbackUntil < time.GetUtcNow())
            return StepResult.Permanent($"the rollback window of restore {restore.RestoreId} ended at {restore.RollbackUntil:O}");
        await archive.RenameSchemasAsync(db, c.Site.RoleName, [(live, replaced), (restore.PreviousSchema, live)], ct);
        return StepResult.Ok($"schema before restore {restore.RestoreId} is live again; the restored data moved to {replaced}");
    }

    internal static async Task<SiteRestore> RestoreOf(IRestoreLog restores, StepContext c, CancellationToken ct) =>
        Guid.TryParse(c.Job.Arg(JobArgs.RestoreId), out var id) && await restores.ForJobAsync(id, ct) is { } restore
            ? restore
            : throw new StepFailedException(FailureKind.Permanent, $"job {c.Job.Id} names no restore of this site");
}

public sealed class RollbackFilesStep(IRestoreLog restores, ISiteRuntime runtime) : IJobStep
{
    public string Name => StepNames.RollbackFiles;

    public async Task<StepResult> RunAsync(StepContext c, CancellationToken ct)
    {
        var restore = await RollbackSchemaStep.RestoreOf(restores, c, ct);
        return (await runtime.UnswapFilesAsync(c.Site, restore.RestoreId, ct)).ToStep();
    }
}

/// <summary>
/// Drops what a restore kept: after a rollback the rolled-back data, after the window the previous data (a move's in
/// the database the site left); on purge, every schema of the site's role except the live one, in every database
/// where the role owns any (a moved site's kept schema is in the database it left).
/// </summary>
public sealed class DiscardRestoreStep(ISchemaArchive archive, IRestoreLog restores, ISiteRuntime runtime, TimeProvider time) : IJobStep
{
    public string Name => StepNames.DiscardRestore;

    public async Task<StepResult> RunAsync(StepContext c, CancellationToken ct)
    {
        var (db, live) = (c.Site.Location.Database, c.Site.Location.Schema);
        var said = new List<string>();
        if (c.Job.Kind == JobKind.PurgeSite)
        {
            var databases = (await archive.DatabasesOwnedInAsync(c.Site.RoleName, ct)).Append(db).Distinct(StringComparer.Ordinal);
            foreach (var database in databases)
            foreach (var schema in await archive.SchemasOwnedByAsync(database, c.Site.RoleName, ct))
                if (database != db || schema != live)
                    said.Add(await archive.DropSchemaAsync(database, schema, c.Site.RoleName, ct) + (database == db ? "" : $" in {database}"));
            return StepResult.Ok(said.Count == 0 ? "no restore data kept" : string.Join("; ", said));
        }
        var restore = await RollbackSchemaStep.RestoreOf(restores, c, ct);
        said.Add(await archive.DropSchemaAsync(db, RestoreNames.FreshSchema(live, restore.RestoreId), c.Site.RoleName, ct));
        // After a rollback the previous schema is live again (under the live name): only the window's end drops it.
        var kept = restore.PreviousDatabase ?? db;
        if (c.Job.Kind != JobKind.RollbackRestore)
            said.Add(await archive.DropSchemaAsync(kept, restore.PreviousSchema, c.Site.RoleName, ct) + (kept == db ? "" : $" in {kept}"));
        said.Add((await runtime.DiscardRestoreFilesAsync(c.Site, restore.RestoreId, ct)).Message);
        if (c.Job.Kind == JobKind.RollbackRestore) await restores.MarkRolledBackAsync(restore.JobId, time.GetUtcNow(), ct);
        else await restores.MarkDiscardedAsync(restore.JobId, time.GetUtcNow(), ct);
        return StepResult.Ok(string.Join("; ", said));
    }
}
