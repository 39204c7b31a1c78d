using System.Text.Json;
using Press.Core.Identity;

namespace Press.Core.Tests.Identity;

public sealed class RoleMappingTests
{
    private static JsonElement Payload(string json) => JsonDocument.Parse(json).RootElement;

    [Fact]
    public void Keycloak_realm_roles_are_read_from_realm_access_roles_by_default()
    {
        var options = new OidcOptions();
        Assert.Equal("realm_access.roles", options.RolesClaim);
        Assert.Equal(Roles.Operator, RoleMapping.PressRole(Payload("""{"realm_access":{"roles":["offline_access","operator","viewer"]}}"""), options));
        Assert.Null(RoleMapping.PressRole(Payload("""{"realm_access":{"roles":["offline_access"]}}"""), options));
        Assert.Null(RoleMapping.PressRole(Payload("""{"roles":["admin"]}"""), options));
    }

    [Fact]
    public void A_client_role_path_whose_client_id_has_dots_or_dashes_works()
    {
        var json = Payload("""{"resource_access":{"press-manager":{"roles":["admin"]},"press.example.com":{"roles":["viewer"]}}}""");
        Assert.Equal(Roles.Admin, RoleMapping.PressRole(json, new OidcOptions { RolesClaim = "resource_access.press-manager.roles" }));
        Assert.Equal(Roles.Viewer, RoleMapping.PressRole(json, new OidcOptions { RolesClaim = "resource_access.press.example.com.roles" }));
        Assert.Equal(["admin"], RoleMapping.IdpRoles(json, "resource_access.press-manager.roles"));
        Assert.Empty(RoleMapping.IdpRoles(json, "resource_access.other.roles"));
    }

    [Fact]
    public void The_role_map_grants_the_highest_mapped_role_and_ignores_unmapped_names()
    {
        var options = new OidcOptions
        {
            RolesClaim = "groups",
            RoleMap = new(StringComparer.OrdinalIgnoreCase) { ["admin"] = "press-admins, sre", ["Operator"] = "press-ops", ["viewer"] = "staff" },
        };
        Assert.Equal(Roles.Admin, RoleMapping.PressRole(Payload("""{"groups":["staff","sre"]}"""), options));
        Assert.Equal(Roles.Operator, RoleMapping.PressRole(Payload("""{"groups":["press-ops","staff"]}"""), options));
        Assert.Null(RoleMapping.PressRole(Payload("""{"groups":["admin","operator","viewer"]}"""), options)); // mapped away
        Assert.Equal(Roles.Viewer, RoleMapping.PressRole(Payload("""{"groups":"staff other"}"""), options)); // space-separated string
        Assert.Null(RoleMapping.PressRole(Payload("""{"groups":{"admin":true}}"""), options));
    }

    [Fact]
    public void Settings_problems_are_all_listed_and_unset_authority_means_none()
    {
        Assert.Empty(new OidcOptions().Problems());
        var problems = new OidcOptions
        {
            Authority = "http://sso.example.com/realms/press", RolesClaim = "", ProbeTimeout = TimeSpan.Zero,
            RoleMap = new() { ["root"] = "x" },
        }.Problems();
        Assert.Equal(6, problems.Count);
        Assert.Contains(problems, p => p.Contains("plain http on a remote host", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("Press__Oidc__ClientId", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("Press__Oidc__ClientSecret", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("RoleMap__root", StringComparison.Ordinal));
        Assert.Empty(new OidcOptions { Authority = "http://127.0.0.1:48595/realms/press", ClientId = "c", ClientSecret = "s" }.Problems());
    }
}

public sealed class LocalLoginTests
{
    private static readonly LocalAccount Plain = new(Guid.NewGuid(), "alice", Roles.Operator, Disabled: false, BreakGlass: false);
    private static readonly LocalAccount BreakGlass = Plain with { BreakGlass = true };

    [Theory]
    [InlineData(SsoState.NotConfigured, LocalLoginOutcome.Success, LocalLoginOutcome.Success)]
    [InlineData(SsoState.Down, LocalLoginOutcome.Success, LocalLoginOutcome.Success)]
    [InlineData(SsoState.Up, LocalLoginOutcome.SsoRequired, LocalLoginOutcome.Success)]
    public void While_sso_works_only_break_glass_accounts_log_in_locally(SsoState sso, LocalLoginOutcome plain, LocalLoginOutcome breakGlass)
    {
        Assert.Equal(plain, LocalLogin.Decide(Plain, passwordRight: true, sso));
        Assert.Equal(breakGlass, LocalLogin.Decide(BreakGlass, passwordRight: true, sso));
    }

    [Fact]
    public void A_wrong_password_or_unknown_name_is_the_same_answer_and_a_disabled_account_is_refused()
    {
        Assert.Equal(LocalLoginOutcome.WrongCredentials, LocalLogin.Decide(null, passwordRight: false, SsoState.Down));
        Assert.Equal(LocalLoginOutcome.WrongCredentials, LocalLogin.Decide(BreakGlass, passwordRight: false, SsoState.Down));
        Assert.Equal(LocalLogin.Decide(null, false, SsoState.Up).Message(), LocalLogin.Decide(Plain, false, SsoState.Up).Message());
        Assert.Equal(LocalLoginOutcome.Disabled, LocalLogin.Decide(BreakGlass with { Disabled = true }, passwordRight: true, SsoState.Down));
    }

    [Fact]
    public void The_bootstrap_admin_is_kept_for_emergencies_only_when_asked_and_an_sso_admin_exists()
    {
        Assert.True(LocalLogin.BootstrapAdminIsBreakGlass(onlyWhenSsoDown: false, ssoAdminExists: true));
        Assert.True(LocalLogin.BootstrapAdminIsBreakGlass(onlyWhenSsoDown: true, ssoAdminExists: false));
        Assert.False(LocalLogin.BootstrapAdminIsBreakGlass(onlyWhenSsoDown: true, ssoAdminExists: true));
    }

    [Theory]
    [InlineData("alice", null)]
    [InlineData("ops.team-1_a@x", null)]
    [InlineData("", "required")]
    [InlineData("Alice", "start with")]
    [InlineData("sso:x@y", "may hold only")]
    [InlineData("a/token:1", "may hold only")]
    public void Local_names_cannot_look_like_sso_people_or_tokens(string name, string? problem)
    {
        var found = UserNames.Problem(name);
        if (problem is null) Assert.Null(found);
        else Assert.Contains(problem, found);
    }
}
