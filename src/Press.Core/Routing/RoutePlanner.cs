using Press.Core.Sites;

namespace Press.Core.Routing;

/// <summary>
/// Computes the one desired route table from the sites (architecture §8). Pure: the same sites give the same table,
/// which Traefik's configuration and the embedded proxy are both rendered from.
/// </summary>
public static class RoutePlanner
{
    public static RouteTable Plan(IEnumerable<SiteRouting> sites, string pressHost)
    {
        var routes = new List<Route> { new(pressHost, null, RouteTarget.Press, null, "Press's own UI and API") };
        foreach (var site in sites.Where(s => s.State != SiteState.Purged))
        {
            var (target, reason) = Decide(site);
            var port = target == RouteTarget.Runner ? site.RunnerPort : null;
            foreach (var host in site.Domains.Prepend(site.Name).Distinct(StringComparer.OrdinalIgnoreCase))
                routes.Add(new Route(host, site.Name, target, port, reason));
        }
        return new RouteTable(routes.OrderBy(r => r.Host, StringComparer.Ordinal).ToList());
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
