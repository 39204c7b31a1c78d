using Microsoft.Playwright;

namespace Press.EndToEnd.Tests.Ui;

/// <summary>A viewer sees no mutation controls, and the server refuses a forged POST whatever the page showed.</summary>
[Collection(DashboardCollection.Name)]
public sealed class DashboardAccessTests(DashboardFixture fx)
{
    private const string Site = "viewed.example.com";

    [Theory]
    [InlineData("desktop")]
    [InlineData("narrow")]
    public async Task A_viewer_sees_no_mutation_controls(string width)
    {
        await EnsureSiteAsync();
        var page = await fx.SignInAsync("viewer", width == "narrow" ? DashboardFixture.Narrow : DashboardFixture.Desktop);
        foreach (var path in new[] { "/", "/sites", $"/sites/{Site}", "/jobs", "/trash", "/tokens" })
        {
            await page.GotoAsync(fx.Url(path));
            // The only forms that post are sign-out and, on /tokens, minting and revoking one's own tokens.
            var posting = await page.Locator("form[method=post]").EvaluateAllAsync<string[]>(
                "forms => forms.map(f => f.getAttribute('action') || location.pathname)");
            Assert.All(posting, action => Assert.True(action.StartsWith("/logout", StringComparison.Ordinal) || path == "/tokens",
                $"{path} shows a viewer a form posting to {action}"));
        }
        await page.GotoAsync(fx.Url("/sites"));
        Assert.Equal(0, await page.Locator("#new-site").CountAsync());
        Assert.Equal(403, (await page.GotoAsync(fx.Url("/sites/new")))!.Status);
        Assert.Equal(403, (await page.GotoAsync(fx.Url("/settings")))!.Status);
        Assert.Equal(403, (await page.GotoAsync(fx.Url("/audit")))!.Status);
    }

    [Fact]
    public async Task The_keyboard_reaches_the_skip_link_first_and_the_create_form_in_order()
    {
        var page = await fx.SignInAsync("operator", DashboardFixture.Desktop);
        await page.Keyboard.PressAsync("Tab");
        Assert.Equal("Skip to content", await page.EvaluateAsync<string>("() => document.activeElement.textContent"));

        await page.GotoAsync(fx.Url("/sites/new"));
        await page.FocusAsync("#name");
        var order = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            await page.Keyboard.PressAsync("Tab");
            order.Add(await page.EvaluateAsync<string>("() => document.activeElement.id"));
        }
        Assert.Equal(["apps", "fromBackup", "create-button"], order);
    }

    [Fact]
    public async Task A_forged_post_is_refused_without_the_anti_forgery_token_and_for_a_viewer_even_with_it()
    {
        await EnsureSiteAsync();
        var viewer = await fx.SignInAsync("viewer", DashboardFixture.Desktop);
        var token = await Pages.AntiforgeryTokenAsync(viewer);
        var request = viewer.Context.APIRequest;

        // A page elsewhere posting with the victim's cookie has no anti-forgery token: 400, nothing done.
        var forged = await request.PostAsync(fx.Url($"/sites/{Site}?handler=Delete"), new APIRequestContextOptions
        {
            Form = Form(request, ("confirm", Site)), MaxRedirects = 0,
        });
        Assert.Equal(400, forged.Status);

        // The viewer's own valid token does not lift the role check: 403.
        var refused = await request.PostAsync(fx.Url($"/sites/{Site}?handler=Delete"), new APIRequestContextOptions
        {
            Form = Form(request, ("confirm", Site), ("__RequestVerificationToken", token)), MaxRedirects = 0,
        });
        Assert.Equal(403, refused.Status);
        var backup = await request.PostAsync(fx.Url($"/sites/{Site}?handler=Backup"), new APIRequestContextOptions
        {
            Form = Form(request, ("__RequestVerificationToken", token)), MaxRedirects = 0,
        });
        Assert.Equal(403, backup.Status);
        Assert.Equal(403, (await request.GetAsync(fx.Url("/ui/backups/00000000-0000-0000-0000-000000000000/parts/database"), new() { MaxRedirects = 0 })).Status);
        Assert.Equal("Active", (await fx.Api.GetSiteAsync(Site)).State.ToString());
        Assert.DoesNotContain(await fx.Api.ListJobsAsync(Site), j => j.Kind != "NewSite");

        // Nothing destructive on GET: a handler named in a GET is not run.
        Assert.Equal(200, (await request.GetAsync(fx.Url($"/sites/{Site}?handler=Delete&confirm={Site}"))).Status);
        Assert.Equal("Active", (await fx.Api.GetSiteAsync(Site)).State.ToString());
    }

    private static bool _created;

    private async Task EnsureSiteAsync()
    {
        if (_created) return; // the collection runs its tests one after another
        await fx.CreateSiteAsync(Site);
        _created = true;
    }

    private static IFormData Form(IAPIRequestContext request, params (string Name, string Value)[] fields)
    {
        var form = request.CreateFormData();
        foreach (var (name, value) in fields) form.Set(name, value);
        return form;
    }
}
