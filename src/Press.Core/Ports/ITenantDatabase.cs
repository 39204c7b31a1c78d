using Press.Core.Sites;

namespace Press.Core.Ports;

/// <summary>
/// The per-site role and schema (docs/architecture.md §4). Every operation is idempotent: it inspects the catalog first and
/// reports what it found or did, for the step's output.
/// </summary>
public interface ITenantDatabase
{
    Task<string> EnsureRoleAsync(Site site, string password, CancellationToken ct);
    Task<string> EnsureSchemaAsync(Site site, CancellationToken ct);
    Task<string> ConfigureRoleAsync(Site site, CancellationToken ct);
    /// <summary>Logs in as the site role and checks it lands in its own schema.</summary>
    Task<string> VerifyLoginAsync(Site site, string password, CancellationToken ct);
    Task<string> SetLoginAsync(Site site, bool canLogin, CancellationToken ct);
    Task<string> TerminateConnectionsAsync(Site site, CancellationToken ct);
    Task<string> DropSchemaAsync(Site site, CancellationToken ct);
    Task<string> DropRoleAsync(Site site, CancellationToken ct);

    /// <summary>GRANT / REVOKE CONNECT on <paramref name="database"/> to the site's role (a move opens the database it
    /// goes to and closes the one it leaves, docs/architecture.md §16).</summary>
    Task<string> SetConnectAsync(Site site, string database, bool canConnect, CancellationToken ct);
}
