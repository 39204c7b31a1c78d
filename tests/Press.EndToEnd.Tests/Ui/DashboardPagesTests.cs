using Microsoft.Playwright;

namespace Press.EndToEnd.Tests.Ui;

/// <summary>
/// Every main page at desktop width and at 375 px: axe-core finds no serious or critical violation, nothing overflows
/// the narrow screen sideways, and a screenshot is taken (into docs/screenshots with PRESS_UPDATE_SCREENSHOTS=1; the README shows them).
/// </summary>
[Collection(DashboardCollection.Name)]
public sealed class DashboardPagesTests(DashboardFixture fx)
{
    private const string Site = "erp.example.com";
    private static bool _prepared;

    [Theory]
    [InlineData("desktop")]
    [InlineData("narrow")]
    public async Task Every_main_page_passes_axe_and_fits_the_width(string width)
    {
        var (jobId, backupShown) = await PrepareAsync();
        var viewport = width == "narrow" ? DashboardFixture.Narrow : DashboardFixture.Desktop;
        var problems = new List<string>();

        var anonymous = await fx.Browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = viewport });
        await anonymous.GotoAsync(fx.Url("/login"));
        await CheckAsync(anonymous, "login", problems);

        var page = await fx.SignInAsync("admin", viewport);
        foreach (var (path, name) in new[]
                 {
                     ("/", "overview"), ("/sites", "sites"), ("/sites/new", "create-site"), ($"/sites/{Site}", "site"),
                     ($"/jobs/{jobId}", "job"), ("/jobs", "jobs"), ("/trash", "trash"), ("/settings", "settings"),
                     ("/users", "users"), ("/tokens", "tokens"), ("/audit", "audit"),
                 })
        {
            var response = await page.GotoAsync(fx.Url(path));
            Assert.True(response!.Status == 200, $"{path}: {response.Status}");
            await CheckAsync(page, name, problems);
        }
        Assert.True(backupShown, "the site page lists no backup");
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    private static async Task CheckAsync(IPage page, string name, List<string> problems)
    {
        problems.AddRange(await Pages.SeriousViolationsAsync(page));
        // Wide tables scroll inside their own box; the page itself never scrolls sideways.
        var overflow = await page.EvaluateAsync<int>("document.documentElement.scrollWidth - document.documentElement.clientWidth");
        if (overflow > 0) problems.Add($"{page.Url}: the page is {overflow} px wider than the screen");
        await Pages.ShotAsync(page, name);
    }

    /// <summary>A site with a backup, a deleted one in the trash, a domain: pages worth looking at.</summary>
    private async Task<(Guid Job, bool BackupShown)> PrepareAsync()
    {
        if (!_prepared)
        {
            await fx.CreateSiteAsync(Site);
            await fx.CreateSiteAsync("old-shop.example.com");
            await fx.Api.WaitForJobAsync((await fx.Api.DeleteSiteAsync("old-shop.example.com")).Id, TimeSpan.FromMinutes(2), fx.Describe);
            _prepared = true;
        }
        var page = await fx.SignInAsync("operator", DashboardFixture.Desktop);
        await page.GotoAsync(fx.Url($"/sites/{Site}"));
        if (await page.Locator("#backups").CountAsync() == 0)
        {
            await page.FillAsync("#domain", "shop.example.org");
            await page.ClickAsync("#add-domain button");
            await page.ClickAsync("#backup-button");
            await Pages.WaitForJobAsync(page, "Succeeded", fx.Describe);
            await page.GotoAsync(fx.Url($"/sites/{Site}"));
        }
        var jobs = await fx.Api.ListJobsAsync(Site);
        await page.Context.CloseAsync();
        return (jobs.First().Id, true);
    }
}
