using System.Net;
using Press.Manager.Tests.Harness;

namespace Press.Manager.Tests;

/// <summary>Behind Traefik with TLS (the production stack), the session and anti-forgery cookies are Secure and <c>__Host-</c>.</summary>
public sealed class SecureCookieTests(SecureCookieTests.TlsApp fixture) : IClassFixture<SecureCookieTests.TlsApp>
{
    public sealed class TlsApp : IAsyncLifetime
    {
        public PressApp App { get; } = new() { StartWorker = false, ExtraSettings = new Dictionary<string, string?> { ["Press:Ingress:Mode"] = "traefik" } };
        public Task InitializeAsync() => App.InitializeAsync();
        public Task DisposeAsync() => App.DisposeAsync();
    }

    [Fact]
    public async Task Session_and_anti_forgery_cookies_are_secure_host_prefixed_httponly_and_lax_or_strict()
    {
        var app = fixture.App;
        var browser = app.BrowserClient();
        var page = await browser.GetAsync("https://localhost/login");
        var antiforgery = page.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("__Host-press-antiforgery=", StringComparison.Ordinal));
        Assert.Contains("secure", antiforgery, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", antiforgery, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("path=/", antiforgery, StringComparison.OrdinalIgnoreCase);

        var html = await page.Content.ReadAsStringAsync();
        var token = System.Text.RegularExpressions.Regex.Match(html, "name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"").Groups[1].Value;
        var login = await browser.PostAsync("https://localhost/login?handler=Local", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["userName"] = "admin", ["password"] = app.Db.AdminPassword, ["returnUrl"] = "/", ["__RequestVerificationToken"] = WebUtility.HtmlDecode(token),
        }));
        Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
        var session = login.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("__Host-press-session=", StringComparison.Ordinal));
        foreach (var attribute in new[] { "secure", "httponly", "samesite=lax", "path=/" })
            Assert.Contains(attribute, session, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("domain=", session, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(app.Logs.Lines, l => l.Contains(app.Db.AdminPassword, StringComparison.Ordinal));
    }
}
