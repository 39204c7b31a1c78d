using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Press.Manager.Ingress;
using Press.Testing;
using Yarp.ReverseProxy.Forwarder;

namespace Press.Manager.Tests.Ingress;

/// <summary>Requests and 5xx per site counted in the embedded proxy (docs/architecture.md §15), through YARP's real
/// forwarder to a real HTTP server on loopback.</summary>
public sealed class SiteTrafficTests
{
    private static async Task<int> ForwardAsync(RunnerForwarder forwarder, string site, int port, string path)
    {
        var context = new DefaultHttpContext { RequestServices = new ServiceCollection().BuildServiceProvider() };
        context.Request.Method = "GET";
        context.Request.Scheme = "http";
        context.Request.Host = new HostString(site);
        context.Request.Path = path;
        context.Response.Body = new MemoryStream();
        await forwarder.ForwardAsync(context, site, port);
        return context.Response.StatusCode;
    }

    [Fact]
    public async Task Every_forwarded_request_is_counted_for_its_site_and_5xx_from_the_runner_or_the_proxy_too()
    {
        var port = Ports.Reserve();
        await using var runner = TinyHttpServer.Start(port, port, (request, response) =>
            response.JsonAsync(request.Path == "/boom" ? 500 : 200, "{}"));
        var services = new ServiceCollection().AddLogging().AddHttpForwarder().BuildServiceProvider();
        var traffic = new SiteTraffic();
        using var forwarder = new RunnerForwarder(services.GetRequiredService<IHttpForwarder>(), traffic, NullLogger<RunnerForwarder>.Instance);

        Assert.Equal(200, await ForwardAsync(forwarder, "erp.example.com", runner.Port, "/api/method/ping"));
        Assert.Equal(200, await ForwardAsync(forwarder, "erp.example.com", runner.Port, "/app"));
        Assert.Equal(500, await ForwardAsync(forwarder, "erp.example.com", runner.Port, "/boom"));
        // A runner that does not answer: the proxy's own 503 page, a 5xx for the site all the same.
        Assert.Equal(503, await ForwardAsync(forwarder, "shop.example.org", Ports.AlwaysClosed, "/"));

        var taken = traffic.Take();
        Assert.Equal((3L, 1L), taken["erp.example.com"]);
        Assert.Equal((1L, 1L), taken["shop.example.org"]);
        Assert.Empty(traffic.Take()); // taken once

        traffic.Return(taken); // a failed flush puts them back
        Assert.Equal((3L, 1L), traffic.Take()["erp.example.com"]);
        Ports.Release(port);
    }
}
