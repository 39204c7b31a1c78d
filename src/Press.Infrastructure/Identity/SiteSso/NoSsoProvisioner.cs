using Press.Core.Ports;
using Press.Core.Sso;

namespace Press.Infrastructure.Identity.SiteSso;

/// <summary><c>Press__Oidc__Provisioning=none</c>: sites get no client; the SSO steps are Skipped with this reason.</summary>
public sealed class NoSsoProvisioner : ISsoProvisioner
{
    public string Mode => "none";
    public string? NotConfiguredReason => "Press__Oidc__Provisioning is 'none': sites get no SSO client (set it to keycloak-admin or dcr)";
    private static InvalidOperationException Off() => new("site SSO provisioning is off");
    public Task<SsoRegistration> EnsureAsync(SiteSsoClient client, string secret, SsoRegistration? existing, CancellationToken ct) => throw Off();
    public Task<string> DisableAsync(SiteSsoClient client, SsoRegistration registration, CancellationToken ct) => throw Off();
    public Task<string> RemoveAsync(SiteSsoClient client, SsoRegistration registration, CancellationToken ct) => throw Off();
    public Task<IssuerEndpoints> EndpointsAsync(CancellationToken ct) => throw Off();
}

/// <summary>Picks the provisioner <c>Press__Oidc__Provisioning</c> names (validated at start by OidcOptions).</summary>
public static class SsoProvisioners
{
    /// <exception cref="InvalidOperationException">Provisioning is on but its settings are incomplete: the worker refuses to
    /// start rather than fail every new site's job.</exception>
    public static ISsoProvisioner Create(Press.Core.Identity.OidcOptions options, HttpClient http)
    {
        if (options.Provisioning != "none" && options.Problems() is { Count: > 0 } problems)
            throw new InvalidOperationException("Fix the single sign-on settings: " + string.Join(" ", problems));
        return Pick(options, http);
    }

    private static ISsoProvisioner Pick(Press.Core.Identity.OidcOptions options, HttpClient http) => options.Provisioning switch
    {
        "dcr" => new DcrProvisioner(new IssuerHttp(http, options.Authority!), options.InitialAccessToken!),
        "keycloak-admin" => new KeycloakAdminProvisioner(new IssuerHttp(http, options.Authority!), options.ClientId!, options.ClientSecret!),
        _ => new NoSsoProvisioner(),
    };
}
