using Press.Core.Audit;
using Press.Core.Jobs;
using Press.Core.Sites;
using Press.Core.Standby;

namespace Press.Core.Ports;

/// <summary>
/// The standby sites in the metadata store (docs/architecture.md §17). Standbys are created through
/// <see cref="ISiteCommands.CreateSiteAsync"/> like any site (their record says <see cref="NewSiteRecord.Standby"/>);
/// this port counts them, and claims or discards one, each in ONE transaction with its job and audit event.
/// </summary>
public interface IStandbyPool
{
    /// <summary>Every standby not purged, oldest first: its app set, state and whether a job runs on it.</summary>
    Task<IReadOnlyList<StandbySite>> ListAsync(CancellationToken ct);

    /// <summary>
    /// Takes the oldest ready standby of the claim's app set (Active, no job running; <c>FOR UPDATE SKIP LOCKED</c>, so two
    /// claims never take the same one), gives it the requested name, a new Administrator password (not yet shown) and
    /// the state Pending, clears its standby flag, and records the <see cref="Recipes.ClaimStandby"/> job and the audit
    /// event. Null when no standby of that app set is ready (nothing changed).
    /// </summary>
    /// <exception cref="ConflictException">The name is taken, or is a custom domain of a site.</exception>
    Task<Job?> ClaimAsync(StandbyClaim claim, AuditEntry audit, CancellationToken ct);

    /// <summary>
    /// The fall-back of a failed claim: renames the claimed row to <see cref="StandbyNames.Discarded"/>, marks it Deleted
    /// with its retention already ended (the retention scheduler purges it), and creates the requested site cold (row,
    /// NewSite job whose args name the claim job, audit event). Idempotent: a second call returns the job the first made.
    /// </summary>
    Task<Job> FallBackAsync(Guid claimJobId, Guid siteId, NewSiteRecord cold, AuditEntry audit, CancellationToken ct,
        IReadOnlyDictionary<string, string>? args = null);
}

/// <param name="Name">The requested site name.</param>
/// <param name="EncryptedAdminPassword">The claimed site's new Administrator password, sealed.</param>
/// <param name="Args">More job args (single sign-on); the standby's own name is added by the pool.</param>
public sealed record StandbyClaim(string Name, AppSet Apps, byte[] EncryptedAdminPassword, IReadOnlyDictionary<string, string> Args);

/// <param name="Busy">A job runs on it (its NewSite job while it is created).</param>
public sealed record StandbySite(Guid Id, string Name, AppSet Apps, SiteState State, bool Busy, DateTimeOffset CreatedAt)
{
    /// <summary>ready (claimable), creating, or broken (its NewSite job failed; an operator deletes it).</summary>
    public string PoolState => State switch
    {
        SiteState.Active when !Busy => "ready",
        SiteState.Broken when !Busy => "broken",
        _ => "creating",
    };
}
