using Press.Core.Sites;

namespace Press.Core.Sso;

/// <summary>
/// What a site's single sign-on client is, derived from the site alone (docs/architecture.md §7, docs/frappe.md §5):
/// a stable client id, so a retried registration finds the client it made, and Frappe's callback for a custom
/// Social Login Key provider as the only redirect URI.
/// </summary>
public sealed record SiteSsoClient(string ClientId, string DisplayName, IReadOnlyList<string> RedirectUris)
{
    /// <summary>The Social Login Key's provider_name; Frappe names the doc <c>frappe.scrub(provider_name)</c> = "press".</summary>
    public const string ProviderName = "Press";

    /// <summary>The Social Login Key's name (its <c>frappe.scrub</c>), the last part of the callback path.</summary>
    public const string ProviderKey = "press";

    /// <summary>
    /// <c>frappe/integrations/oauth2_logins.py::custom</c> serves <c>/api/method/frappe.integrations.oauth2_logins.custom/&lt;provider&gt;</c>
    /// and logs in through the Social Login Key named &lt;provider&gt;.
    /// </summary>
    public const string CallbackPath = "/api/method/frappe.integrations.oauth2_logins.custom/" + ProviderKey;

    public static string ClientIdFor(string siteName) => "fcs-press-site-" + siteName;

    /// <summary>Sites are served over https by the ingress (Traefik with TLS in production).</summary>
    public static SiteSsoClient For(Site site) =>
        new(ClientIdFor(site.Name), $"Press site {site.Name}", [$"https://{site.Name}{CallbackPath}"]);
}

/// <summary>Where a site's client stands at the issuer.</summary>
public enum SiteSsoState
{
    /// <summary>Its secret is chosen and recorded; the issuer may or may not have the client yet.</summary>
    Registering,
    Enabled,
    /// <summary>Soft-deleted site: the client cannot log anyone in (Keycloak: enabled=false; DCR: deleted).</summary>
    Disabled,
    /// <summary>Purged: the client is gone from the issuer.</summary>
    Removed,
}

/// <summary>A site's SSO client as Press records it (table site_sso). Secrets are sealed by <see cref="Ports.ISecretProtector"/>.</summary>
/// <param name="Provisioning">"keycloak-admin" or "dcr": how the client was made, so it is changed the same way.</param>
/// <param name="IssuerRef">Keycloak: the client's internal id; DCR: its registration_client_uri (RFC 7592).</param>
/// <param name="EncryptedRegistrationToken">DCR: the registration access token (RFC 7592), sealed; null for Keycloak.</param>
/// <param name="FrappeConfigured">The site's Social Login Key holds this client.</param>
public sealed record SiteSsoRecord(
    Guid SiteId, string Provisioning, string ClientId, byte[] EncryptedSecret, string? IssuerRef, byte[]? EncryptedRegistrationToken,
    SiteSsoState State, bool FrappeConfigured, DateTimeOffset UpdatedAt);
