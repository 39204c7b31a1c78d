using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using Press.EndToEnd.Tests.Harness;
using Press.EndToEnd.Tests.Identity;
using Press.Testing;

namespace Press.EndToEnd.Tests.Ui;

/// <summary>The dashboard's browser tests share one installation and run one after another (they swap the worker).</summary>
[CollectionDefinition(Name)]
public sealed class DashboardCollection : ICollectionFixture<DashboardFixture>
{
    public const string Name = "dashboard";
}

/// <summary>
/// A manager and a worker (runtime none: the jobs' database side, backups and restores run for real; no runner), local
/// accounts of every role, and Debian's Chromium through Playwright.
/// </summary>
public sealed class DashboardFixture : ManagerFixture
{
    private IPlaywright? _playwright;

    public IBrowser Browser { get; private set; } = null!;
    public PressProcess Worker { get; private set; } = null!;
    public Dictionary<string, string> Passwords { get; } = [];

    public static readonly ViewportSize Desktop = new() { Width = 1280, Height = 900 };
    public static readonly ViewportSize Narrow = new() { Width = 375, Height = 812 };

    protected override async Task SetUpAsync()
    {
        Worker = await PressProcess.StartWorkerAsync(Db, "worker", PressProcess.FastWorker());
        Passwords["admin"] = Db.AdminPassword;
        foreach (var role in new[] { "operator", "viewer" }) Passwords[role] = await CreateUserAsync(role);
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium", Headless = true, Args = SsoFixture.ChromiumArgs,
        });
    }

    /// <summary>
    /// Replaces the worker: one that fails a step on purpose, one that stops for good after a step (a job then waits,
    /// Running, until the next worker takes it over when the 4 s lease ends), or an ordinary one.
    /// </summary>
    public async Task SwapWorkerAsync(string? failAfterStep = null, string? pauseAfterStep = null)
    {
        await Worker.DisposeAsync();
        Worker = await PressProcess.StartWorkerAsync(Db, failAfterStep is not null ? "failing-worker" : pauseAfterStep is not null ? "pausing-worker" : "worker",
            PressProcess.FastWorker(pauseAfterStep: pauseAfterStep, failAfterStep: failAfterStep));
    }

    /// <summary>A signed-in page (local login form) at a viewport; times shown in a zone that is not UTC.</summary>
    public async Task<IPage> SignInAsync(string role, ViewportSize viewport)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = viewport, AcceptDownloads = true, TimezoneId = "Europe/Berlin", Locale = "en-GB",
        });
        context.SetDefaultTimeout(60_000);
        context.SetDefaultNavigationTimeout(60_000);
        var page = await context.NewPageAsync();
        await page.GotoAsync(Url("/login"));
        await page.FillAsync("#userName", role);
        await page.FillAsync("#password", Passwords[role]);
        await page.ClickAsync("#local-button");
        await page.WaitForURLAsync(u => new Uri(u).AbsolutePath == "/", new PageWaitForURLOptions { WaitUntil = WaitUntilState.Commit });
        await page.WaitForSelectorAsync("#who");
        return page;
    }

    public string Url(string path) => new Uri(Manager.BaseUrl, path).ToString();

    /// <summary>A site made through the API (for pages that need one), waited until Active.</summary>
    public async Task CreateSiteAsync(string name)
    {
        var job = await Api.CreateSiteAsync(name);
        await Api.WaitForJobAsync(job.Id, TimeSpan.FromMinutes(2), Describe);
    }

    public string Describe() => Manager.Describe() + "\n" + Worker.Describe();

    private async Task<string> CreateUserAsync(string role)
    {
        using var http = new HttpClient { BaseAddress = Manager.BaseUrl };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Api.Token);
        using var response = await http.PostAsJsonAsync("/api/users", new { name = role, role });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, body);
        return JsonDocument.Parse(body).RootElement.GetProperty("password").GetString()!;
    }

    protected override async Task TearDownAsync()
    {
        if (Browser is not null) await Browser.DisposeAsync();
        _playwright?.Dispose();
        if (Worker is not null) await Worker.DisposeAsync();
    }
}
