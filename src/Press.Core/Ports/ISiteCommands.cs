using Press.Core.Audit;
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
    /// <param name="recipe">NewSite, or NewSiteFromBackup (with its <paramref name="args"/>).</param>
    Task<Job> CreateSiteAsync(NewSiteRecord site, AuditEntry audit, CancellationToken ct,
        JobRecipe? recipe = null, IReadOnlyDictionary<string, string>? args = null);

    /// <exception cref="NotFoundException">No such site.</exception>
    /// <exception cref="ConflictException">Another job runs on the site, or its state does not allow the operation.</exception>
    /// <remarks>A recipe that takes a backup also records the backup (id = the job's id) in the same transaction.</remarks>
    Task<Job> EnqueueAsync(string siteName, JobRecipe recipe, IReadOnlyList<SiteState> allowedFrom, AuditEntry audit, CancellationToken ct,
        IReadOnlyDictionary<string, string>? args = null);

    /// <summary>Puts a Failed job back in the queue from its failed step.</summary>
    Task<Job> RetryAsync(Guid jobId, AuditEntry audit, CancellationToken ct);
}

public sealed record NewSiteRecord(
    Guid Id, string Name, string Database, string Schema, string RoleName, byte[] EncryptedPassword,
    IReadOnlyList<string> Apps, byte[] EncryptedAdminPassword);
