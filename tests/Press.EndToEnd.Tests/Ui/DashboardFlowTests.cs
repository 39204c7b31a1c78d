using Microsoft.Playwright;
using Press.Core.Jobs;

namespace Press.EndToEnd.Tests.Ui;

/// <summary>
/// Every operation from the browser, at desktop width and at 375 px: create a site and watch its job, a failing step
/// and Retry, back up / download / restore / roll back, delete and undelete, a refused setting.
/// </summary>
[Collection(DashboardCollection.Name)]
public sealed class DashboardFlowTests(DashboardFixture fx)
{
    public static TheoryData<string> Widths() => ["desktop", "narrow"];

    private static ViewportSize Size(string width) => width == "narrow" ? DashboardFixture.Narrow : DashboardFixture.Desktop;

    [Theory]
    [MemberData(nameof(Widths))]
    public async Task An_operator_creates_a_site_sees_the_problems_next_to_the_fields_then_watches_the_job_live(string width)
    {
        var page = await fx.SignInAsync("operator", Size(width));
        await page.GotoAsync(fx.Url("/sites/new"));
        await page.FillAsync("#name", "Bad_Name.example.com");
        await page.FillAsync("#apps", "ERPNext");
        await page.ClickAsync("#create-button");
        Assert.Contains("uppercase letters", await page.Locator("[id='name-error']").InnerTextAsync());
        Assert.Contains("is not an app name", await page.Locator("[id='apps-error']").InnerTextAsync());
        Assert.Equal("true", await page.GetAttributeAsync("#name", "aria-invalid"));
        await Pages.ShotAsync(page, "create-site-refused");
        await Pages.AssertAccessibleAndFitsAsync(page);

        var name = $"created-{width}.example.com";
        await page.FillAsync("#apps", "");
        await CreateAndWatchInPlaceAsync(page, name);
        // Every step is done (runtime none skips the runner's steps).
        foreach (var step in Recipes.NewSite.Steps)
            Assert.Contains(await page.Locator($"tr[data-step='{step}'] .badge").TextContentAsync(), new[] { "Succeeded", "Skipped" });
        // Times are shown in the browser's zone (Europe/Berlin here), UTC on hover.
        var created = page.Locator("#job-state time").First;
        Assert.EndsWith("UTC", await created.GetAttributeAsync("title"));
        Assert.DoesNotContain("UTC", await created.TextContentAsync());

        await page.GotoAsync(fx.Url($"/sites?q={name[..12]}"));
        Assert.Equal("Active", await page.Locator($"tr[data-site='{name}'] .badge").TextContentAsync());
    }

    [Theory]
    [MemberData(nameof(Widths))]
    public async Task Without_an_event_stream_the_job_page_falls_back_to_polling(string width)
    {
        var page = await fx.SignInAsync("operator", Size(width));
        // A proxy that refuses the stream: every attempt fails, so the page must read the job instead.
        var polls = 0;
        await page.Context.RouteAsync("**/ui/jobs/**", async route =>
        {
            if (route.Request.Url.EndsWith("/events", StringComparison.Ordinal)) { await route.AbortAsync(); return; }
            Interlocked.Increment(ref polls);
            await route.ContinueAsync();
        });
        await page.GotoAsync(fx.Url("/sites/new"));
        await CreateAndWatchInPlaceAsync(page, $"polled-{width}.example.com");
        Assert.True(polls > 0, "the page never polled the job");
    }

    /// <summary>
    /// Creates a site on the open create page and proves its job page updates in place: the job stops after its first
    /// step (a pausing worker), the page is marked, the next worker stops after the third step, and the second step
    /// must turn Succeeded in the same document (no reload); then an ordinary worker finishes the job.
    /// </summary>
    private async Task CreateAndWatchInPlaceAsync(IPage page, string name)
    {
        var steps = Recipes.NewSite.Steps;
        await fx.SwapWorkerAsync(pauseAfterStep: steps[0]);
        try
        {
            await page.FillAsync("#name", name);
            await page.ClickAsync("#create-button");
            await page.WaitForURLAsync(u => u.Contains("/jobs/", StringComparison.Ordinal));
            await page.Locator($"tr[data-step='{steps[0]}'] .badge", new() { HasText = "Running" }).WaitForAsync();
            await page.EvaluateAsync("() => { window.pressSameDocument = true; }");

            await fx.SwapWorkerAsync(pauseAfterStep: steps[2]);
            await page.Locator($"tr[data-step='{steps[1]}'] .badge", new() { HasText = "Succeeded" }).WaitForAsync();
            Assert.True(await page.EvaluateAsync<bool>("() => window.pressSameDocument === true"), "the page reloaded instead of updating in place");
            Assert.Equal("Running", await page.Locator("#job-state .badge").TextContentAsync());
        }
        finally
        {
            await fx.SwapWorkerAsync();
        }
        await Pages.WaitForJobAsync(page, "Succeeded", fx.Describe);
    }

    [Fact]
    public async Task A_dropped_stream_reconnects_and_catches_up_from_the_jobs_current_state()
    {
        var page = await fx.SignInAsync("operator", DashboardFixture.Desktop);
        var streams = 0;
        var polls = 0;
        // The first connection is cut (a proxy dropping the stream); the browser's reconnect gets the job as it is now.
        await page.Context.RouteAsync("**/ui/jobs/**", async route =>
        {
            if (route.Request.Url.EndsWith("/events", StringComparison.Ordinal))
            {
                if (Interlocked.Increment(ref streams) == 1) { await route.AbortAsync(); return; }
            }
            else Interlocked.Increment(ref polls);
            await route.ContinueAsync();
        });
        await page.GotoAsync(fx.Url("/sites/new"));
        await CreateAndWatchInPlaceAsync(page, "reconnected.example.com");
        Assert.True(streams >= 2, $"the page opened the stream {streams} time(s)");
        Assert.Equal(0, polls); // it reconnected: no need to fall back to polling
    }

    [Theory]
    [MemberData(nameof(Widths))]
    public async Task A_failed_step_shows_its_error_in_full_and_Retry_finishes_the_job(string width)
    {
        var name = $"failing-{width}.example.com";
        await fx.CreateSiteAsync(name);
        await fx.SwapWorkerAsync(failAfterStep: StepNames.StopRuntime);
        try
        {
            var page = await fx.SignInAsync("operator", Size(width));
            await page.GotoAsync(fx.Url($"/sites/{name}"));
            await page.FillAsync("#confirm-suspend", name);
            await page.ClickAsync("#suspend-button");
            await page.WaitForURLAsync(u => u.Contains("/jobs/", StringComparison.Ordinal));
            await Pages.WaitForJobAsync(page, "Failed", fx.Describe);
            Assert.Contains("failure injected after step stop-runtime", await page.Locator("#job-error pre").InnerTextAsync());
            Assert.Equal("Failed", await page.Locator($"tr[data-step='{StepNames.StopRuntime}'] .badge").TextContentAsync());
            await Pages.ShotAsync(page, "job-failed");
            await Pages.AssertAccessibleAndFitsAsync(page);

            await fx.SwapWorkerAsync(failAfterStep: null);
            await page.ClickAsync("#retry-button");
            await Pages.WaitForJobAsync(page, "Succeeded", fx.Describe);
            Assert.Equal("Suspended", (await fx.Api.GetSiteAsync(name)).State.ToString());
        }
        finally
        {
            await fx.SwapWorkerAsync(failAfterStep: null);
        }
    }

    [Theory]
    [MemberData(nameof(Widths))]
    public async Task Back_up_download_restore_in_place_and_roll_back(string width)
    {
        var name = $"backed-{width}.example.com";
        await fx.CreateSiteAsync(name);
        var page = await fx.SignInAsync("operator", Size(width));
        await page.GotoAsync(fx.Url($"/sites/{name}"));
        await page.ClickAsync("#backup-button");
        await Pages.WaitForJobAsync(page, "Succeeded", fx.Describe);

        await page.GotoAsync(fx.Url($"/sites/{name}"));
        Assert.Equal("Good", await page.Locator("#backups tbody tr .badge").First.TextContentAsync());
        var download = await page.RunAndWaitForDownloadAsync(() => page.Locator("#backups a", new() { HasText = "database" }).First.ClickAsync());
        var file = await download.PathAsync();
        Assert.True(new FileInfo(file!).Length > 0, "the downloaded database part is empty");
        Assert.Contains("-database.", download.SuggestedFilename, StringComparison.Ordinal);

        await page.FillAsync("#new-name", $"copy-{width}.example.com");
        await page.ClickAsync("#restore-new-button");
        await Pages.WaitForJobAsync(page, "Succeeded", fx.Describe);
        Assert.Equal(nameof(JobKind.NewSiteFromBackup), (await page.Locator("h1").InnerTextAsync()).Split(' ')[0]);
        Assert.Equal("Active", (await fx.Api.GetSiteAsync($"copy-{width}.example.com")).State.ToString());

        await page.GotoAsync(fx.Url($"/sites/{name}"));
        await page.FillAsync("#confirm-restore", name);
        await page.ClickAsync("#restore-button");
        await Pages.WaitForJobAsync(page, "Succeeded", fx.Describe);
        Assert.Equal(nameof(JobKind.RestoreSite), (await page.Locator("h1").InnerTextAsync()).Split(' ')[0]);

        await page.GotoAsync(fx.Url($"/sites/{name}"));
        Assert.Contains("can be rolled back until", await page.Locator("#rollback-window").InnerTextAsync());
        await page.FillAsync("#confirm-rollback", name);
        await page.ClickAsync("#rollback-button");
        await Pages.WaitForJobAsync(page, "Succeeded", fx.Describe);
        Assert.Equal(nameof(JobKind.RollbackRestore), (await page.Locator("h1").InnerTextAsync()).Split(' ')[0]);
    }

    [Theory]
    [MemberData(nameof(Widths))]
    public async Task Delete_needs_the_typed_name_then_the_trash_undeletes(string width)
    {
        var name = $"trashed-{width}.example.com";
        await fx.CreateSiteAsync(name);
        var page = await fx.SignInAsync("operator", Size(width));
        await page.GotoAsync(fx.Url($"/sites/{name}"));
        await page.FillAsync("#confirm-delete", "not-the-name");
        await page.ClickAsync("#delete-button");
        Assert.Contains($"Type the site's name, {name}", await page.Locator("[id='confirm-delete-error']").InnerTextAsync());
        Assert.Equal("Active", (await fx.Api.GetSiteAsync(name)).State.ToString());

        await page.FillAsync("#confirm-delete", name);
        await page.ClickAsync("#delete-button");
        await Pages.WaitForJobAsync(page, "Succeeded", fx.Describe);

        await page.GotoAsync(fx.Url("/trash"));
        var row = page.Locator($"#trash tr[data-site='{name}']");
        Assert.Matches(@"^\d+ day\(s\)$", await row.Locator("td[data-label='Days left']").InnerTextAsync());
        await row.Locator("button", new() { HasText = "Undelete" }).ClickAsync();
        await Pages.WaitForJobAsync(page, "Succeeded", fx.Describe);
        Assert.Equal("Active", (await fx.Api.GetSiteAsync(name)).State.ToString());
    }

    [Theory]
    [MemberData(nameof(Widths))]
    public async Task Settings_refuse_a_bad_value_with_the_message_next_to_the_field(string width)
    {
        var page = await fx.SignInAsync("admin", Size(width));
        await page.GotoAsync(fx.Url("/settings"));
        await page.FillAsync("[id='setting-backups-retentionDays']", "0");
        await page.Locator("tr[data-key='backups.retentionDays'] button").ClickAsync();
        Assert.Contains("must be a whole number of days between 1 and 3650",
            await page.Locator("tr[data-key='backups.retentionDays'] .field-error").InnerTextAsync());
        await Pages.ShotAsync(page, "settings-refused");
        await Pages.AssertAccessibleAndFitsAsync(page);

        await page.FillAsync("[id='setting-backups-retentionDays']", "45");
        await page.Locator("tr[data-key='backups.retentionDays'] button").ClickAsync();
        Assert.Contains("set to 45", await page.Locator("#flash").InnerTextAsync());
        Assert.Equal("45", await page.InputValueAsync("[id='setting-backups-retentionDays']"));
    }
}
