using Press.Core.Sso;

namespace Press.Core.Ports;

/// <summary>Sites' SSO clients (table site_sso), one row per site.</summary>
public interface ISiteSsoStore
{
    Task<SiteSsoRecord?> GetAsync(Guid siteId, CancellationToken ct);

    /// <summary>Inserts or replaces the site's row.</summary>
    Task SaveAsync(SiteSsoRecord record, CancellationToken ct);
}
