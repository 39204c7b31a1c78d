using Press.Core.Audit;

namespace Press.Core.Ports;

/// <summary>
/// Custom domains of sites (extra host names), unique across sites. Each change commits with its audit entry; the store
/// enforces what needs the current state (the site exists and is live, no other site or domain holds the name).
/// </summary>
public interface IDomainStore
{
    /// <summary>Adds an already validated host name to a live site; returns the site's domains, sorted.</summary>
    /// <exception cref="Sites.NotFoundException">No such site.</exception>
    /// <exception cref="Sites.ConflictException">The site was purged, or the name is taken (a site's name or another domain).</exception>
    Task<IReadOnlyList<string>> AddAsync(string siteName, string domain, AuditEntry audit, CancellationToken ct);

    /// <exception cref="Sites.NotFoundException">No such site, or the site has no such domain.</exception>
    Task RemoveAsync(string siteName, string domain, AuditEntry audit, CancellationToken ct);
}
