namespace Press.Core.Routing;

/// <summary>Where a host name's requests go.</summary>
public enum RouteTarget
{
    /// <summary>The site's runner on 127.0.0.1:RunnerPort.</summary>
    Runner,
    /// <summary>Press's maintenance page: 503 with Retry-After (suspended, not served, installing, broken…).</summary>
    Maintenance,
    /// <summary>Press's 404 page (soft-deleted sites).</summary>
    NotFound,
    /// <summary>Press's own UI and API.</summary>
    Press,
}

/// <summary>One host name's route in the desired table.</summary>
/// <param name="Reason">Why this target, shown on maintenance pages and in diagnostics.</param>
public sealed record Route(string Host, string? Site, RouteTarget Target, int? RunnerPort, string Reason);

/// <summary>The desired routes, one per host name, sorted by host (ordinal) so every rendering is deterministic.</summary>
public sealed record RouteTable(IReadOnlyList<Route> Routes)
{
    private readonly Dictionary<string, Route> _byHost = Routes.ToDictionary(r => r.Host, StringComparer.OrdinalIgnoreCase);

    public static RouteTable Empty { get; } = new([]);

    public Route? Find(string host) => _byHost.GetValueOrDefault(host);
}

/// <summary>What the planner needs to know of a site.</summary>
/// <param name="Served">A runtime serves the site (false with the "none" driver).</param>
/// <param name="Domains">Extra host names (custom domains) of the site.</param>
/// <param name="Standby">A site of the standby pool (docs/architecture.md §17), or a rehearsal's scratch copy (§20): never
/// routed, not even to a maintenance page, so nothing reveals which exist.</param>
public sealed record SiteRouting(string Name, Sites.SiteState State, int? RunnerPort, bool Served, IReadOnlyList<string> Domains, bool Standby = false);
