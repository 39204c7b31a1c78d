using System.Text.Json.Nodes;
using Press.Core.Identity;
using Press.Core.Sso;
using Press.Infrastructure.Identity.SiteSso;

namespace Press.Infrastructure.Tests.Identity;

/// <summary>What Press sends the issuer for a site's client, as exact values; and the settings that pick how.</summary>
public sealed class SiteSsoRepresentationTests
{
    private static readonly SiteSsoClient Client = new("fcs-press-site-erp.example.com", "Press site erp.example.com",
        ["https://erp.example.com/api/method/frappe.integrations.oauth2_logins.custom/press"]);

    [Fact]
    public void DCR_metadata_asks_for_the_code_flow_with_the_secret_in_the_token_requests_body()
    {
        var expected = JsonNode.Parse("""
            {"client_name":"Press site erp.example.com","application_type":"web",
             "redirect_uris":["https://erp.example.com/api/method/frappe.integrations.oauth2_logins.custom/press"],
             "grant_types":["authorization_code"],"response_types":["code"],"token_endpoint_auth_method":"client_secret_post"}
            """);
        Assert.True(JsonNode.DeepEquals(expected, DcrProvisioner.Metadata(Client)), DcrProvisioner.Metadata(Client).ToJsonString());
    }

    [Theory]
    [InlineData("https://sso.example.com/realms/press", "https://sso.example.com/admin/realms/press")]
    [InlineData("https://sso.example.com/auth/realms/press/", "https://sso.example.com/auth/admin/realms/press")]
    public void The_admin_API_lives_beside_the_realm(string authority, string admin) =>
        Assert.Equal(admin, KeycloakAdminProvisioner.AdminBaseOf(authority.TrimEnd('/')));

    [Fact]
    public void Keycloak_admin_provisioning_needs_a_realm_url() =>
        Assert.Throws<InvalidOperationException>(() => KeycloakAdminProvisioner.AdminBaseOf("https://sso.example.com/oidc"));

    [Fact]
    public void Provisioning_settings_are_checked_with_a_fix_for_each_problem()
    {
        Assert.Empty(new OidcOptions().Problems());
        Assert.Equal(["Press__Oidc__Provisioning 'scim' is unknown: use one of none, keycloak-admin, dcr."],
            new OidcOptions { Provisioning = "scim" }.Problems());
        Assert.Equal(["Press__Oidc__Provisioning=keycloak-admin needs the issuer: set Press__Oidc__Authority."],
            new OidcOptions { Provisioning = "keycloak-admin" }.Problems());
        var dcr = new OidcOptions { Provisioning = "dcr", Authority = "http://127.0.0.1:49716", ClientId = "press-manager", ClientSecret = "x" };
        Assert.Equal(["Press__Oidc__Provisioning=dcr needs Press__Oidc__InitialAccessToken or Press__Oidc__InitialAccessToken_FILE (the issuer's initial access token for client registration)."],
            dcr.Problems());
    }

    [Fact]
    public void Incomplete_provisioning_settings_stop_the_worker_at_start_naming_the_fix()
    {
        var error = Assert.Throws<InvalidOperationException>(() => SsoProvisioners.Create(
            new OidcOptions { Provisioning = "dcr", Authority = "http://127.0.0.1:49716", ClientId = "press-manager", ClientSecret = "x" }, new HttpClient()));
        Assert.StartsWith("Fix the single sign-on settings: Press__Oidc__Provisioning=dcr needs Press__Oidc__InitialAccessToken", error.Message);
    }

    [Fact]
    public void Without_provisioning_the_steps_are_told_why()
    {
        var none = SsoProvisioners.Create(new OidcOptions(), new HttpClient());
        Assert.Equal("none", none.Mode);
        Assert.Contains("Press__Oidc__Provisioning is 'none'", none.NotConfiguredReason);
    }
}
