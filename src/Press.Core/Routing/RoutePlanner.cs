using Press.Core.Sites;

namespace Press.Core.Routing;

/// <summary>
/// Computes the one desired route table from the sites (docs/architecture.md §8). Pure: the same sites give the same table,
/// which Traefik's configuration and the embedded proxy are both rendered from.
/// </summary>
public static class RoutePlanner
{
    /// <remarks>
    /// One owner per host, whatever the data says: Press's own host first, then site names, then custom domains, so a
    /// clash (which the API refuses, but data can predate a rule) never stops routing for everyone.
    /// </remarks>
    public static RouteTable Plan(IEnumerable<SiteRouting> sites, string pressHost)
    {
        var live = sites.Where(s => s.State != SiteState.Purged && !s.Standby).OrderBy(s => s.Name, StringComparer.Ordinal).ToList();
        var routes = new Dictionary<string, Route>(StringComparer.OrdinalIgnoreCase)
        {
            [pressHost] = new(pressHost, null, RouteTarget.Press, null, "Press's own UI and API"),
        };
        foreach (var site in live) routes.TryAdd(site.Name, RouteFor(site, site.Name));
        foreach (var site in live)
            foreach (var domain in site.Domains)
                routes.TryAdd(domain, RouteFor(site, domain));
        return new RouteTable(routes.Values.OrderBy(r => r.Host, StringComparer.Ordinal).ToList());
    }

    private static Route RouteFor(SiteRouting site, string host)
    {
        var (target, reason) = Decide(site);
        return new Route(host, site.Name, target, target == RouteTarget.Runner ? site.RunnerPort : null, reason);
    }

    private static (RouteTarget, string) Decide(SiteRouting site) => site.State switch
    {
        SiteState.Deleted => (RouteTarget.NotFound, "the site was deleted"),
        SiteState.Active when site.Served && site.RunnerPort is not null => (RouteTarget.Runner, "active"),
        SiteState.Active => (RouteTarget.Maintenance, "the site is not served by any runtime"),
        SiteState.Suspended => (RouteTarget.Maintenance, "the site is suspended"),
        SiteState.Broken => (RouteTarget.Maintenance, "the site is being repaired"),
        SiteState.Updating => (RouteTarget.Maintenance, "the site is being updated"),
        _ => (RouteTarget.Maintenance, "the site is being set up"),
    };
}
