namespace Press.Core.Rollouts;

/// <summary>Rollouts in the metadata store (migration 0020).</summary>
public interface IRolloutStore
{
    Task CreateAsync(Rollout rollout, Audit.AuditEntry audit, CancellationToken ct);

    Task<Rollout?> GetAsync(Guid id, CancellationToken ct);

    /// <summary>Newest first.</summary>
    Task<IReadOnlyList<Rollout>> ListAsync(int limit, CancellationToken ct);

    /// <summary>The rollouts a tick has work for, whose lease is free: every Running one, and a Paused or Cancelled one
    /// with a site still Upgrading or Rehearsing (its job goes on; the tick follows it to its end). Each is leased to the caller for
    /// <paramref name="lease"/> (by the database's clock), so two workers never drive one rollout at once.</summary>
    Task<IReadOnlyList<Rollout>> LeaseDueAsync(TimeSpan lease, CancellationToken ct);

    /// <summary>Ends the lease taken by <see cref="LeaseDueAsync"/>.</summary>
    Task ReleaseAsync(Guid id, CancellationToken ct);

    Task SaveSiteAsync(Guid rolloutId, RolloutSite site, CancellationToken ct);

    /// <summary>Sets the state (and reason; with <paramref name="acceptFailures"/>, the accepted failures) when the
    /// rollout is in one of <paramref name="from"/>, with the audit entry in the same transaction; false otherwise.</summary>
    Task<bool> SetStateAsync(Guid id, RolloutState to, string? reason, IReadOnlyList<RolloutState> from, Audit.AuditEntry? audit,
        CancellationToken ct, int? acceptFailures = null);

    /// <summary>Every Active site, by name.</summary>
    Task<IReadOnlyList<Sites.Site>> ActiveSitesAsync(CancellationToken ct);

    /// <summary>The newest UpgradeSite job of the site created at or after <paramref name="since"/> with this image
    /// (a job a crashed tick started but did not record).</summary>
    Task<Jobs.Job?> FindUpgradeJobAsync(Guid siteId, string image, DateTimeOffset since, CancellationToken ct);
}
