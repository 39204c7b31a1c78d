using Press.Core.Jobs;
using Press.Core.Ports;

namespace Press.Core.Backups.Steps;

/// <summary>
/// Proves the site's newest good backup restores: into a scratch schema beside the live one (owned by the site role,
/// so nothing new is granted), compared table by table with the manifest's row counts, then dropped. The result is
/// recorded on the backup either way; a failed verification also fails the job, so it shows.
/// </summary>
public sealed class VerifyRestoreStep(IBackupStore backups, ISchemaArchive archive, IObjectStore store, TimeProvider time) : IJobStep
{
    public string Name => StepNames.VerifyRestore;

    public async Task<StepResult> RunAsync(StepContext c, CancellationToken ct)
    {
        var backup = Guid.TryParse(c.Job.Arg(JobArgs.BackupId), out var id)
            ? await backups.GetAsync(id, ct)
            : (await backups.ListForSiteAsync(c.Site.Id, ct)).FirstOrDefault(b => b.State == BackupState.Good);
        if (backup?.Manifest is not { } manifest) return StepResult.Skip("the site has no good backup to verify");
        var db = c.Site.Location.Database;
        var scratch = RestoreNames.ScratchSchema(c.Site.Location.Schema, c.RestoreId());
        await archive.DropSchemaAsync(db, scratch, c.Site.RoleName, ct); // an earlier, killed attempt
        string? problem;
        string detail;
        try
        {
            foreach (var part in backup.Parts) await PartCheck.RequireIntactAsync(store, part, ct);
            await archive.RestoreAsync(BackupContext.PartOpener(store, backup, manifest), manifest.Layout, db, manifest.Schema, scratch,
                c.Site.Location.Schema, c.Site.RoleName, ct);
            var counts = await archive.CountRowsAsync(db, scratch, c.Site.RoleName, ct);
            problem = BackupContext.CountMismatch(manifest.Tables, counts);
            detail = problem ?? $"restored into a scratch schema: {counts.Count} tables and {counts.Values.Sum():N0} rows match the manifest";
        }
        catch (StepFailedException ex) when (ex.Kind == FailureKind.Permanent)
        {
            problem = ex.Message;
            detail = ex.Message;
        }
        finally
        {
            await archive.DropSchemaAsync(db, scratch, c.Site.RoleName, CancellationToken.None);
        }
        await backups.RecordVerificationAsync(backup.Id, new BackupVerification(time.GetUtcNow(), problem is null, detail), ct);
        return problem is null
            ? StepResult.Ok($"backup {backup.Id}: {detail}")
            : StepResult.Permanent($"backup {backup.Id} did not verify: {problem}");
    }
}

/// <summary>Purge takes the site's backups with it: every object under the site's prefix, and the records say so.</summary>
public sealed class DeleteBackupsStep(IBackupStore backups, IObjectStore store, TimeProvider time) : IJobStep
{
    public string Name => StepNames.DeleteBackups;

    public async Task<StepResult> RunAsync(StepContext c, CancellationToken ct)
    {
        var deleted = 0;
        long bytes = 0;
        await foreach (var item in store.ListAsync(BackupParts.SitePrefix(c.Site.Id), ct))
        {
            await store.DeleteAsync(item.Key, ct);
            deleted++;
            bytes += item.Size;
        }
        var now = time.GetUtcNow();
        var records = await backups.ListForSiteAsync(c.Site.Id, ct);
        foreach (var b in records.Where(b => b.State != BackupState.Pruned)) await backups.MarkPrunedAsync(b.Id, now, ct);
        return StepResult.Ok($"deleted {deleted} object(s), {BackupContext.Size(bytes)}, of {records.Count} backup(s) from {store.Describe}");
    }
}
