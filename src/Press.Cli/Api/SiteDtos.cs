namespace Press.Cli.Api;

// States and kinds stay plain strings on purpose: a newer server may add values, and the
// CLI should still show them rather than fail to deserialize the whole response.

public sealed record Site(
    string Name,
    string State,
    IReadOnlyList<string>? Apps,
    SiteLocation? Location,
    SiteRuntime? Runtime,
    DateTimeOffset CreatedAt,
    DateTimeOffset? UpdatedAt,
    DateTimeOffset? DeletedAt,
    DateTimeOffset? PurgeAfter,
    Guid? ActiveJobId,
    IReadOnlyDictionary<string, string>? AppVersions = null,
    SiteImage? Image = null);

/// <summary>The site's runner image: what it is made from and the ID the runtime reported (docs/architecture.md §18).</summary>
public sealed record SiteImage(string Reference, string? Id);

public sealed record SiteLocation(string? Database, string? Schema);

public sealed record SiteRuntime(string? Driver, bool Served, string? Reason);

public sealed record PagedResult<T>(IReadOnlyList<T> Items, int Page, int PageSize, long Total);

/// <summary>POST /api/sites. <c>apps</c> is left out (null) only for a restore without --app: the server decides.</summary>
public sealed record CreateSiteRequest(string Name, IReadOnlyList<string>? Apps, Guid? FromBackup = null);

/// <summary>The site states the API documents; used for --state validation and completion.</summary>
public static class SiteStates
{
    public static readonly string[] All =
        ["Pending", "Installing", "Active", "Suspended", "Updating", "Broken", "Deleted", "Purged"];
}

/// <summary>GET /api/sites/{name}/logs.</summary>
public sealed record SiteLogs(string Site, string Driver, IReadOnlyList<string> Lines);

/// <summary>POST /api/sites/{name}/admin-password: shown once.</summary>
public sealed record AdminPassword(string Site, string UserName, string Password);

/// <summary>POST /api/sites/{name}/upgrade.</summary>
public sealed record UpgradeSiteRequest(string Image);

/// <summary>POST /api/sites/{name}/move.</summary>
public sealed record MoveSiteRequest(string Database);

/// <summary>Body of POST /api/sites/{name}/apps.</summary>
public sealed record InstallAppRequest(string App);
