using Press.Core.Tenancy;

namespace Press.Core.Sites;

/// <summary>A site as recorded in the metadata store.</summary>
/// <param name="RoleName">Opaque login role; equals the schema name today but is stored, never derived.</param>
/// <param name="EncryptedPassword">The role's password, sealed by <see cref="Ports.ISecretProtector"/>.</param>
public sealed record Site(
    Guid Id,
    string Name,
    SiteState State,
    TenantLocation Location,
    string RoleName,
    byte[] EncryptedPassword,
    IReadOnlyList<string> Apps,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? DeletedAt,
    DateTimeOffset? PurgeAfter,
    DateTimeOffset? PurgedAt)
{
    /// <summary>The loopback port of the site's runner, once allocated (48600–49699); freed on purge.</summary>
    public int? RunnerPort { get; init; }

    /// <summary>The Frappe Administrator password, sealed; an admin may read it once.</summary>
    public byte[]? EncryptedAdminPassword { get; init; }

    /// <summary>The site's own site_config keys (a JSON object, its encryption_key among them), sealed; null until
    /// first saved (docs/architecture.md §6).</summary>
    public byte[]? SealedConfig { get; init; }

    /// <summary>The site's apps and their versions as its runtime last reported them; null when never reported.</summary>
    public IReadOnlyDictionary<string, string>? AppVersions { get; init; }
}
