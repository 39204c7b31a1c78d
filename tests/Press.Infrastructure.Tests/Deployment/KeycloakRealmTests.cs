using System.Text.RegularExpressions;
using Newtonsoft.Json.Linq;

namespace Press.Infrastructure.Tests.Deployment;

/// <summary>docker/keycloak/press-realm.json: the realm `press` and its confidential client, with no secret in the file.</summary>
public sealed partial class KeycloakRealmTests
{
    private static readonly Lazy<string> Text = new(() => DeploymentPaths.ReadDocker("keycloak/press-realm.json"));
    private static JObject Realm => JObject.Parse(Text.Value);
    private static JObject Client => (JObject)((JArray)Realm["clients"]!).Single(c => (string?)c["clientId"] == "press-manager");

    [Fact]
    public void The_realm_is_press_and_enabled()
    {
        Assert.Equal("press", (string?)Realm["realm"]);
        Assert.True((bool?)Realm["enabled"]);
        Assert.False((bool?)Realm["registrationAllowed"]);
    }

    [Fact]
    public void Press_manager_is_a_confidential_client_with_code_flow_and_pkce_s256()
    {
        var client = Client;
        Assert.False((bool?)client["publicClient"]);
        Assert.Equal("client-secret", (string?)client["clientAuthenticatorType"]);
        Assert.True((bool?)client["standardFlowEnabled"]);
        Assert.False((bool?)client["implicitFlowEnabled"]);
        Assert.False((bool?)client["directAccessGrantsEnabled"]);
        Assert.Equal("S256", (string?)client["attributes"]!["pkce.code.challenge.method"]);
        Assert.All(((JArray)client["redirectUris"]!).Select(u => (string)u!), u => Assert.StartsWith("${PRESS_PUBLIC_URL}/", u));
    }

    [Fact]
    public void The_client_secret_is_a_placeholder_not_a_value()
    {
        Assert.Equal("${PRESS_MANAGER_CLIENT_SECRET}", (string?)Client["secret"]);
        Assert.DoesNotContain("dev-only", Text.Value);
    }

    [Theory]
    [InlineData(ComposeFile.DevelopmentName)]
    [InlineData(ComposeFile.ProductionName)]
    public void Every_placeholder_is_supplied_to_keycloak_by_the_compose_file(string file)
    {
        var env = ComposeFile.Get(file)["keycloak"].Environment;
        var script = DeploymentPaths.ReadDocker("keycloak/kc-entrypoint.sh");
        var fromFiles = FileVariables().Match(script).Groups["names"].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries);

        var placeholders = Placeholder().Matches(Text.Value).Select(m => m.Groups[1].Value).Distinct().ToList();
        Assert.Equal(["PRESS_MANAGER_CLIENT_SECRET", "PRESS_PUBLIC_URL"], placeholders.Order());
        foreach (var name in placeholders)
            Assert.True(env.ContainsKey(name) || (env.ContainsKey(name + "_FILE") && fromFiles.Contains(name)),
                $"{file}: keycloak gets neither {name} nor a {name}_FILE that kc-entrypoint.sh reads");
        // Every *_FILE the compose file gives Keycloak is one the script turns into a value.
        foreach (var key in env.Keys.Where(k => k.EndsWith("_FILE", StringComparison.Ordinal)))
            Assert.Contains(key[..^"_FILE".Length], fromFiles);
    }

    [Fact]
    public void The_service_account_may_register_site_clients()
    {
        var account = ((JArray)Realm["users"]!).Single(u => (string?)u["serviceAccountClientId"] == "press-manager");
        Assert.True((bool?)Client["serviceAccountsEnabled"]);
        Assert.Contains("manage-clients", account["clientRoles"]!["realm-management"]!.Select(r => (string)r!));
    }

    [Fact]
    public void The_three_press_roles_are_realm_roles_where_press_looks_for_them_by_default()
    {
        var roles = ((JArray)Realm["roles"]!["realm"]!).Select(r => (string)r["name"]!).Order();
        Assert.Equal(["admin", "operator", "viewer"], roles);
        Assert.Null(Realm["roles"]!["client"]);
        var mapper = Mapper("oidc-usermodel-realm-role-mapper");
        // Press's default Press__Oidc__RolesClaim is where this mapper puts them, and in the ID token (the browser login).
        Assert.Equal(new Press.Core.Identity.OidcOptions().RolesClaim, (string?)mapper["config"]!["claim.name"]);
        Assert.Equal(("true", "true", "true"), ((string?)mapper["config"]!["id.token.claim"], (string?)mapper["config"]!["access.token.claim"],
            (string?)mapper["config"]!["multivalued"]));
        // And a Press role maps to the IdP role of the same name by default.
        Assert.Equal(Press.Core.Identity.Roles.Admin, Press.Core.Identity.RoleMapping.PressRole(["admin"], new Dictionary<string, string>()));
    }

    [Theory]
    [InlineData(ComposeFile.DevelopmentName)]
    [InlineData(ComposeFile.ProductionName)]
    public void Access_tokens_carry_the_press_client_as_audience_as_the_manager_expects(string file)
    {
        var mapper = Mapper("oidc-audience-mapper");
        Assert.Equal("press-manager", (string?)mapper["config"]!["included.client.audience"]);
        Assert.Equal("true", (string?)mapper["config"]!["access.token.claim"]);
        var manager = ComposeFile.Get(file)["press-manager"].Environment;
        Assert.Equal("press-manager", manager["Press__Oidc__ClientId"]);
        Assert.False(manager.ContainsKey("Press__Oidc__Audience")); // default: the client id
    }

    private static JObject Mapper(string type) =>
        (JObject)((JArray)Client["protocolMappers"]!).Single(m => (string?)m["protocolMapper"] == type);

    [GeneratedRegex(@"\$\{([A-Z0-9_]+)\}")]
    private static partial Regex Placeholder();

    [GeneratedRegex(@"for var in (?<names>[A-Z0-9_ ]+); do")]
    private static partial Regex FileVariables();
}
