using System.Net;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Press.Manager.Tests.Harness;

namespace Press.Manager.Tests;

/// <summary>
/// /metrics, /readyz and the OpenAPI document answer a loopback caller (a scrape on the host) or a token; a caller
/// that is, or is forwarded for, anyone else gets 401. /healthz stays anonymous. The connection is set per request
/// as Kestrel reports it: the peer address and the local port (48550 the API's, 48580 the embedded proxy's).
/// </summary>
public sealed class DiagnosticsAccessTests(PressAppWithEmbeddedProxy fixture) : IClassFixture<PressAppWithEmbeddedProxy>
{
    private readonly PressApp app = fixture.App;

    public static TheoryData<string> Paths() => ["/metrics", "/readyz", "/openapi/v1.json"];

    /// <summary>
    /// The status of a request whose body is read to the end, as any HTTP client does. The in-process server hands the
    /// response over once its headers are out; a body left unread (/metrics is larger than the server's pipe buffer)
    /// would keep the exporter writing it, and its next scrape waiting for that one to finish.
    /// </summary>
    private async Task<int> StatusAsync(string path, IPAddress? peer, IReadOnlyDictionary<string, string>? headers = null,
        int localPort = 48550, string host = "127.0.0.1:48550")
    {
        var context = await app.Server.SendAsync("GET", path, peer, headers, localPort: localPort, host: host);
        await context.BodyAsync();
        return context.Response.StatusCode;
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public async Task A_loopback_caller_on_the_API_port_is_served(string path)
    {
        Assert.Equal(200, await StatusAsync(path, IPAddress.Loopback));
        Assert.Equal(200, await StatusAsync(path, IPAddress.IPv6Loopback));
    }

    /// <summary>Prometheus sends its token file (docker/prometheus/prometheus.yml) even while it is empty or has expired:
    /// on loopback the scrape must still be served.</summary>
    [Theory]
    [InlineData("Bearer ")]
    [InlineData("Bearer press_notarealtokennotarealtokennotarealtoken")]
    public async Task A_loopback_scrape_with_an_empty_or_unknown_token_is_served(string authorization)
    {
        var headers = new Dictionary<string, string> { ["Authorization"] = authorization };
        Assert.Equal(200, await StatusAsync("/metrics", IPAddress.Loopback, headers));
        Assert.Equal(401, await StatusAsync("/metrics", IPAddress.Parse("203.0.113.5"), headers));
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public async Task A_remote_caller_without_a_token_is_refused(string path)
    {
        var response = (await app.Server.SendAsync("GET", path, IPAddress.Parse("203.0.113.5"))).Response;
        Assert.Equal(401, response.StatusCode);
        Assert.Equal(401, (await app.Server.SendAsync("GET", path, IPAddress.Parse("::ffff:203.0.113.5"))).Response.StatusCode);
        Assert.Equal(401, (await app.Server.SendAsync("GET", path, peer: null)).Response.StatusCode);
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public async Task Through_Traefik_on_loopback_a_forwarded_caller_is_refused_whatever_it_claims(string path)
    {
        foreach (var (header, value) in new[]
                 {
                     ("X-Forwarded-For", "203.0.113.5"), ("X-Forwarded-For", "127.0.0.1"), ("X-Forwarded-For", "127.0.0.1, 203.0.113.5"),
                     ("X-Forwarded-For", "not-an-address"), ("Forwarded", "for=127.0.0.1"), ("X-Real-IP", "127.0.0.1"),
                 })
        {
            var context = await app.Server.SendAsync("GET", path, IPAddress.Loopback, new Dictionary<string, string> { [header] = value });
            Assert.True(context.Response.StatusCode == 401, $"{header}: {value} on {path} gave {context.Response.StatusCode}");
        }
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public async Task Through_the_embedded_proxy_on_the_Press_host_an_anonymous_caller_is_refused(string path)
    {
        var context = await app.Server.SendAsync("GET", path, IPAddress.Loopback, localPort: PressAppWithEmbeddedProxy.ProxyPort, host: "press.localhost");
        Assert.Equal(401, context.Response.StatusCode);
        Assert.Contains("Bearer", await context.BodyAsync());
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public async Task A_token_opens_them_from_anywhere(string path)
    {
        var viewer = await app.ClientWithTokenAsync("viewer");
        var token = viewer.DefaultRequestHeaders.Authorization!.Parameter!;
        var headers = new Dictionary<string, string> { ["Authorization"] = $"Bearer {token}", ["X-Forwarded-For"] = "203.0.113.5" };
        Assert.Equal(200, await StatusAsync(path, IPAddress.Loopback, headers, localPort: PressAppWithEmbeddedProxy.ProxyPort, host: "press.localhost"));
        Assert.Equal(200, await StatusAsync(path, IPAddress.Parse("203.0.113.5"), headers));
    }

    /// <summary>What anyone may fetch: liveness, the login and logout pages, their stylesheet and script.</summary>
    private static readonly string[] Public = ["/healthz", "/login", "/logout", "/press.css", "/press.js"];

    /// <summary>
    /// Every endpoint outside /api (the /api ones: <see cref="AuthTests"/>), so a new one cannot be left open: 401 or 404,
    /// or, for a page, a redirect to the login page.
    /// </summary>
    [Fact]
    public async Task Every_endpoint_outside_api_but_healthz_refuses_an_anonymous_remote_caller()
    {
        var paths = app.ManagerServices.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Select(e => "/" + e.RoutePattern.RawText!.TrimStart('/').Replace("{documentName}", "v1"))
            .Where(p => !p.StartsWith("/api", StringComparison.Ordinal)).Distinct().ToList();
        Assert.Contains("/metrics", paths);
        Assert.Contains("/readyz", paths);
        Assert.Contains("/openapi/v1.json", paths);
        Assert.Contains("/", paths);
        foreach (var path in paths.Where(p => !Public.Contains(p)))
        {
            var response = (await app.Server.SendAsync("GET", path, IPAddress.Parse("203.0.113.5"))).Response;
            var toLogin = response.StatusCode == 302 && Uri.TryCreate(response.Headers.Location.ToString(), UriKind.Absolute, out var target)
                          && target.PathAndQuery.StartsWith("/login?ReturnUrl=", StringComparison.Ordinal);
            Assert.True(response.StatusCode is 401 or 404 || toLogin, $"{path} answered an anonymous remote caller with {response.StatusCode} {response.Headers.Location}");
        }
    }

    [Fact]
    public async Task Healthz_stays_anonymous_for_liveness_probes()
    {
        Assert.Equal(200, (await app.Server.SendAsync("GET", "/healthz", IPAddress.Parse("203.0.113.5"))).Response.StatusCode);
        Assert.Equal(200, (await app.Server.SendAsync("GET", "/healthz", IPAddress.Loopback, localPort: PressAppWithEmbeddedProxy.ProxyPort, host: "press.localhost")).Response.StatusCode);
    }
}
