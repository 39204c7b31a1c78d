using System.Net;
using System.Net.Http.Json;
using Press.Manager.Tests.Harness;

namespace Press.Manager.Tests;

/// <summary>
/// The login page with local accounts only (no issuer configured): anti-forgery, sessions that the server can end,
/// safe return URLs, throttling, audit and metrics. Single sign-on and its fallback: Press.EndToEnd.Tests/Identity.
/// </summary>
public sealed class LoginPageTests(PressApp app) : IClassFixture<PressApp>
{
    private async Task<(string Name, string Password)> NewUserAsync(string role = "operator")
    {
        var name = "u" + Guid.NewGuid().ToString("N")[..10];
        var created = await (await app.Admin.PostAsJsonAsync("/api/users", new { name, role })).Json(HttpStatusCode.Created);
        return (name, created.GetProperty("password").GetString()!);
    }

    private static async Task<HttpResponseMessage> HomeAsync(HttpClient browser) => await browser.GetAsync("/");

    [Fact]
    public async Task Without_an_issuer_the_page_says_so_and_offers_the_local_form_with_strict_headers()
    {
        var response = await app.BrowserClient().GetAsync("/login");
        var html = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("Single sign-on is not configured: local accounts only.", html);
        Assert.Contains("id=\"local-form\"", html);
        Assert.DoesNotContain("sso-button", html);
        Assert.Contains("<label for=\"password\">", html);
        Assert.StartsWith("default-src 'none'; style-src 'self'", response.Headers.GetValues("Content-Security-Policy").Single());
        Assert.Contains("frame-ancestors 'none'", response.Headers.GetValues("Content-Security-Policy").Single());
        Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
        Assert.Contains(app.Logs.Lines, l => l.Contains("Single sign-on is not configured (Press__Oidc__Authority is unset): local accounts only.", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_form_post_without_its_anti_forgery_token_is_refused_and_logs_nobody_in()
    {
        var (name, password) = await NewUserAsync();
        var browser = app.BrowserClient();
        var response = await LoginForm.PostLocalAsync(browser, name, password, withToken: false);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await HomeAsync(browser)).StatusCode);

        // A token from another browser (another anti-forgery cookie) does not work either.
        var other = await LoginForm.AntiforgeryTokenAsync(app.BrowserClient());
        var fields = new Dictionary<string, string> { ["userName"] = name, ["password"] = password, ["__RequestVerificationToken"] = other };
        Assert.Equal(HttpStatusCode.BadRequest, (await browser.PostAsync("/login?handler=Local", new FormUrlEncodedContent(fields))).StatusCode);
    }

    [Fact]
    public async Task A_local_login_opens_a_server_side_session_audited_and_counted()
    {
        var (name, password) = await NewUserAsync();
        var browser = app.BrowserClient();
        Assert.Equal("/login?ReturnUrl=%2F", (await HomeAsync(browser)).Headers.Location?.PathAndQuery);

        var wrong = await LoginForm.PostLocalAsync(browser, name, "not the password");
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Contains("Wrong user name or password.", await wrong.Content.ReadAsStringAsync());

        var ok = await LoginForm.PostLocalAsync(browser, name, password, "/?from=login");
        Assert.Equal(HttpStatusCode.Redirect, ok.StatusCode);
        Assert.Equal("/?from=login", ok.Headers.Location?.OriginalString);
        var cookie = ok.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("press-session=", StringComparison.Ordinal));
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=lax", cookie, StringComparison.OrdinalIgnoreCase);
        var home = await HomeAsync(browser);
        Assert.Equal(HttpStatusCode.OK, home.StatusCode);
        Assert.Contains("with role <strong id=\"role\">operator</strong> (local login)", await home.Content.ReadAsStringAsync());

        // The API never takes the cookie: it answers 401 and asks for a bearer token.
        Assert.Equal(HttpStatusCode.Unauthorized, (await browser.GetAsync("/api/sites")).StatusCode);

        var audit = await app.Admin.GetJsonAsync($"/api/audit?actor={name}");
        var login = audit.GetProperty("items").EnumerateArray().Single(e => e.GetProperty("action").GetString() == "login.local");
        Assert.Equal("NotConfigured", login.GetProperty("details").GetProperty("sso").GetString());
        var metrics = await (await app.Admin.GetAsync("/metrics")).Content.ReadAsStringAsync();
        Assert.Matches("press_logins_total\\{method=\"local\",outcome=\"success\"\\} [1-9]", metrics);
        Assert.Matches("press_logins_total\\{method=\"local\",outcome=\"failure\"\\} [1-9]", metrics);
        Assert.DoesNotContain("press_sso_up", metrics); // no issuer: no SSO gauge
        // Every attempt is logged, never with the password.
        Assert.Contains(app.Logs.Lines, l => l.Contains($"Local login (local) succeeded for {name}", StringComparison.Ordinal));
        Assert.Contains(app.Logs.Lines, l => l.Contains($"Local login (local) failed for {name}", StringComparison.Ordinal));
        Assert.DoesNotContain(app.Logs.Lines, l => l.Contains(password, StringComparison.Ordinal) || l.Contains("not the password", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("https://evil.example/")]
    [InlineData("//evil.example/")]
    [InlineData("/\\evil.example/")]
    [InlineData("javascript:alert(1)")]
    public async Task A_return_url_off_the_site_becomes_the_home_page(string returnUrl)
    {
        var (name, password) = await NewUserAsync();
        var response = await LoginForm.PostLocalAsync(app.BrowserClient(), name, password, returnUrl);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/", response.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task Each_login_is_a_new_session_and_logout_admin_end_disable_and_reset_each_end_one_at_once()
    {
        var (name, password) = await NewUserAsync();
        var browser = app.BrowserClient();
        await LoginForm.PostLocalAsync(browser, name, password);
        var first = await SessionIdsAsync(name);
        await LoginForm.PostLocalAsync(browser, name, password);
        var both = await SessionIdsAsync(name);
        Assert.Equal(2, both.Count); // a login never reuses the session it came with
        Assert.Single(first);

        // Logout ends the live one; the cookie it had is worthless even if replayed.
        var replay = app.BrowserClient();
        var loggedIn = await LoginForm.PostLocalAsync(replay, name, password);
        var stolen = loggedIn.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("press-session=", StringComparison.Ordinal)).Split(';')[0];
        var cookie = new Dictionary<string, string> { ["Cookie"] = stolen };
        Assert.Equal(200, (await app.Server.SendAsync("GET", "/", IPAddress.Loopback, cookie)).Response.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await LoginForm.LogoutAsync(replay)).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await HomeAsync(replay)).StatusCode);
        Assert.Equal(302, (await app.Server.SendAsync("GET", "/", IPAddress.Loopback, cookie)).Response.StatusCode);

        // An admin ends a session: its next request is refused.
        var victim = app.BrowserClient();
        var before = await SessionIdsAsync(name);
        await LoginForm.PostLocalAsync(victim, name, password);
        var id = (await SessionIdsAsync(name)).Except(before).Single();
        await (await app.Admin.DeleteAsync($"/api/sessions/{id}")).Json(HttpStatusCode.OK);
        Assert.Equal(HttpStatusCode.Redirect, (await HomeAsync(victim)).StatusCode);
        await (await app.Admin.DeleteAsync($"/api/sessions/{id}")).Json(HttpStatusCode.NotFound);

        // Disabling the account ends all its sessions at once; so does a password reset.
        Assert.Equal(HttpStatusCode.OK, (await HomeAsync(browser)).StatusCode);
        var disabled = await (await app.Admin.PostAsync($"/api/users/{name}/disable", null)).Json(HttpStatusCode.OK);
        Assert.True(disabled.GetProperty("sessionsEnded").GetInt32() >= 1);
        Assert.Equal(HttpStatusCode.Redirect, (await HomeAsync(browser)).StatusCode);
        var refused = await LoginForm.PostLocalAsync(browser, name, password);
        Assert.Contains("This account is disabled", await refused.Content.ReadAsStringAsync());
        await (await app.Admin.PostAsync($"/api/users/{name}/enable", null)).Json(HttpStatusCode.OK);
        await LoginForm.PostLocalAsync(browser, name, password);
        Assert.Equal(HttpStatusCode.OK, (await HomeAsync(browser)).StatusCode);
        var reset = await (await app.Admin.PostAsync($"/api/users/{name}/reset-password", null)).Json(HttpStatusCode.OK);
        Assert.Equal(HttpStatusCode.Redirect, (await HomeAsync(browser)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await LoginForm.PostLocalAsync(browser, name, password)).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await LoginForm.PostLocalAsync(browser, name, reset.GetProperty("password").GetString()!)).StatusCode);
    }

    [Fact]
    public async Task Ten_wrong_passwords_from_one_address_get_429_with_retry_after_on_the_form_too()
    {
        var (name, password) = await NewUserAsync();
        var browser = app.BrowserClient();
        // The in-process server gives no peer address: every form post here counts for the address key "unknown",
        // shared with other tests of this class, so count until the throttle answers instead of exactly ten.
        HttpResponseMessage? last = null;
        for (var i = 0; i < 11 && last?.StatusCode != HttpStatusCode.TooManyRequests; i++)
            last = await LoginForm.PostLocalAsync(browser, name, "wrong password " + i);
        Assert.Equal(HttpStatusCode.TooManyRequests, last!.StatusCode);
        Assert.True(int.Parse(last.Headers.GetValues("Retry-After").Single()) > 0);
        // While throttled even the right password is not checked.
        Assert.Equal(HttpStatusCode.TooManyRequests, (await LoginForm.PostLocalAsync(browser, name, password)).StatusCode);
        app.Time.Advance(TimeSpan.FromMinutes(16));
        Assert.Equal(HttpStatusCode.Redirect, (await LoginForm.PostLocalAsync(browser, name, password)).StatusCode);
    }

    [Fact]
    public async Task Users_are_created_with_a_password_shown_once_and_bad_input_is_listed_whole()
    {
        var (name, _) = await NewUserAsync("viewer");
        var list = await app.Admin.GetJsonAsync("/api/users");
        var user = list.GetProperty("items").EnumerateArray().Single(u => u.GetProperty("name").GetString() == name);
        Assert.False(user.TryGetProperty("password", out _));
        Assert.Equal("local", user.GetProperty("kind").GetString());
        Assert.False(user.GetProperty("breakGlass").GetBoolean());
        var admin = list.GetProperty("items").EnumerateArray().Single(u => u.GetProperty("name").GetString() == "admin");
        Assert.True(admin.GetProperty("breakGlass").GetBoolean());

        var bad = await (await app.Admin.PostAsJsonAsync("/api/users", new { name = "sso:x", role = "root", breakGlass = "yes" })).Json(HttpStatusCode.BadRequest);
        Assert.Equal(3, bad.GetProperty("errors").EnumerateObject().Count());
        await (await app.Admin.PostAsJsonAsync("/api/users", new { name })).Json(HttpStatusCode.Conflict);
        await (await app.Admin.PostAsync("/api/users/admin/disable", null)).Json(HttpStatusCode.Conflict); // not yourself
    }

    private async Task<List<Guid>> SessionIdsAsync(string user) =>
        (await app.Admin.GetJsonAsync("/api/sessions")).GetProperty("items").EnumerateArray()
        .Where(s => s.GetProperty("user").GetString() == user).Select(s => s.GetProperty("id").GetGuid()).ToList();
}
