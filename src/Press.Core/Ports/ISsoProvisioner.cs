using Press.Core.Sso;

namespace Press.Core.Ports;

/// <summary>
/// Makes and changes sites' OIDC clients at the issuer (<c>Press__Oidc__Provisioning</c>: Keycloak's admin REST API or
/// RFC 7591 dynamic client registration). Every call is idempotent: "already there", "already gone" are success.
/// </summary>
public interface ISsoProvisioner
{
    /// <summary>"keycloak-admin", "dcr", or "none".</summary>
    string Mode { get; }

    /// <summary>Why sites get no SSO client (null when provisioning is configured).</summary>
    string? NotConfiguredReason { get; }

    /// <summary>
    /// Makes sure the issuer has the client, enabled, with the secret of <paramref name="existing"/> when the issuer lets
    /// Press choose it (Keycloak). A DCR client that was deleted (a soft-deleted site's) is registered anew.
    /// </summary>
    /// <param name="secret">The secret Press chose (Keycloak); DCR issuers choose their own.</param>
    Task<SsoRegistration> EnsureAsync(SiteSsoClient client, string secret, SsoRegistration? existing, CancellationToken ct);

    /// <summary>Stops the client from logging anyone in; returns what stays recorded (DCR: nothing left to change).</summary>
    Task<string> DisableAsync(SiteSsoClient client, SsoRegistration registration, CancellationToken ct);

    /// <summary>Deletes the client from the issuer.</summary>
    Task<string> RemoveAsync(SiteSsoClient client, SsoRegistration registration, CancellationToken ct);

    /// <summary>The issuer's endpoints for the site's Social Login Key (from its discovery document).</summary>
    Task<IssuerEndpoints> EndpointsAsync(CancellationToken ct);
}

/// <param name="IssuerRef">Keycloak: internal id; DCR: registration_client_uri.</param>
/// <param name="RegistrationToken">DCR's registration access token; null for Keycloak.</param>
public sealed record SsoRegistration(string ClientId, string Secret, string? IssuerRef, string? RegistrationToken, string Detail)
{
    public override string ToString() => $"SsoRegistration({ClientId}, ***)";
}

public sealed record IssuerEndpoints(string Issuer, string AuthorizationEndpoint, string TokenEndpoint, string UserinfoEndpoint);
