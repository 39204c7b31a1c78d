using Press.Core.Backups;

namespace Press.Core.Ports;

/// <summary>
/// Backup records in the metadata store. A backup row is created with the job that takes it (same id, same
/// transaction); the job's steps fill it in. State is derived from the row and its job (see <see cref="BackupState"/>).
/// </summary>
public interface IBackupStore
{
    Task<Backup?> GetAsync(Guid backupId, CancellationToken ct);

    /// <summary>Every backup of the site, newest first, pruned ones included.</summary>
    Task<IReadOnlyList<Backup>> ListForSiteAsync(Guid siteId, CancellationToken ct);

    // The backup a job takes has the job's id; its parts, dump and manifest are written only under that job's lease
    // (else LeaseLostException): a run that lost its lease cannot record its upload over its successor's.

    /// <summary>Replaces the part of that name (a retried step uploads it again).</summary>
    Task RecordPartAsync(Jobs.JobLease lease, BackupPart part, CancellationToken ct);

    Task RecordDumpAsync(Jobs.JobLease lease, SchemaDumpInfo dump, CancellationToken ct);

    /// <summary>Records the manifest and marks the backup good; idempotent.</summary>
    Task MarkGoodAsync(Jobs.JobLease lease, BackupManifest manifest, DateTimeOffset at, CancellationToken ct);

    Task RecordVerificationAsync(Guid backupId, BackupVerification verification, CancellationToken ct);

    Task MarkPrunedAsync(Guid backupId, DateTimeOffset at, CancellationToken ct);

    /// <summary>Backups (any site, not pruned) whose expiry passed, with each site's newest good backup excluded, and
    /// sites that are soft-deleted excluded (their backups stay until the purge). Oldest first.</summary>
    Task<IReadOnlyList<Backup>> ListPrunableAsync(DateTimeOffset now, CancellationToken ct);

    /// <summary>Per live site (not Deleted or Purged): when its newest good backup finished (null: never) and when
    /// its newest scheduled backup was created (null: never), for the scheduler and staleness.</summary>
    Task<IReadOnlyList<SiteBackupSummary>> SummariesAsync(CancellationToken ct);
}

/// <param name="NewestGoodAt">When the newest good backup finished; null when the site has none.</param>
/// <param name="NewestGoodId">That backup's id.</param>
/// <param name="LastScheduledAt">When the newest scheduled backup (any state) was created.</param>
/// <param name="NewestGoodVerifiedAt">When the newest good backup was last verified by a restore; null: never.</param>
public sealed record SiteBackupSummary(
    Guid SiteId,
    string SiteName,
    Sites.SiteState State,
    DateTimeOffset SiteCreatedAt,
    DateTimeOffset? NewestGoodAt,
    Guid? NewestGoodId,
    DateTimeOffset? LastScheduledAt,
    DateTimeOffset? LastVerifiedAt,
    bool? LastVerificationOk);

/// <summary>In-place restores and the rollback window of each (docs/architecture.md §6).</summary>
public interface IRestoreLog
{
    /// <summary>Records the swap of restore <paramref name="restore"/>; idempotent (same job → same row).</summary>
    Task RecordSwapAsync(SiteRestore restore, CancellationToken ct);

    /// <summary>The site's newest restore that was neither rolled back nor discarded, if any.</summary>
    Task<SiteRestore?> CurrentAsync(Guid siteId, CancellationToken ct);

    Task<SiteRestore?> ForJobAsync(Guid jobId, CancellationToken ct);

    Task MarkRolledBackAsync(Guid jobId, DateTimeOffset at, CancellationToken ct);

    Task MarkDiscardedAsync(Guid jobId, DateTimeOffset at, CancellationToken ct);

    /// <summary>Removes the record of a swap that an undo took back (the restore never happened).</summary>
    Task ForgetAsync(Guid jobId, CancellationToken ct);

    /// <summary>Restores whose rollback window ended and whose kept data is not yet discarded.</summary>
    Task<IReadOnlyList<SiteRestore>> ListExpiredAsync(DateTimeOffset now, CancellationToken ct);
}

/// <param name="JobId">The restore job.</param>
/// <param name="RestoreId">Short name used for the restore's schemas and folders (see <c>RestoreNames</c>).</param>
/// <param name="PreviousSchema">Where the schema the restore replaced is kept until <paramref name="RollbackUntil"/>.</param>
public sealed record SiteRestore(
    Guid JobId, Guid SiteId, Guid BackupId, string RestoreId, string PreviousSchema,
    DateTimeOffset SwappedAt, DateTimeOffset RollbackUntil, DateTimeOffset? RolledBackAt, DateTimeOffset? DiscardedAt)
{
    /// <summary>The site database that holds <see cref="PreviousSchema"/>: the site's own for a restore in place, the
    /// one it left for a move (docs/architecture.md §16). Null only before it is recorded (the store fills in the
    /// site's database then).</summary>
    public string? PreviousDatabase { get; init; }

    /// <summary>Whether this record is a move's: its kept schema is in another database than the site's.</summary>
    public bool IsMoveFrom(string siteDatabase) => PreviousDatabase is { } db && db != siteDatabase;
}
