using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using Press.EndToEnd.Tests.Harness;
using Press.Testing;
using Xunit.Abstractions;

namespace Press.EndToEnd.Tests.Identity;

/// <summary>
/// Single sign-on against a real OpenID Connect provider (oidc-provider) in a real browser (Chromium through Playwright),
/// bearer JWTs from the same issuer, and the fallback to local accounts while the provider is down.
/// </summary>
public sealed class SsoLoginTests(SsoFixture fx, ITestOutputHelper output) : IClassFixture<SsoFixture>
{
    private HttpClient Bearer(string token, Uri? baseUrl = null)
    {
        var http = new HttpClient { BaseAddress = baseUrl ?? fx.Manager.BaseUrl, Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return http;
    }

    private async Task<JsonElement> AdminGetAsync(string path)
    {
        using var admin = Bearer(fx.Admin.Token);
        return JsonDocument.Parse(await admin.GetStringAsync(path)).RootElement.Clone();
    }

    /// <summary>URL waits end when the navigation commits; the element calls that follow wait for what they need.</summary>
    private static readonly PageWaitForURLOptions Committed = new() { WaitUntil = WaitUntilState.Commit };

    /// <summary>Through the provider's own login and consent pages, back into Press.</summary>
    private async Task<IPage> SignInAsync(IBrowserContext context, string login, Uri? manager = null)
    {
        manager ??= fx.Manager.BaseUrl;
        var page = await context.NewPageAsync();
        await page.GotoAsync(new Uri(manager, "/").ToString());
        Assert.StartsWith($"{manager}login", page.Url); // the cookie scheme's challenge: Press's own page, not the IdP
        await page.ClickAsync("#sso-button");
        await page.WaitForURLAsync($"{fx.Provider.Issuer}/**", Committed);
        await SignInAtProviderAsync(page, login, manager);
        return page;
    }

    /// <summary>
    /// The provider's login page, then its consent page when it shows one; each submit waits until the browser has left
    /// the page it submitted (login and consent are separate interactions with their own URLs), so a slow redirect on a
    /// busy machine cannot be mistaken for "no consent page".
    /// </summary>
    private async Task SignInAtProviderAsync(IPage page, string login, Uri manager)
    {
        await page.FillAsync("input[name=login]", login);
        await page.FillAsync("input[name=password]", "any password: the dev provider does not check it");
        await SubmitAndLeaveAsync(page);
        if (page.Url.StartsWith(fx.Provider.Issuer, StringComparison.Ordinal)) await SubmitAndLeaveAsync(page); // consent
        await page.WaitForURLAsync(u => u.StartsWith(manager.ToString(), StringComparison.Ordinal) && !u.Contains("/signin-oidc", StringComparison.Ordinal), Committed);
        await page.WaitForLoadStateAsync(LoadState.DOMContentLoaded);
    }

    private static async Task SubmitAndLeaveAsync(IPage page)
    {
        var before = page.Url;
        await page.ClickAsync("button[type=submit]");
        await page.WaitForURLAsync(u => u != before, Committed);
        await page.WaitForLoadStateAsync(LoadState.DOMContentLoaded);
    }

    [Fact]
    public async Task A_browser_logs_in_through_the_provider_gets_its_mapped_role_and_logout_ends_the_idp_session()
    {
        await fx.ProviderUpAsync();
        await using var context = await fx.NewBrowserContextAsync();
        var page = await SignInAsync(context, "alice-admin");
        Assert.Equal($"{fx.Manager.BaseUrl}", page.Url);
        Assert.Equal("admin", await page.TextContentAsync("#role"));
        Assert.Contains("(sso login)", await page.TextContentAsync("#who"));
        var cookie = (await context.CookiesAsync()).Single(c => c.Name == "press-session");
        Assert.True(cookie.HttpOnly);
        Assert.Equal(SameSiteAttribute.Lax, cookie.SameSite);
        fx.Secrets.Add(cookie.Value);

        // Recorded by issuer and subject, audited with both.
        var users = await AdminGetAsync("/api/users");
        var alice = users.GetProperty("items").EnumerateArray().Single(u => u.GetProperty("subject").GetString() == "alice-admin");
        Assert.Equal(("sso", fx.Provider.Issuer, "admin"), (alice.GetProperty("kind").GetString(), alice.GetProperty("issuer").GetString(), alice.GetProperty("role").GetString()));
        var audit = await AdminGetAsync("/api/audit?actor=" + Uri.EscapeDataString($"sso:alice-admin@{fx.Provider.Issuer}"));
        Assert.Contains(audit.GetProperty("items").EnumerateArray(), e => e.GetProperty("action").GetString() == "login.sso");

        // Logout: the session ends in Press, then the browser goes through the provider's end-session endpoint.
        await page.ClickAsync("header button[type=submit]");
        await page.WaitForURLAsync($"{fx.Provider.Issuer}/session/end**", Committed);
        await page.ClickAsync("button[value=yes]");
        await page.WaitForURLAsync($"{fx.Manager.BaseUrl}login?signedOut=1", Committed);
        await page.WaitForLoadStateAsync(LoadState.DOMContentLoaded);
        Assert.Contains("You are signed out.", await page.ContentAsync());
        await page.GotoAsync(fx.Manager.BaseUrl.ToString());
        Assert.StartsWith($"{fx.Manager.BaseUrl}login", page.Url);
        // The IdP session is gone too: SSO asks for the login again.
        await page.ClickAsync("#sso-button");
        await page.WaitForURLAsync($"{fx.Provider.Issuer}/**", Committed);
        await page.Locator("input[name=login]").WaitForAsync(); // the provider's login form again

        await using var viewerContext = await fx.NewBrowserContextAsync();
        Assert.Equal("viewer", await (await SignInAsync(viewerContext, "carol-viewer")).TextContentAsync("#role"));
        await using var noRoleContext = await fx.NewBrowserContextAsync();
        var refused = await SignInAsync(noRoleContext, "dave");
        Assert.Contains("/login?error=no_role", refused.Url);
        Assert.Contains("has no Press role", await refused.TextContentAsync("#login-message"));
        // The refusal is audited: the issuer vouched for dave, Press did not admit him.
        var refusals = await AdminGetAsync("/api/audit?actor=" + Uri.EscapeDataString($"sso:dave@{fx.Provider.Issuer}"));
        Assert.Contains(refusals.GetProperty("items").EnumerateArray(), e => e.GetProperty("action").GetString() == "login.sso.refused"
            && e.GetProperty("details").GetProperty("outcome").GetString() == "no_role");
        fx.AssertNoSecretInLogs();
    }

    [Fact]
    public async Task Bearer_jwts_from_the_issuer_obey_the_role_matrix_and_expired_unknown_role_or_disabled_ones_are_refused()
    {
        await fx.ProviderUpAsync();
        var tokens = new Dictionary<string, string>();
        foreach (var role in new[] { "viewer", "operator", "admin" }) tokens[role] = await fx.Provider.AccessTokenAsync($"api-{role}");
        fx.Secrets.AddRange(tokens.Values);
        using var anonymous = new HttpClient { BaseAddress = fx.Manager.BaseUrl };
        var clients = tokens.ToDictionary(t => t.Key, t => Bearer(t.Value));
        var openApi = JsonDocument.Parse(await clients["admin"].GetStringAsync("/openapi/v1.json")).RootElement;
        var problems = await RoleMatrix.CheckAsync(openApi, anonymous, clients, anonymousIsLocal: true);
        Assert.True(problems.Count == 0, string.Join("\n", problems));

        // A mutation by a JWT is audited with the person's issuer and subject.
        var minted = await clients["operator"].PostAsJsonAsync("/api/tokens", new { name = "from-sso", role = "viewer" });
        Assert.Equal(HttpStatusCode.Created, minted.StatusCode);
        fx.Secrets.Add(JsonDocument.Parse(await minted.Content.ReadAsStringAsync()).RootElement.GetProperty("token").GetString()!);
        var audit = await AdminGetAsync("/api/audit?actor=" + Uri.EscapeDataString($"sso:api-operator@{fx.Provider.Issuer}"));
        Assert.Contains(audit.GetProperty("items").EnumerateArray(), e => e.GetProperty("action").GetString() == "token.create");

        using (var noRole = Bearer(await fx.Provider.AccessTokenAsync("api-norole")))
            Assert.Equal(HttpStatusCode.Unauthorized, (await noRole.GetAsync("/api/sites")).StatusCode);
        using (var forged = Bearer(tokens["admin"][..^4] + "AAAA"))
            Assert.Equal(HttpStatusCode.Unauthorized, (await forged.GetAsync("/api/sites")).StatusCode);
        // Same issuer, same keys, another audience: refused (the exact audience is checked).
        using (var otherAudience = Bearer(await fx.Provider.AccessTokenAsync("api-admin", "urn:other:api")))
            Assert.Equal(HttpStatusCode.Unauthorized, (await otherAudience.GetAsync("/api/sites")).StatusCode);
        await LoggedAsync(fx.Manager, "Bearer JWT refused: SecurityTokenInvalidAudienceException");

        // Expired (the token lives 2 s; no clock skew in this test's settings).
        var shortLived = await fx.Provider.AccessTokenAsync("api-short-viewer");
        using (var expiring = Bearer(shortLived))
        {
            Assert.Equal(HttpStatusCode.OK, (await expiring.GetAsync("/api/sites")).StatusCode);
            await Task.Delay(TimeSpan.FromSeconds(3));
            var response = await expiring.GetAsync("/api/sites");
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }
        await LoggedAsync(fx.Manager, "Bearer JWT refused: SecurityTokenExpiredException");

        // Disabled in Press: refused at once, though the JWT itself is still valid.
        var person = (await AdminGetAsync("/api/users")).GetProperty("items").EnumerateArray().Single(u => u.GetProperty("subject").GetString() == "api-operator");
        using (var admin = Bearer(fx.Admin.Token))
            Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync($"/api/users/{person.GetProperty("id").GetGuid()}/disable", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await clients["operator"].GetAsync("/api/sites")).StatusCode);
        using (var admin = Bearer(fx.Admin.Token))
            Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync($"/api/users/{person.GetProperty("id").GetGuid()}/enable", null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await clients["operator"].GetAsync("/api/sites")).StatusCode);
        foreach (var c in clients.Values) c.Dispose();
        fx.AssertNoSecretInLogs();
    }

    [Fact]
    public async Task While_sso_works_only_break_glass_accounts_log_in_locally()
    {
        await fx.ProviderUpAsync();
        var (name, password) = await NewLocalUserAsync("operator");
        using (var plain = new LocalLoginClient(fx.Manager.BaseUrl))
        {
            var (status, body) = await plain.LoginAsync(name, password);
            Assert.Equal(HttpStatusCode.Unauthorized, status);
            Assert.Contains("Single sign-on is working: log in with it.", body);
        }
        using var breakGlass = new LocalLoginClient(fx.Manager.BaseUrl);
        Assert.Equal(HttpStatusCode.Redirect, (await breakGlass.LoginAsync("admin", fx.Db.AdminPassword)).Status);
        Assert.Contains("(local login)", await breakGlass.HomeAsync());
        var metrics = await (await BearerGet("/metrics")).Content.ReadAsStringAsync();
        Assert.Equal("1", Exposition.Value(metrics, "press_sso_up"));
        Assert.Matches("press_logins_total\\{method=\"local\",outcome=\"sso_required\"\\} [1-9]", metrics);
        fx.AssertNoSecretInLogs();
    }

    [Fact]
    public async Task With_the_provider_down_the_local_form_comes_within_3_s_local_logins_work_and_are_audited_and_sso_returns()
    {
        await fx.ProviderUpAsync();
        var jwt = await fx.Provider.AccessTokenAsync("api-viewer");
        fx.Secrets.Add(jwt);
        var (name, password) = await NewLocalUserAsync("operator");

        await fx.Provider.StopAsync();
        var clock = Stopwatch.StartNew();
        var html = await Eventually.Until(() => SsoFixture.LoginPageAsync(fx.Manager.BaseUrl),
            page => page.Contains("Single sign-on is unavailable right now", StringComparison.Ordinal), TimeSpan.FromSeconds(10),
            "the login page to offer the local form", () => fx.Manager.Describe(), every: TimeSpan.FromMilliseconds(50));
        var seen = clock.Elapsed;
        output.WriteLine($"provider stopped → local form offered after {seen.TotalMilliseconds:0} ms");
        Assert.True(seen < TimeSpan.FromSeconds(3), $"took {seen.TotalSeconds:0.00} s");
        Assert.Contains("id=\"local-form\"", html);
        Assert.DoesNotContain("sso-button", html);

        // Every enabled local account may log in now, and it is audited with the state of SSO.
        using (var local = new LocalLoginClient(fx.Manager.BaseUrl))
        {
            Assert.Equal(HttpStatusCode.Redirect, (await local.LoginAsync(name, password)).Status);
            Assert.Contains("(local login)", await local.HomeAsync());
        }
        var audit = await AdminGetAsync($"/api/audit?actor={name}");
        var login = audit.GetProperty("items").EnumerateArray().Single(e => e.GetProperty("action").GetString() == "login.local");
        Assert.Equal("Down", login.GetProperty("details").GetProperty("sso").GetString());
        // The SSO button of a page loaded before the outage lands back on the local form, not on a 500.
        await using (var context = await fx.NewBrowserContextAsync())
        {
            var page = await context.NewPageAsync();
            var response = await page.GotoAsync(new Uri(fx.Manager.BaseUrl, "/login").ToString());
            Assert.Equal(200, response!.Status);
            Assert.Equal(1, await page.Locator("#local-form").CountAsync());
        }
        // Bearer JWTs still validate against the cached keys.
        using (var bearer = Bearer(jwt)) Assert.Equal(HttpStatusCode.OK, (await bearer.GetAsync("/api/sites")).StatusCode);
        Assert.Equal("0", Exposition.Value(await (await BearerGet("/metrics")).Content.ReadAsStringAsync(), "press_sso_up"));

        // A manager started while the provider is down starts, and offers the local form.
        // (Its port is reserved only now: the suite's range is shared with other test runs on this machine.)
        await using var second = await PressProcess.StartManagerAsync(fx.Db, "manager-2", fx.OidcSettings());
        fx.Provider.AllowRedirect(second.BaseUrl); // registered at the provider's restart below
        Assert.Contains("Single sign-on is unavailable right now", await SsoFixture.LoginPageAsync(second.BaseUrl));
        using (var local = new LocalLoginClient(second.BaseUrl))
            Assert.Equal(HttpStatusCode.Redirect, (await local.LoginAsync(name, password)).Status);
        // Both managers read the same key ring (in the database): a session cookie of one works on the other.
        using (var local = new LocalLoginClient(fx.Manager.BaseUrl))
        {
            Assert.Equal(HttpStatusCode.Redirect, (await local.LoginAsync(name, password)).Status);
            Assert.Contains("(local login)", await local.HomeAsync(second.BaseUrl));
        }

        // The provider comes back: both offer SSO again, and the second one (which never saw it up) can sign in through it.
        await fx.Provider.StartAsync();
        clock.Restart();
        foreach (var manager in new[] { fx.Manager, second })
            await Eventually.Until(() => SsoFixture.LoginPageAsync(manager.BaseUrl), page => page.Contains("id=\"sso-button\"", StringComparison.Ordinal),
                TimeSpan.FromSeconds(10), "SSO offered again", () => manager.Describe(), every: TimeSpan.FromMilliseconds(50));
        output.WriteLine($"provider restarted → SSO offered again after {clock.Elapsed.TotalMilliseconds:0} ms");
        await using (var context = await fx.NewBrowserContextAsync())
        {
            var page = await context.NewPageAsync();
            await page.GotoAsync(new Uri(second.BaseUrl, "/login").ToString());
            await page.ClickAsync("#sso-button");
            await page.WaitForURLAsync($"{fx.Provider.Issuer}/**", Committed);
            await SignInAtProviderAsync(page, "erin-operator", second.BaseUrl);
            Assert.Equal($"{second.BaseUrl}", page.Url);
            Assert.Equal("operator", await page.TextContentAsync("#role"));
        }
        await LoggedAsync(fx.Manager, "is unavailable");
        await LoggedAsync(second, "answers: SSO is offered");
        fx.AssertNoSecretInLogs(second);
    }

    [Fact]
    public async Task When_asked_the_bootstrap_admin_is_kept_for_emergencies_once_an_sso_admin_exists()
    {
        await fx.ProviderUpAsync();
        using (var ssoAdmin = Bearer(await fx.Provider.AccessTokenAsync("api-admin")))
            Assert.Equal(HttpStatusCode.OK, (await ssoAdmin.GetAsync("/api/sites")).StatusCode); // recorded: an SSO admin exists
        var settings = fx.OidcSettings();
        settings["Press:Admin:OnlyWhenSsoDown"] = "true";
        await using var manager = await PressProcess.StartManagerAsync(fx.Db, "manager-emergency", settings);
        using (var local = new LocalLoginClient(manager.BaseUrl))
        {
            var (status, body) = await local.LoginAsync("admin", fx.Db.AdminPassword);
            Assert.Equal(HttpStatusCode.Unauthorized, status);
            Assert.Contains("Single sign-on is working", body);
        }
        using (var basic = new HttpClient { BaseAddress = manager.BaseUrl })
        {
            basic.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
                Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"admin:{fx.Db.AdminPassword}")));
            Assert.Equal(HttpStatusCode.Unauthorized, (await basic.PostAsJsonAsync("/api/tokens", new { name = "x" })).StatusCode);
        }
        await fx.Provider.StopAsync();
        await Eventually.Until(() => SsoFixture.LoginPageAsync(manager.BaseUrl), html => html.Contains("Single sign-on is unavailable", StringComparison.Ordinal),
            TimeSpan.FromSeconds(10), "SSO down", () => manager.Describe());
        using (var local = new LocalLoginClient(manager.BaseUrl))
            Assert.Equal(HttpStatusCode.Redirect, (await local.LoginAsync("admin", fx.Db.AdminPassword)).Status);
        await fx.ProviderUpAsync();
        fx.AssertNoSecretInLogs(manager);
    }

    /// <summary>The console logger writes asynchronously: wait (bounded) for the line.</summary>
    private static Task LoggedAsync(PressProcess process, string text) =>
        Eventually.Until(() => process.Log.Find(l => l.Contains(text, StringComparison.Ordinal)) is not null, TimeSpan.FromSeconds(5),
            $"'{text}' in {process.Name}'s log", () => process.Describe(40));

    private async Task<HttpResponseMessage> BearerGet(string path)
    {
        using var admin = Bearer(fx.Admin.Token);
        return await admin.GetAsync(path);
    }

    private async Task<(string Name, string Password)> NewLocalUserAsync(string role)
    {
        var name = "e2e-" + Guid.NewGuid().ToString("N")[..8];
        using var admin = Bearer(fx.Admin.Token);
        var response = await admin.PostAsJsonAsync("/api/users", new { name, role });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, body);
        var password = JsonDocument.Parse(body).RootElement.GetProperty("password").GetString()!;
        fx.Secrets.Add(password);
        return (name, password);
    }
}
