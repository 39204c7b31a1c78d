using Press.Core.Audit;
using Press.Core.Backups;
using Press.Core.Tenancy;
using Press.Core.Jobs;
using Press.Core.Sites;

namespace Press.Core.Ports;

/// <summary>
/// Writes that start operations. Each runs in ONE transaction: the site row (when new), the job with its steps and the
/// audit event commit together or not at all (docs/architecture.md §3).
/// </summary>
public interface ISiteCommands
{
    /// <exception cref="ConflictException">The name is taken (soft-deleted sites included).</exception>
    /// <param name="recipe">NewSite, or NewSiteFromBackup (with its <paramref name="args"/>): Core chooses it.</param>
    Task<Job> CreateSiteAsync(NewSiteRecord site, JobRecipe recipe, AuditEntry audit, CancellationToken ct,
        IReadOnlyDictionary<string, string>? args = null);

    /// <exception cref="NotFoundException">No such site.</exception>
    /// <exception cref="ConflictException">Another job runs on the site, or its state does not allow the operation.</exception>
    /// <param name="backup">
    /// For a recipe that takes a backup (<see cref="BackupTriggers.For"/>, chosen in Core): why; the backup is recorded
    /// (id = the job's id) in the same transaction. Null for any other recipe.
    /// </param>
    Task<Job> EnqueueAsync(string siteName, JobRecipe recipe, IReadOnlyList<SiteState> allowedFrom, AuditEntry audit, CancellationToken ct,
        IReadOnlyDictionary<string, string>? args = null, BackupTrigger? backup = null);

    /// <summary>Puts a Failed job back in the queue from its failed step.</summary>
    Task<Job> RetryAsync(Guid jobId, AuditEntry audit, CancellationToken ct);
}

/// <summary>A new site's row. Build it with <see cref="For"/>: two sealed passwords side by side are easy to swap by position.</summary>
public sealed record NewSiteRecord(
    Guid Id, string Name, string Database, string Schema, string RoleName, byte[] EncryptedPassword,
    IReadOnlyList<string> Apps, byte[] EncryptedAdminPassword)
{
    /// <summary>
    /// When set, the store chooses <see cref="Database"/> by this rule in the create's own transaction, taking turns with
    /// every other create, so two creates never both take a database's last place (docs/architecture.md §16).
    /// </summary>
    public SitePlacement? Placement { get; init; }
    /// <summary>A site of the standby pool (docs/architecture.md §17): never routed nor listed until it is claimed.</summary>
    public bool Standby { get; init; }

    /// <summary>A rehearsal's scratch copy of this site (docs/architecture.md §20): never routed nor listed, dropped when
    /// the rehearsal ends.</summary>
    public Guid? RehearsalOf { get; init; }

    /// <summary>The one place a new site's identity and secrets are made: a fresh id, schema and role, and two generated
    /// passwords (the site's database role's, Frappe's Administrator's), each sealed.</summary>
    public static NewSiteRecord For(string name, IReadOnlyList<string> apps, SitePlacement placement, ISecretProtector secrets) =>
        For(name, apps, placement.First, secrets) with { Placement = placement };

    public static NewSiteRecord For(string name, IReadOnlyList<string> apps, string database, ISecretProtector secrets)
    {
        var identifier = TenantIdentifier.NewId();
        return new NewSiteRecord(
            Id: Guid.CreateVersion7(), Name: name, Database: database, Schema: identifier, RoleName: identifier,
            EncryptedPassword: secrets.Protect(SitePassword.New()), Apps: apps,
            EncryptedAdminPassword: secrets.Protect(SitePassword.New()));
    }
}
