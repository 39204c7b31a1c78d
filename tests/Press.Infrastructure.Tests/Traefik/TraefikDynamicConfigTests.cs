using Newtonsoft.Json.Linq;
using Press.Core.Routing;
using Press.Core.Sites;
using Press.Infrastructure.Tests.Deployment;
using Press.Infrastructure.Traefik;

namespace Press.Infrastructure.Tests.Traefik;

/// <summary>The route table rendered as Traefik dynamic configuration: exact output, determinism, and the published schema.</summary>
public sealed partial class TraefikDynamicConfigTests
{
    private const string PressUrl = "http://127.0.0.1:48550";
    private static readonly TraefikRenderOptions Tls = new(PressUrl, Tls: true);
    private static readonly TraefikRenderOptions Plain = new(PressUrl, Tls: false);

    /// <summary>Press, an active site with a custom domain, a suspended site and a deleted one.</summary>
    private static RouteTable Small() => RoutePlanner.Plan([
        new SiteRouting("erp.example.com", SiteState.Active, 48600, true, ["shop.example.org"]),
        new SiteRouting("old.example.com", SiteState.Suspended, 48601, true, []),
        new SiteRouting("gone.example.com", SiteState.Deleted, null, true, []),
    ], "press.example.com");

    private static RouteTable Large(int sites)
    {
        var states = new[] { SiteState.Active, SiteState.Active, SiteState.Active, SiteState.Suspended, SiteState.Deleted, SiteState.Broken };
        return RoutePlanner.Plan(Enumerable.Range(0, sites).Select(i => new SiteRouting(
            $"site-{i:D4}.example.com", states[i % states.Length], 48600 + i, true,
            i % 10 == 0 ? [$"shop-{i:D4}.example.org"] : [])), "press.example.com");
    }

    [Fact]
    public void A_small_table_with_tls_renders_exactly_the_golden_output() =>
        AssertSameText(GoldenTls, TraefikConfig.Render(Small(), Tls));

    [Fact]
    public void A_small_table_without_tls_renders_exactly_the_golden_output() =>
        AssertSameText(GoldenPlain, TraefikConfig.Render(Small(), Plain));

    [Fact]
    public void Output_is_byte_identical_across_renders_and_input_orders()
    {
        foreach (var options in new[] { Tls, Plain })
        {
            var table = Large(300);
            var reference = TraefikConfig.Render(table, options);
            Assert.Equal(reference, TraefikConfig.Render(table, options));
            Assert.Equal(reference, TraefikConfig.Render(Large(300), options));

            var random = new Random(7);
            for (var round = 0; round < 5; round++)
            {
                var shuffled = new RouteTable(table.Routes.OrderBy(_ => random.Next()).ToList());
                Assert.Equal(reference, TraefikConfig.Render(shuffled, options));
            }
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void The_small_table_validates_against_the_file_provider_schema(bool tls) =>
        JsonSchemas.AssertValid(JsonSchemas.TraefikFileProvider, JToken.Parse(TraefikConfig.Render(Small(), tls ? Tls : Plain)),
            $"the rendered configuration (tls {tls})");

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_thousand_route_table_validates_against_the_file_provider_schema(bool tls)
    {
        var table = Large(910); // 910 sites, 91 domains and Press: 1,002 routes
        Assert.True(table.Routes.Count >= 1000, $"{table.Routes.Count} routes");
        var json = JObject.Parse(TraefikConfig.Render(table, tls ? Tls : Plain));

        JsonSchemas.AssertValid(JsonSchemas.TraefikFileProvider, json, $"the 1,000-route configuration (tls {tls})");
        var routers = (JObject)json["http"]!["routers"]!;
        // One router per host (two with TLS: the redirect), and one more per served host for its socket.io.
        Assert.Equal(table.Routes.Count * (tls ? 2 : 1) + table.Routes.Count(r => r.Target == RouteTarget.Runner), routers.Count);
        Assert.Equal(table.Routes.Select(r => $"Host(`{r.Host}`)").Order(StringComparer.Ordinal),
            routers.Properties().Where(p => p.Name.StartsWith("host-", StringComparison.Ordinal)).Select(p => (string)p.Value["rule"]!).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void The_schema_check_catches_a_broken_router()
    {
        var json = JObject.Parse(TraefikConfig.Render(Small(), Tls));
        json["http"]!["routers"]!["host-erp-example-com"]!["entrypoints"] = new JArray("web");
        Assert.Contains(JsonSchemas.Errors(JsonSchemas.TraefikFileProvider, json), e => e.Contains("entrypoints"));
    }

    [Fact]
    public void Every_router_has_the_security_headers_and_tls_routers_the_resolver()
    {
        var json = JObject.Parse(TraefikConfig.Render(Large(60), Tls));
        foreach (var router in ((JObject)json["http"]!["routers"]!).Properties())
        {
            var middlewares = router.Value["middlewares"]!.Values<string>().ToList();
            Assert.Equal("security-headers", middlewares[0]);
            var entryPoints = router.Value["entryPoints"]!.Values<string>().ToList();
            if (router.Name.StartsWith("redirect-", StringComparison.Ordinal))
            {
                Assert.Equal(["web"], entryPoints);
                Assert.Equal(["security-headers", "redirect-to-https"], middlewares);
                Assert.Null(router.Value["tls"]);
            }
            else
            {
                Assert.Equal(["websecure"], entryPoints);
                Assert.Equal("letsencrypt", (string?)router.Value["tls"]!["certResolver"]);
                Assert.DoesNotContain("redirect-to-https", middlewares);
            }
        }
        Assert.Equal(31536000, (int)json["http"]!["middlewares"]!["security-headers"]!["headers"]!["stsSeconds"]!);
    }

    [Fact]
    public void Without_tls_there_is_no_redirect_no_websecure_and_no_sts()
    {
        var json = JObject.Parse(TraefikConfig.Render(Large(60), Plain));
        var middlewares = (JObject)json["http"]!["middlewares"]!;
        Assert.Null(middlewares["redirect-to-https"]);
        Assert.Null(middlewares["security-headers"]!["headers"]!["stsSeconds"]);
        Assert.All(((JObject)json["http"]!["routers"]!).Properties(), r =>
        {
            Assert.Matches("^(host|socketio)-", r.Name);
            Assert.Equal(["web"], r.Value["entryPoints"]!.Values<string>());
            Assert.Null(r.Value["tls"]);
        });
    }

    [Fact]
    public void An_empty_resolver_uses_the_default_certificate()
    {
        var json = JObject.Parse(TraefikConfig.Render(Small(), Tls with { CertResolver = "" }));
        Assert.Equal(new JObject(), json["http"]!["routers"]!["host-erp-example-com"]!["tls"]);
    }

    [Fact]
    public void A_domain_shares_its_sites_service_and_site_header()
    {
        var routers = JObject.Parse(TraefikConfig.Render(Small(), Tls))["http"]!["routers"]!;
        Assert.Equal(routers["host-erp-example-com"]!["service"], routers["host-shop-example-org"]!["service"]);
        Assert.Equal(routers["host-erp-example-com"]!["middlewares"], routers["host-shop-example-org"]!["middlewares"]);
    }

    [Fact]
    public void Names_are_distinct_for_hosts_that_differ_only_in_dots_and_hyphens()
    {
        string[] hosts = ["a-b.example.com", "a.b-example.com", "a.b.example.com", "a--b.example.com", "a-b-example.com", "ab.example.com"];
        var slugs = hosts.Select(TraefikConfig.Slug).ToList();
        Assert.Equal(hosts.Length, slugs.Distinct().Count());
        Assert.Equal("a--b-example-com", TraefikConfig.Slug("a-b.example.com"));
        // Not a DNS name (e.g. a misconfigured Press host): a hashed name no DNS name's slug can take.
        Assert.Matches("^_[0-9a-f]{16}$", TraefikConfig.Slug("press.example.com:48550"));

        var table = RoutePlanner.Plan(hosts.Select((h, i) => new SiteRouting(h, SiteState.Active, 48600 + i, true, [])), "press.example.com");
        var routers = (JObject)JObject.Parse(TraefikConfig.Render(table, Tls))["http"]!["routers"]!;
        Assert.Equal((hosts.Length + 1) * 2 + hosts.Length, routers.Count); // + a socket.io router per served host
    }

    [Theory]
    [InlineData("evil`) || Host(`x.example.com")]
    [InlineData("a b.example.com")]
    [InlineData("")]
    public void A_host_that_could_break_out_of_the_rule_is_refused(string host)
    {
        var table = new RouteTable([new Route(host, null, RouteTarget.Press, null, "test")]);
        Assert.Throws<ArgumentException>(() => TraefikConfig.Render(table, Tls));
    }

    [Fact]
    public void A_runner_route_without_a_port_is_refused()
    {
        var table = new RouteTable([new Route("a.example.com", "a.example.com", RouteTarget.Runner, null, "active")]);
        var error = Assert.Throws<ArgumentException>(() => TraefikConfig.Render(table, Tls));
        Assert.Contains("a.example.com", error.Message);
    }

    private static void AssertSameText(string expected, string actual)
    {
        if (expected == actual) return;
        var (e, a) = (expected.Split('\n'), actual.Split('\n'));
        var line = Enumerable.Range(0, Math.Min(e.Length, a.Length)).FirstOrDefault(i => e[i] != a[i], Math.Min(e.Length, a.Length));
        Assert.Fail($"output differs from the golden at line {line + 1}:\n  expected: {e.ElementAtOrDefault(line)}\n  actual:   {a.ElementAtOrDefault(line)}\n--- actual output ---\n{actual}");
    }
}
