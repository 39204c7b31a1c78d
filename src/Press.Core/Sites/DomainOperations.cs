using Press.Core.Audit;
using Press.Core.Ports;

namespace Press.Core.Sites;

/// <summary>
/// Custom domains (docs/architecture.md §8): a domain follows the host-name rule of site names (<see cref="HostNames"/>),
/// then the store checks it against the current state in one transaction.
/// </summary>
public sealed class DomainOperations(IDomainStore store, PressHost press)
{
    /// <exception cref="ValidationException">The domain is not an acceptable host name.</exception>
    public Task<IReadOnlyList<string>> AddAsync(string siteName, string? domain, Actor actor, CancellationToken ct)
    {
        var problems = new Dictionary<string, List<string>>();
        problems.AddAll("domain", Problems(domain));
        ValidationException.ThrowIfAny(problems);
        return store.AddAsync(siteName, domain!, actor.Did("site.domain.add", siteName, domain), ct);
    }

    public Task RemoveAsync(string siteName, string domain, Actor actor, CancellationToken ct) =>
        store.RemoveAsync(siteName, domain, actor.Did("site.domain.remove", siteName, domain), ct);

    /// <summary>Every problem of a would-be domain (empty when it is acceptable).</summary>
    public IReadOnlyList<string> Problems(string? domain) => domain switch
    {
        null => ["'domain' is required: give the extra host name, e.g. \"shop.example.org\"."],
        "" => ["'domain' is empty: give the extra host name, e.g. \"shop.example.org\"."],
        _ => HostNames.Problems(domain, "domain", press),
    };
}
