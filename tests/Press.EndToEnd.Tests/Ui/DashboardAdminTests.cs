namespace Press.EndToEnd.Tests.Ui;

/// <summary>Accounts, API tokens and the audit log from the browser.</summary>
[Collection(DashboardCollection.Name)]
public sealed class DashboardAdminTests(DashboardFixture fx)
{
    [Fact]
    public async Task An_admin_creates_disables_and_resets_an_account_and_mints_and_revokes_a_token()
    {
        var page = await fx.SignInAsync("admin", DashboardFixture.Desktop);
        await page.GotoAsync(fx.Url("/users"));
        await page.FillAsync("#user-name", "Not Valid!");
        await page.ClickAsync("#create-user button");
        Assert.True(await page.Locator("[id='name-error']").CountAsync() == 1, await page.ContentAsync());

        await page.FillAsync("#user-name", "dora");
        await page.SelectOptionAsync("#user-role", "operator");
        await page.ClickAsync("#create-user button");
        var password = (await page.Locator("#new-password .secret").InnerTextAsync()).Trim();
        Assert.Equal(24, password.Length);
        await page.GotoAsync(fx.Url("/users")); // shown once: a reload does not show it again
        Assert.Equal(0, await page.Locator("#new-password").CountAsync());

        await page.Locator("tr[data-user='dora'] button", new() { HasText = "Disable" }).ClickAsync();
        Assert.Contains("Disabled dora", await page.Locator("#flash").InnerTextAsync());
        Assert.Equal("disabled", await page.Locator("tr[data-user='dora'] td[data-label='State']").InnerTextAsync());
        await page.Locator("tr[data-user='dora'] button", new() { HasText = "Reset password" }).ClickAsync();
        Assert.NotEqual(password, (await page.Locator("#new-password .secret").InnerTextAsync()).Trim());

        await page.GotoAsync(fx.Url("/tokens"));
        await page.FillAsync("#token-name", "ci-from-page");
        await page.SelectOptionAsync("#token-role", "viewer");
        await page.ClickAsync("#create-token button");
        var token = (await page.Locator("#new-token .secret").InnerTextAsync()).Trim();
        Assert.StartsWith("press_", token, StringComparison.Ordinal);
        var row = page.Locator("#tokens tr", new() { HasText = "ci-from-page" });
        await row.Locator("button", new() { HasText = "Revoke" }).ClickAsync();
        Assert.Contains("Revoked 1 token(s)", await page.Locator("#flash").InnerTextAsync());

        await page.GotoAsync(fx.Url("/audit?actor=admin"));
        var actions = await page.Locator("#audit td[data-label='Action']").AllInnerTextsAsync();
        Assert.Contains("user.create", actions);
        Assert.Contains("token.revoke", actions);
        Assert.DoesNotContain(token, await page.ContentAsync()); // never a secret in the audit log
        await page.GotoAsync(fx.Url("/audit?from=yesterday"));
        Assert.Contains("is not a time", await page.Locator("[id='from-error']").InnerTextAsync());
    }
}
