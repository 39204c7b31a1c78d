using Press.Core.Sites;

namespace Press.Core.Ports;

/// <summary>Site records in the metadata store, as the job steps need them.</summary>
public interface ISiteStore
{
    Task<Site?> GetAsync(Guid siteId, CancellationToken ct);

    /// <summary>The site of that name that is not purged, if any.</summary>
    Task<Site?> FindByNameAsync(string name, CancellationToken ct);

    /// <summary>Sets deleted_at and purge_after once; a second call keeps the first values (idempotent).</summary>
    Task MarkDeletedAsync(Guid siteId, DateTimeOffset deletedAt, DateTimeOffset purgeAfter, CancellationToken ct);

    Task ClearDeletionAsync(Guid siteId, CancellationToken ct);

    /// <summary>A rehearsal's scratch on its way out (docs/architecture.md §20): Deleted with its retention already over,
    /// so the retention scheduler purges whatever its undo could not drop. Leaves a Purged site alone.</summary>
    Task MarkDiscardedAsync(Guid siteId, DateTimeOffset at, CancellationToken ct);

    /// <summary>The site is gone (a rehearsal's dropped scratch, docs/architecture.md §20): state Purged, its runner port
    /// free. Idempotent.</summary>
    Task MarkPurgedAsync(Guid siteId, DateTimeOffset at, CancellationToken ct);

    /// <summary>
    /// Gives the site the lowest free runner port (unique among sites not purged) and returns it; returns the
    /// existing one when the site already has a port.
    /// </summary>
    Task<int> AllocateRunnerPortAsync(Guid siteId, CancellationToken ct);

    /// <summary>
    /// Sites that hold a runner port (kept until purge) or are being created and will take one: what the host's runner
    /// capacity is counted against (<see cref="Runtime.RunnerCapacity"/>).
    /// </summary>
    Task<int> CountServedAsync(CancellationToken ct);

    /// <summary>Replaces the site's sealed copy of its own site_config keys.</summary>
    Task SaveSealedConfigAsync(Guid siteId, byte[] sealedConfig, CancellationToken ct);

    /// <summary>Records the site's apps and versions as its runtime reported them.</summary>
    Task SaveAppVersionsAsync(Guid siteId, IReadOnlyDictionary<string, string> versions, CancellationToken ct);

    /// <summary>Records the site's runner image (null: the setting <c>runtime.image</c> decides again).</summary>
    Task SaveRunnerImageAsync(Guid siteId, RunnerImage? image, CancellationToken ct);

    /// <summary>Replaces the site's list of apps besides frappe (after an app was installed or uninstalled).</summary>
    Task SaveAppsAsync(Guid siteId, IReadOnlyList<string> apps, CancellationToken ct);

    /// <summary>Soft-deleted sites whose retention ended and that have no job running.</summary>
    Task<IReadOnlyList<Site>> ListExpiredDeletedAsync(DateTimeOffset now, CancellationToken ct);

    /// <summary>
    /// Records that the site's data now lives in <paramref name="to"/> instead of <paramref name="from"/> (a move's
    /// switch, or its undo), in one transaction that takes its turn with the creates' placement, so no database ends
    /// above <paramref name="cap"/>. False, changing nothing, when <paramref name="to"/> already holds
    /// <paramref name="cap"/> sites; null <paramref name="cap"/> (an undo putting a site back) checks none. A site
    /// already recorded in <paramref name="to"/> is left as it is (true).
    /// </summary>
    Task<bool> SwitchDatabaseAsync(Guid siteId, string from, string to, int? cap, CancellationToken ct);
}
