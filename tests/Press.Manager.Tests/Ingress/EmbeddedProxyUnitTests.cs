using System.Net;
using Microsoft.AspNetCore.Http;
using Press.Infrastructure.Ingress;
using Press.Manager.Ingress;

namespace Press.Manager.Tests.Ingress;

/// <summary>The embedded proxy's pure parts: what a runner is told, the pages, the options. (Real traffic: the end-to-end Ingress tests.)</summary>
public sealed class EmbeddedProxyUnitTests
{
    private static DefaultHttpContext Request(string host, Action<HttpRequest>? also = null)
    {
        var context = new DefaultHttpContext();
        context.Request.Method = "GET";
        context.Request.Scheme = "http";
        context.Request.Host = new HostString(host);
        context.Request.Path = "/api/method/ping";
        context.Connection.RemoteIpAddress = IPAddress.Parse("::ffff:10.1.2.3");
        also?.Invoke(context.Request);
        return context;
    }

    private static async Task<HttpRequestMessage> TransformAsync(DefaultHttpContext context, string site)
    {
        var message = new HttpRequestMessage();
        await new RunnerTransformer(site).TransformRequestAsync(context, message, "http://127.0.0.1:48600/", CancellationToken.None);
        return message;
    }

    private static string[] Header(HttpRequestMessage m, string name) => m.Headers.TryGetValues(name, out var v) ? [.. v] : [];

    [Fact]
    public async Task The_runner_gets_the_client_Host_the_routed_site_and_fresh_forwarded_headers()
    {
        var message = await TransformAsync(Request("ERP.example.com:48580"), "erp.example.com");

        Assert.Equal("ERP.example.com:48580", message.Headers.Host);
        Assert.Equal(["erp.example.com"], Header(message, "X-Frappe-Site-Name"));
        Assert.Equal(["10.1.2.3"], Header(message, "X-Forwarded-For"));
        Assert.Equal(["http"], Header(message, "X-Forwarded-Proto"));
        Assert.Equal(["ERP.example.com:48580"], Header(message, "X-Forwarded-Host"));
    }

    [Fact]
    public async Task Client_supplied_site_name_and_forwarded_headers_are_replaced_not_passed_on()
    {
        var message = await TransformAsync(Request("shop.example.com", r =>
        {
            r.Headers["X-Frappe-Site-Name"] = "other.example.com";
            r.Headers["X-Forwarded-For"] = "203.0.113.9";
            r.Headers["X-Forwarded-Host"] = "other.example.com";
            r.Headers["Forwarded"] = "for=203.0.113.9;host=other.example.com";
            r.Headers["X-Real-IP"] = "203.0.113.9";
            r.Headers["Accept"] = "application/json";
        }), "shop.example.com");

        Assert.Equal(["shop.example.com"], Header(message, "X-Frappe-Site-Name"));
        Assert.Equal(["10.1.2.3"], Header(message, "X-Forwarded-For"));
        Assert.Equal(["shop.example.com"], Header(message, "X-Forwarded-Host"));
        Assert.Empty(Header(message, "Forwarded"));
        Assert.Empty(Header(message, "X-Real-IP"));
        Assert.Equal(["application/json"], Header(message, "Accept")); // everything else passes through
    }

    [Fact]
    public async Task The_maintenance_page_is_a_503_with_Retry_After_naming_the_site_and_the_reason_escaped()
    {
        var context = Request("a.example.com");
        context.Response.Body = new MemoryStream();
        await MaintenancePages.MaintenanceAsync(context, "a.example.com", "the site is <suspended>");

        Assert.Equal(503, context.Response.StatusCode);
        Assert.Equal("30", context.Response.Headers.RetryAfter.ToString());
        Assert.Equal("maintenance", context.Response.Headers[MaintenancePages.KindHeader].ToString());
        Assert.Equal("no-store", context.Response.Headers.CacheControl.ToString());
        Assert.Equal("text/html; charset=utf-8", context.Response.ContentType);
        var body = System.Text.Encoding.UTF8.GetString(((MemoryStream)context.Response.Body).ToArray());
        Assert.Contains("<title>a.example.com is under maintenance</title>", body);
        Assert.Contains("the site is &lt;suspended&gt;", body);
    }

    [Theory]
    [InlineData("erp.example.com", "erp.example.com")]
    [InlineData("erp.example.com:48580", "erp.example.com")]
    [InlineData("erp.example.com.", "erp.example.com")]
    [InlineData("[::1]:48580", "[::1]")]
    [InlineData("", null)]
    public void The_host_name_is_the_Host_header_without_port_or_trailing_dot(string header, string? expected) =>
        Assert.Equal(expected, IngressMiddleware.HostName(Request(header).Request));

    [Theory]
    [InlineData("embedded", "http://127.0.0.1:48580", 48580)]
    [InlineData("embedded", "http://*:48581", 48581)]
    [InlineData("embedded", "", null)]
    [InlineData("traefik", "http://127.0.0.1:48580", null)]
    public void The_proxy_listens_only_in_embedded_mode_with_a_url(string mode, string url, int? port) =>
        Assert.Equal(port, EmbeddedProxy.ProxyPort(new IngressOptions { Mode = mode, ProxyUrl = url }));

    [Fact]
    public void Bad_ingress_options_fail_at_start_with_every_problem_and_the_fix()
    {
        var error = Assert.Throws<InvalidOperationException>(() =>
            EmbeddedProxy.Validate(new IngressOptions { Mode = "nginx", ProxyUrl = "https://127.0.0.1:48580", RefreshInterval = TimeSpan.Zero }));
        Assert.Contains("Press:Ingress:Mode is 'nginx': use 'embedded'", error.Message);
        Assert.Contains("must be http://", error.Message);
        Assert.Contains("RefreshInterval (00:00:00) must be positive", error.Message);
    }
}
