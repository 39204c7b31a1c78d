using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Press.EndToEnd.Tests.Harness;
using Press.Testing;

namespace Press.EndToEnd.Tests.Identity;

/// <summary>
/// Press's manager (a child process) pointed at the real OIDC provider, Debian's Chromium driven by Playwright, and
/// every secret the run handed out (so the tests can prove none reached a log line).
/// </summary>
public sealed class SsoFixture : IAsyncLifetime
{
    private PressDatabase? _db;
    private IPlaywright? _playwright;

    public PressDatabase Db => _db!;
    public PressProcess Manager { get; private set; } = null!;
    public OidcProvider Provider { get; private set; } = null!;
    public IBrowser Browser { get; private set; } = null!;
    public PressApi Admin { get; private set; } = null!;
    /// <summary>Secrets handed out during the run: passwords, tokens, cookies. None may appear in any log.</summary>
    public List<string> Secrets { get; } = [];

    public static readonly string[] ChromiumArgs =
        ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--no-first-run", "--disable-quic"];

    public Dictionary<string, string?> OidcSettings() => new()
    {
        ["Press:Oidc:Authority"] = Provider.Issuer,
        ["Press:Oidc:ClientId"] = OidcProvider.ClientId,
        ["Press:Oidc:ClientSecret"] = Provider.ClientSecret,
        ["Press:Oidc:Scopes"] = "profile email roles",
        ["Press:Oidc:ClockSkew"] = "00:00:00",
        ["Press:Oidc:ProbeInterval"] = "00:00:05",
        ["Logging:LogLevel:Microsoft.AspNetCore.Authentication"] = "Information",
    };

    public async Task InitializeAsync()
    {
        _db = await PressDatabase.CreateAsync();
        var port = Ports.Reserve();
        Provider = new OidcProvider([$"http://127.0.0.1:{port}/signin-oidc"]);
        await Provider.StartAsync();
        Manager = await PressProcess.StartManagerAsync(_db, "manager", OidcSettings(), port: port);
        Admin = await PressApi.LoginAsync(Manager.BaseUrl, _db.AdminPassword);
        Secrets.AddRange([Provider.ClientSecret, _db.AdminPassword, Admin.Token, _db.PressPassword, _db.SecretsKey]);
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium", Headless = true, Args = ChromiumArgs,
        });
    }

    /// <summary>A fresh browser profile (no cookies); generous timeouts, since the machine's two cores are shared.</summary>
    public async Task<IBrowserContext> NewBrowserContextAsync()
    {
        var context = await Browser.NewContextAsync();
        context.SetDefaultTimeout(60_000);
        context.SetDefaultNavigationTimeout(60_000);
        return context;
    }

    /// <summary>Starts the provider if a test stopped it, and waits until the manager offers SSO again.</summary>
    public async Task ProviderUpAsync()
    {
        if (!await AnswersAsync(Provider.Issuer + "/.well-known/openid-configuration")) await Provider.StartAsync();
        await Eventually.Until(() => LoginPageAsync(Manager.BaseUrl), html => html.Contains("id=\"sso-button\"", StringComparison.Ordinal),
            TimeSpan.FromSeconds(15), "the manager to offer SSO", () => Manager.Describe());
    }

    public static async Task<string> LoginPageAsync(Uri manager)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        return await http.GetStringAsync(new Uri(manager, "/login"));
    }

    private static async Task<bool> AnswersAsync(string url)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        try { return (await http.GetAsync(url)).IsSuccessStatusCode; }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException) { return false; }
    }

    /// <summary>Every log line of the run so far: the manager's, the provider's (this start and earlier ones).</summary>
    public IEnumerable<string> AllLogLines(params PressProcess[] more) =>
        Manager.Log.Lines.Concat(Provider.AllOutput).Concat(more.SelectMany(m => m.Log.Lines));

    public void AssertNoSecretInLogs(params PressProcess[] more)
    {
        foreach (var line in AllLogLines(more))
            foreach (var secret in Secrets.Where(s => s.Length >= 8))
                Assert.False(line.Contains(secret, StringComparison.Ordinal), $"a secret ({secret[..4]}…) is in a log line: {line}");
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null) await Browser.DisposeAsync();
        _playwright?.Dispose();
        Admin?.Dispose();
        if (Manager is not null) await Manager.DisposeAsync();
        if (Provider is not null) await Provider.DisposeAsync();
        if (_db is not null) await _db.DisposeAsync();
    }
}

/// <summary>The local login form over plain HTTP, as a browser posts it (cookies kept, redirects not followed).</summary>
public sealed partial class LocalLoginClient : IDisposable
{
    private readonly HttpClient _http;

    public LocalLoginClient(Uri baseUrl) =>
        _http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer(), UseCookies = true })
        {
            BaseAddress = baseUrl,
        };

    public async Task<(HttpStatusCode Status, string Body)> LoginAsync(string user, string password)
    {
        var html = await _http.GetStringAsync("/login");
        var token = WebUtility.HtmlDecode(TokenInput().Match(html).Groups[1].Value);
        using var response = await _http.PostAsync("/login?handler=Local", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["userName"] = user, ["password"] = password, ["returnUrl"] = "/", ["__RequestVerificationToken"] = token,
        }));
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    public async Task<string> HomeAsync(Uri? manager = null) => await _http.GetStringAsync(manager is null ? new Uri("/", UriKind.Relative) : new Uri(manager, "/"));

    public void Dispose() => _http.Dispose();

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex TokenInput();
}
