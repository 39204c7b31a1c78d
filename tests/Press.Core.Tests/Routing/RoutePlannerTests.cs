using Press.Core.Routing;
using Press.Core.Sites;

namespace Press.Core.Tests.Routing;

public sealed class RoutePlannerTests
{
    private const string PressHost = "press.example.net";

    private static SiteRouting Site(string name, SiteState state, int? port = 48600, bool served = true, params string[] domains) =>
        new(name, state, port, served, domains);

    private static Route Only(RouteTable table, string host) => Assert.Single(table.Routes, r => r.Host == host);

    [Theory]
    [InlineData(SiteState.Pending, RouteTarget.Maintenance)]
    [InlineData(SiteState.Installing, RouteTarget.Maintenance)]
    [InlineData(SiteState.Active, RouteTarget.Runner)]
    [InlineData(SiteState.Suspended, RouteTarget.Maintenance)]
    [InlineData(SiteState.Updating, RouteTarget.Maintenance)]
    [InlineData(SiteState.Broken, RouteTarget.Maintenance)]
    [InlineData(SiteState.Deleted, RouteTarget.NotFound)]
    public void Every_live_state_has_its_target(SiteState state, RouteTarget target)
    {
        var table = RoutePlanner.Plan([Site("a.example.com", state, 48601)], PressHost);

        var route = Only(table, "a.example.com");
        Assert.Equal(target, route.Target);
        Assert.Equal("a.example.com", route.Site);
        // Only a runner route carries the port: the others are answered by Press.
        Assert.Equal(target == RouteTarget.Runner ? 48601 : null, route.RunnerPort);
        Assert.False(string.IsNullOrWhiteSpace(route.Reason));
    }

    [Fact]
    public void Every_state_is_covered_by_the_theory_above_or_the_purged_test() =>
        Assert.Equal(8, Enum.GetValues<SiteState>().Length);

    [Fact]
    public void An_active_site_without_a_runtime_or_a_port_gets_the_maintenance_page()
    {
        var table = RoutePlanner.Plan([
            Site("unserved.example.com", SiteState.Active, 48600, served: false),
            Site("noport.example.com", SiteState.Active, port: null),
        ], PressHost);

        Assert.All(table.Routes.Where(r => r.Site is not null), r =>
        {
            Assert.Equal(RouteTarget.Maintenance, r.Target);
            Assert.Null(r.RunnerPort);
        });
        Assert.Contains("not served", Only(table, "unserved.example.com").Reason);
    }

    [Fact]
    public void Suspended_and_broken_sites_say_why_on_the_maintenance_page()
    {
        var table = RoutePlanner.Plan([Site("s.example.com", SiteState.Suspended), Site("b.example.com", SiteState.Broken, 48601)], PressHost);
        Assert.Contains("suspended", Only(table, "s.example.com").Reason);
        Assert.Contains("repaired", Only(table, "b.example.com").Reason);
    }

    [Theory]
    [InlineData(SiteState.Active)]
    [InlineData(SiteState.Suspended)]
    [InlineData(SiteState.Deleted)]
    public void Domains_get_the_same_route_as_their_site(SiteState state)
    {
        var table = RoutePlanner.Plan([Site("erp.example.com", state, 48610, true, "shop.example.org", "www.example.org")], PressHost);

        var own = Only(table, "erp.example.com");
        foreach (var domain in new[] { "shop.example.org", "www.example.org" })
            Assert.Equal(own with { Host = domain }, Only(table, domain));
    }

    [Fact]
    public void A_domain_listed_twice_or_equal_to_the_site_name_gives_one_route()
    {
        var table = RoutePlanner.Plan([Site("erp.example.com", SiteState.Active, 48600, true, "x.example.org", "x.example.org", "erp.example.com")], PressHost);
        Assert.Equal(["erp.example.com", "press.example.net", "x.example.org"], table.Routes.Select(r => r.Host));
    }

    [Fact]
    public void Purged_sites_and_their_domains_vanish()
    {
        var table = RoutePlanner.Plan([
            Site("gone.example.com", SiteState.Purged, null, true, "gone.example.org"),
            Site("kept.example.com", SiteState.Active),
        ], PressHost);

        Assert.Equal(["kept.example.com", PressHost], table.Routes.Select(r => r.Host));
        Assert.Null(table.Find("gone.example.com"));
        Assert.Null(table.Find("gone.example.org"));
    }

    [Fact]
    public void Press_host_is_always_present_even_without_sites()
    {
        var table = RoutePlanner.Plan([], PressHost);

        var press = Assert.Single(table.Routes);
        Assert.Equal(new Route(PressHost, null, RouteTarget.Press, null, press.Reason), press);
    }

    [Fact]
    public void Routes_are_sorted_by_host_ordinal_and_found_case_insensitively()
    {
        var table = RoutePlanner.Plan([
            Site("b.example.com", SiteState.Active, 48601, true, "a-z.example.org"),
            Site("a.example.com", SiteState.Suspended, 48602, true, "z.example.org", "0.example.org"),
            Site("a-b.example.com", SiteState.Deleted),
        ], PressHost);

        var hosts = table.Routes.Select(r => r.Host).ToList();
        Assert.Equal(hosts.Order(StringComparer.Ordinal), hosts);
        Assert.Equal(7, hosts.Count);
        Assert.Same(table.Find("b.example.com"), table.Find("B.Example.COM"));
    }

    [Fact]
    public void The_same_sites_in_any_order_give_the_same_table()
    {
        var sites = Enumerable.Range(0, 200).Select(i => Site($"s{i:D3}.example.com", (SiteState)(i % 8), 48600 + i, i % 5 != 0,
            i % 3 == 0 ? [$"d{i}.example.org", $"e{i}.example.org"] : [])).ToList();
        var reference = RoutePlanner.Plan(sites, PressHost).Routes;

        var random = new Random(42);
        for (var round = 0; round < 5; round++)
        {
            var shuffled = sites.OrderBy(_ => random.Next()).Select(s => s with { Domains = s.Domains.Reverse().ToList() });
            Assert.Equal(reference, RoutePlanner.Plan(shuffled, PressHost).Routes);
        }
        // One route per live site and per domain of a live site, and Press's own.
        Assert.Equal(sites.Count(s => s.State != SiteState.Purged) + sites.Where(s => s.State != SiteState.Purged).Sum(s => s.Domains.Count) + 1,
            reference.Count);
    }
}

public sealed class RoutePlannerClashTests
{
    private static SiteRouting Site(string name, params string[] domains) =>
        new(name, Press.Core.Sites.SiteState.Active, 48601, true, domains);

    [Fact]
    public void A_host_claimed_twice_gets_one_owner_press_first_then_site_names_then_domains()
    {
        var table = RoutePlanner.Plan(
            [Site("a.example.com", "b.example.com", "press.example.com"), Site("b.example.com"), Site("c.example.com", "b.example.com")],
            "press.example.com");

        Assert.Equal(["a.example.com", "b.example.com", "c.example.com", "press.example.com"], table.Routes.Select(r => r.Host));
        Assert.Equal("b.example.com", table.Find("b.example.com")!.Site);
        Assert.Equal(RouteTarget.Press, table.Find("press.example.com")!.Target);
    }
}
