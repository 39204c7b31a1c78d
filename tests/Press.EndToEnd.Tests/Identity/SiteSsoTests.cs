using System.Net;
using Npgsql;
using Press.Core.Jobs;
using Press.EndToEnd.Tests.Harness;
using Press.EndToEnd.Tests.Runtime;

namespace Press.EndToEnd.Tests.Identity;

/// <summary>
/// Per-site single sign-on end to end (docs/architecture.md §7): Press (manager and worker, process driver with the
/// Frappe test double as bench) registers each site's client by dynamic client registration at the real OIDC provider
/// and writes the site's Social Login Key through bench; delete, undelete and purge follow the site.
/// </summary>
[Collection(SiteRuntimeCollection.Name)]
public sealed class SiteSsoTests : IAsyncLifetime
{
    private readonly int _port = Ports.Reserve();
    private OidcProvider? _provider;
    private RuntimeStack? _stack;
    private OidcProvider Provider => _provider!;
    private RuntimeStack Stack => _stack!;

    public async Task InitializeAsync()
    {
        _provider = new OidcProvider([], _port, initialAccessToken: "iat-" + Guid.NewGuid().ToString("N"));
        await Provider.StartAsync();
        _stack = await RuntimeStack.StartProcessAsync(extra: new Dictionary<string, string?>
        {
            ["Press:Oidc:Authority"] = Provider.Issuer,
            ["Press:Oidc:ClientId"] = OidcProvider.ClientId,
            ["Press:Oidc:ClientSecret"] = Provider.ClientSecret,
            ["Press:Oidc:Provisioning"] = "dcr",
            ["Press:Oidc:InitialAccessToken"] = Provider.InitialAccessToken,
        });
    }

    public async Task DisposeAsync()
    {
        if (_stack is { } stack) await stack.DisposeAsync();
        if (_provider is { } provider) await provider.DisposeAsync();
        Ports.Release(_port);
    }

    [Fact]
    public async Task A_new_site_gets_its_own_client_and_Social_Login_Key_which_delete_disables_undelete_renews_and_purge_removes()
    {
        await SetNewSitesAsync("on");
        var name = Stack.SiteName("sso");
        var folder = ProcessRunners.SiteFolder(Stack.BenchFolder!, name);

        var created = await Stack.CreateSiteAsync(name);
        Stack.AssertAllStepsSucceeded(created, Recipes.NewSite, requireSso: true);
        var schema = (await Stack.GetSiteAsync(name)).Location.Schema;
        var key = await SocialLoginKeyAsync(schema) ?? throw new Xunit.Sdk.XunitException("no Social Login Key was written" + Stack.Describe());

        // The doc as Frappe's doctype stores it: the secret in __Auth, asterisks in the row.
        Assert.Equal("press", key["name"]);
        Assert.Equal("Press", key["provider_name"]);
        Assert.Equal("Custom", key["social_login_provider"]);
        Assert.Equal("1", key["enable_social_login"]);
        Assert.Equal("0", key["custom_base_url"]);
        Assert.Equal(Provider.Issuer, key["base_url"]);
        Assert.Equal($"{Provider.Issuer}/auth", key["authorize_url"]);
        Assert.Equal($"{Provider.Issuer}/token", key["access_token_url"]);
        Assert.Equal($"{Provider.Issuer}/me", key["api_endpoint"]);
        Assert.Equal("/api/method/frappe.integrations.oauth2_logins.custom/press", key["redirect_url"]);
        Assert.Equal("""{"response_type":"code","scope":"openid email profile"}""", key["auth_url_data"]);
        Assert.Equal("sub", key["user_id_property"]);
        Assert.Equal("Deny", key["sign_ups"]);
        var clientId = key["client_id"]!;
        var secret = key["secret"]!;
        Assert.Equal(new string('*', secret.Length), key["client_secret"]);
        Assert.Equal("invalid_grant", await SiteSsoProvisionerTests.ClientAuthAsync(Provider, clientId, secret));

        // The doc went to bench through a file, which is gone; no step's output carries the secret.
        var configure = created.Step(StepNames.ConfigureSiteSso).Output!;
        Assert.StartsWith($"bench --site {name} execute frappe.client.insert --kwargs ", configure);
        // Display quotes for a shell: the kwargs are '{'\''doc'\'': frappe.get_file_json('\''PATH'\'')}'.
        Assert.Contains($"frappe.get_file_json('\\''{Path.Combine(folder, ".press-social-login-key.json")}'\\'')", configure);
        Assert.False(File.Exists(Path.Combine(folder, ".press-social-login-key.json")), "the doc file with the secret was left in the site folder");
        Assert.Equal($"registered a new client (client {clientId}, dcr)", created.Step(StepNames.RegisterSsoClient).Output);

        var deleted = await Stack.DeleteAsync(name);
        Stack.AssertAllStepsSucceeded(deleted, Recipes.DeleteSite, requireSso: true);
        Assert.Equal("invalid_client", await SiteSsoProvisionerTests.ClientAuthAsync(Provider, clientId, secret));

        var undeleted = await Stack.UndeleteAsync(name);
        Stack.AssertAllStepsSucceeded(undeleted, Recipes.UndeleteSite, requireSso: true);
        var renewed = await SocialLoginKeyAsync(schema) ?? throw new Xunit.Sdk.XunitException("the key is gone after undelete");
        Assert.NotEqual(clientId, renewed["client_id"]);
        Assert.Equal("invalid_grant", await SiteSsoProvisionerTests.ClientAuthAsync(Provider, renewed["client_id"]!, renewed["secret"]!));
        Assert.StartsWith($"bench --site {name} execute frappe.client.set_value --kwargs ", undeleted.Step(StepNames.ConfigureSiteSso).Output);

        Stack.AssertAllStepsSucceeded(await Stack.DeleteAsync(name), Recipes.DeleteSite, requireSso: true);
        var purged = await Stack.PurgeAsync(name);
        Stack.AssertAllStepsSucceeded(purged, Recipes.PurgeSite, requireSso: true);
        Assert.Equal("invalid_client", await SiteSsoProvisionerTests.ClientAuthAsync(Provider, renewed["client_id"]!, renewed["secret"]!));

        foreach (var job in new[] { created, deleted, undeleted, purged })
            foreach (var step in job.Steps)
                Assert.DoesNotContain(secret, (step.Output ?? "") + step.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(Stack.Worker.Log.Lines.Concat(Stack.Manager.Log.Lines), l => l.Contains(secret, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Enable_sso_gives_an_existing_site_its_client_and_a_viewer_may_not_ask_for_it()
    {
        await SetNewSitesAsync("off");
        var name = Stack.SiteName("later");
        var created = await Stack.CreateSiteAsync(name);
        Assert.True(created.State == "Succeeded", created.Describe() + Stack.Describe());
        Assert.Equal("Skipped", created.Step(StepNames.RegisterSsoClient).State);
        Assert.Equal("single sign-on is not enabled for this site", created.Step(StepNames.RegisterSsoClient).Output);
        var schema = (await Stack.GetSiteAsync(name)).Location.Schema;
        Assert.Null(await SocialLoginKeyAsync(schema));

        using var viewer = new ApiClient(Stack.Manager.BaseUrl, await Stack.Admin.MintTokenAsync("viewer"));
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PostAsync($"/api/sites/{name}/sso")).Status);
        var missing = await Stack.Admin.PostAsync($"/api/sites/no-such-{name}/sso");
        Assert.Equal(HttpStatusCode.NotFound, missing.Status);

        var enabled = await Stack.RunJobAsync(HttpMethod.Post, $"/api/sites/{name}/sso");
        Stack.AssertAllStepsSucceeded(enabled, Recipes.EnableSso, requireSso: true);
        Assert.Equal("EnableSso", enabled.Kind);
        var key = await SocialLoginKeyAsync(schema) ?? throw new Xunit.Sdk.XunitException("enable-sso wrote no Social Login Key");
        Assert.Equal("invalid_grant", await SiteSsoProvisionerTests.ClientAuthAsync(Provider, key["client_id"]!, key["secret"]!));
        Assert.Equal("Active", (await Stack.GetSiteAsync(name)).State);

        // Again: the client is found and kept, the key updated in place.
        var again = await Stack.RunJobAsync(HttpMethod.Post, $"/api/sites/{name}/sso");
        Stack.AssertAllStepsSucceeded(again, Recipes.EnableSso, requireSso: true);
        Assert.Equal($"client {key["client_id"]} already registered (client {key["client_id"]}, dcr)", again.Step(StepNames.RegisterSsoClient).Output);
        Assert.Equal(key["client_id"], (await SocialLoginKeyAsync(schema))!["client_id"]);
    }

    private async Task SetNewSitesAsync(string value)
    {
        var set = await Stack.Admin.SendAsync(HttpMethod.Put, "/api/settings/sso.newSites", new { value });
        Assert.True(set.Status == HttpStatusCode.OK, set.ToString());
    }

    /// <summary>The site's Social Login Key row and its secret from __Auth, read as the superuser; null when there is none.</summary>
    private Task<Dictionary<string, string?>?> SocialLoginKeyAsync(string schema) => SocialLoginKeyAsync(Stack.Db, schema);

    public static async Task<Dictionary<string, string?>?> SocialLoginKeyAsync(Press.Testing.PressDatabase db, string schema)
    {
        await using var conn = await db.OpenAsSuperuserAsync(db.SitesDatabase);
        var table = $"\"{schema}\".\"tabSocial Login Key\"";
        await using (var exists = new NpgsqlCommand("SELECT to_regclass($1) IS NOT NULL", conn) { Parameters = { new() { Value = table } } })
            if (!(bool)(await exists.ExecuteScalarAsync())!) return null;
        var row = new Dictionary<string, string?>();
        await using (var cmd = new NpgsqlCommand($"SELECT * FROM {table} WHERE name = 'press'", conn))
        await using (var r = await cmd.ExecuteReaderAsync())
        {
            if (!await r.ReadAsync()) return null;
            for (var i = 0; i < r.FieldCount; i++) row[r.GetName(i)] = r.IsDBNull(i) ? null : r.GetValue(i).ToString();
        }
        await using var secret = new NpgsqlCommand(
            $"SELECT password FROM \"{schema}\".\"__Auth\" WHERE doctype = 'Social Login Key' AND name = 'press' AND fieldname = 'client_secret'", conn);
        row["secret"] = await secret.ExecuteScalarAsync() as string;
        return row;
    }
}
