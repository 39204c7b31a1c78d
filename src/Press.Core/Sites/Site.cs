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

    /// <summary>The image the site's runner is made from and what the runtime last reported it runs; null: the setting
    /// <c>runtime.image</c> (or the driver's default) decides (docs/architecture.md §18).</summary>
    public RunnerImage? Image { get; init; }

    /// <summary>
    /// The name the site's runtime resources were made under when it differs from the site's name: a claimed standby
    /// keeps the containers and volumes of its opaque standby name (Docker cannot rename a volume; docs/architecture.md
    /// §17). Null for every other site — and for every site made before migration 0023 — whose resources are named
    /// after the site itself.
    /// </summary>
    public string? RuntimeName { get; init; }

    /// <summary>What a driver names the site's containers and volumes after: <see cref="RuntimeName"/>, else the site's name.
    /// Stable for the site's life: a claim renames the site, never its runtime.</summary>
    public string RuntimeKey => RuntimeName ?? Name;
}

/// <param name="Reference">What the runner is created from: a Docker image reference (<c>repo:tag</c>), or the process
/// driver's bench path.</param>
/// <param name="Id">What the runtime reported it runs: Docker's image ID (<c>sha256:…</c>), the process driver's bench
/// version; null until reported.</param>
public sealed record RunnerImage(string Reference, string? Id = null);
