using Deque.AxeCore.Playwright;
using Microsoft.Playwright;
using Press.Testing;

namespace Press.EndToEnd.Tests.Ui;

/// <summary>What the dashboard tests do with a page: wait for a job to end on its page, screenshots, accessibility.</summary>
public static class Pages
{
    /// <summary>On a job page: waits until the job's state badge says <paramref name="state"/> (live update or the final reload).</summary>
    public static async Task WaitForJobAsync(IPage page, string state, Func<string> diagnostics)
    {
        try
        {
            await page.Locator("#job-state .badge").Filter(new LocatorFilterOptions { HasTextRegex = new System.Text.RegularExpressions.Regex($"^(Succeeded|Failed|Cancelled)$") })
                .WaitForAsync(new LocatorWaitForOptions { Timeout = 120_000 });
        }
        catch (TimeoutException)
        {
            Assert.Fail($"the job page at {page.Url} never showed a finished job\n{await page.ContentAsync()}\n{diagnostics()}");
        }
        var shown = await page.Locator("#job-state .badge").TextContentAsync();
        Assert.True(shown == state, $"job ended {shown}, expected {state}: {await page.Locator("#steps").InnerTextAsync()}\n{diagnostics()}");
    }

    /// <summary>
    /// Saves {name}-{desktop|narrow}.png: into docs/screenshots (the README shows them) when PRESS_UPDATE_SCREENSHOTS=1,
    /// otherwise into a folder under the system's temp folder, so an ordinary test run leaves the checkout clean (every
    /// shot is still taken, so a page that cannot be rendered still fails).
    /// </summary>
    public static async Task ShotAsync(IPage page, string name)
    {
        var width = page.ViewportSize?.Width ?? 0;
        var folder = Environment.GetEnvironmentVariable("PRESS_UPDATE_SCREENSHOTS") == "1"
            ? Path.Combine(TestServices.RepoRoot, "docs", "screenshots")
            : Path.Combine(Path.GetTempPath(), "press-screenshots");
        Directory.CreateDirectory(folder);
        await page.ScreenshotAsync(new PageScreenshotOptions
        {
            Path = Path.Combine(folder, $"{name}-{(width <= 400 ? "narrow" : "desktop")}.png"), FullPage = true,
        });
    }

    /// <summary>axe-core on the page: every serious or critical violation, described (empty when none).</summary>
    public static async Task<IReadOnlyList<string>> SeriousViolationsAsync(IPage page)
    {
        var results = await page.RunAxe();
        return results.Violations.Where(v => v.Impact is "serious" or "critical")
            .Select(v => $"{page.Url}: {v.Id} ({v.Impact}) {v.Help}: {string.Join(" | ", v.Nodes.Take(3).Select(n => n.Html))}")
            .ToList();
    }

    /// <summary>No serious or critical axe violation, and nothing wider than the screen.</summary>
    public static async Task AssertAccessibleAndFitsAsync(IPage page)
    {
        var problems = (await SeriousViolationsAsync(page)).ToList();
        var overflow = await page.EvaluateAsync<int>("document.documentElement.scrollWidth - document.documentElement.clientWidth");
        if (overflow > 0) problems.Add($"{page.Url}: the page is {overflow} px wider than the screen");
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    /// <summary>The anti-forgery token of the signed-in person (any form of theirs carries it: tokens are per person).</summary>
    public static Task<string> AntiforgeryTokenAsync(IPage page) =>
        page.Locator("input[name=__RequestVerificationToken]").First.GetAttributeAsync("value")!;
}
