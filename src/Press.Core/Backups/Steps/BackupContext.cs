using Press.Core.Jobs;
using Press.Core.Ports;

namespace Press.Core.Backups.Steps;

/// <summary>Lookups the backup and restore steps share.</summary>
internal static class BackupContext
{
    /// <summary>The backup this job takes (its id is the job's id).</summary>
    public static async Task<Backup> OwnBackupAsync(this IBackupStore backups, StepContext c, CancellationToken ct) =>
        await backups.GetAsync(c.Job.Id, ct)
        ?? throw new StepFailedException(FailureKind.Permanent, $"job {c.Job.Id} has no backup record; it was created without one");

    /// <summary>The backup a restore reads (job argument <c>backupId</c>; a move reads the backup it took itself), with
    /// its manifest.</summary>
    public static async Task<(Backup Backup, BackupManifest Manifest)> SourceBackupAsync(this IBackupStore backups, StepContext c, CancellationToken ct)
    {
        Guid id;
        if (c.Job.Kind == JobKind.MoveSite) id = c.Job.Id;
        else if (!Guid.TryParse(c.Job.Arg(JobArgs.BackupId), out id))
            throw new StepFailedException(FailureKind.Permanent, $"job {c.Job.Id} names no backup to restore");
        var backup = await backups.GetAsync(id, ct)
            ?? throw new StepFailedException(FailureKind.Permanent, $"backup {id} does not exist");
        if (backup.State != BackupState.Good || backup.Manifest is null)
            throw new StepFailedException(FailureKind.Permanent, $"backup {id} is {backup.State}; only a good backup can be restored");
        return (backup, backup.Manifest);
    }

    /// <summary>Opens a database part the manifest lists, by name, for <see cref="ISchemaArchive.RestoreAsync"/>.</summary>
    public static Func<string, CancellationToken, Task<Stream>> PartOpener(IObjectStore store, Backup backup, BackupManifest manifest) =>
        (name, token) => manifest.Part(name) is { } part
            ? store.OpenReadAsync(part.Key, token)
            : throw new StepFailedException(FailureKind.Permanent, $"backup {backup.Id} has no {name} part");

    public static string RestoreId(this StepContext c) => RestoreNames.RestoreId(c.Job.Id);

    /// <summary>The site database a step puts data in: the site's own, or for a move the one it moves to (job argument
    /// <c>database</c>).</summary>
    public static string DataDatabase(this StepContext c) => c.Job.Kind == JobKind.MoveSite
        ? c.Job.Arg(JobArgs.Database) is { Length: > 0 } target ? target
          : throw new StepFailedException(FailureKind.Permanent, $"job {c.Job.Id} names no database to move the site to")
        : c.Site.Location.Database;

    /// <summary>Where a restore puts the backup's data: a fresh schema beside the live one (in place) or the new site's
    /// own schema (a new site from a backup, or a rehearsal's scratch copy: neither has live data yet).</summary>
    public static string RestoreTarget(this StepContext c) => c.Job.Kind is JobKind.NewSiteFromBackup or JobKind.RehearseUpgrade
        ? c.Site.Location.Schema
        : RestoreNames.FreshSchema(c.Site.Location.Schema, c.RestoreId());

    public static string Size(long bytes) => bytes switch
    {
        >= 1L << 30 => $"{bytes / (double)(1L << 30):0.00} GiB",
        >= 1L << 20 => $"{bytes / (double)(1L << 20):0.0} MiB",
        >= 1L << 10 => $"{bytes / 1024.0:0.0} KiB",
        _ => $"{bytes} B",
    };

    /// <summary>Compares restored row counts with the manifest's; null when they match.</summary>
    public static string? CountMismatch(IReadOnlyDictionary<string, long> expected, IReadOnlyDictionary<string, long> actual)
    {
        var problems = new List<string>();
        foreach (var (table, rows) in expected)
        {
            if (!actual.TryGetValue(table, out var got)) problems.Add($"table {table} missing");
            else if (got != rows) problems.Add($"{table}: {got} rows, manifest says {rows}");
        }
        foreach (var table in actual.Keys.Where(t => !expected.ContainsKey(t))) problems.Add($"unexpected table {table}");
        if (problems.Count == 0) return null;
        return $"{problems.Count} difference(s) with the manifest: " + string.Join("; ", problems.Take(10)) + (problems.Count > 10 ? "; …" : "");
    }
}
