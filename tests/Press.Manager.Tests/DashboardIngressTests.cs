using System.Net;
using Press.Manager.Tests.Harness;

namespace Press.Manager.Tests;

/// <summary>The dashboard is served on Press's own host through the embedded proxy as on the API port, and never on a site's host.</summary>
public sealed class DashboardIngressTests(PressAppWithEmbeddedProxy fixture) : IClassFixture<PressAppWithEmbeddedProxy>
{
    private readonly PressApp app = fixture.App;

    [Theory]
    [InlineData("/login", 200)]
    [InlineData("/press.js", 200)]
    [InlineData("/", 302)]
    [InlineData("/sites", 302)]
    [InlineData("/ui/jobs/00000000-0000-0000-0000-000000000000/events", 302)]
    public async Task Press_s_own_host_through_the_proxy_serves_the_dashboard(string path, int expected)
    {
        var context = await app.Server.SendAsync("GET", path, IPAddress.Loopback, localPort: PressAppWithEmbeddedProxy.ProxyPort, host: "press.localhost");
        Assert.Equal(expected, context.Response.StatusCode);
        if (expected == 302)
            Assert.StartsWith("/login?ReturnUrl=", new Uri(new Uri("http://press.localhost"), context.Response.Headers.Location.ToString()).PathAndQuery,
                StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_site_host_never_reaches_the_dashboard()
    {
        var context = await app.Server.SendAsync("GET", "/login", IPAddress.Loopback, localPort: PressAppWithEmbeddedProxy.ProxyPort, host: "no-such-site.example.com");
        Assert.Equal(404, context.Response.StatusCode);
    }
}
