using System.Net;
using System.Text.Json.Nodes;
using Press.Core.Jobs;
using Press.Core.Ports;
using Press.Core.Sso;

namespace Press.Infrastructure.Identity.SiteSso;

/// <summary>
/// Sites' clients through Keycloak's admin REST API (https://www.keycloak.org/docs-api/latest/rest-api/index.html,
/// "Clients"), authenticated as Press's own client's service account (client-credentials grant; the realm import gives
/// it the realm-management role manage-clients). The client id is stable (<c>fcs-press-site-&lt;name&gt;</c>), so a retry
/// finds the client it created; Press chooses the secret, so a retry presents the same one.
/// </summary>
public sealed class KeycloakAdminProvisioner(IssuerHttp issuer, string serviceClientId, string serviceClientSecret) : ISsoProvisioner
{
    public string Mode => "keycloak-admin";
    public string? NotConfiguredReason => null;

    /// <summary><c>https://host/realms/press</c> → <c>https://host/admin/realms/press</c>.</summary>
    public string AdminBase { get; } = AdminBaseOf(issuer.Authority);

    public static string AdminBaseOf(string authority)
    {
        var at = authority.LastIndexOf("/realms/", StringComparison.Ordinal);
        if (at < 0) throw new InvalidOperationException($"Press__Oidc__Authority '{authority}' is not a Keycloak realm URL (…/realms/NAME), which Press__Oidc__Provisioning=keycloak-admin needs.");
        return $"{authority[..at]}/admin{authority[at..]}";
    }

    public Task<IssuerEndpoints> EndpointsAsync(CancellationToken ct) => issuer.EndpointsAsync(ct);

    /// <summary>
    /// The ClientRepresentation of a site's client: confidential, authorization code only, Frappe's callback as the one
    /// redirect URI, and a mapper that puts <c>email_verified</c> into userinfo (Frappe refuses a user whose userinfo
    /// lacks it — docs/frappe.md §5 — and a realm's default "email" scope may have been changed).
    /// </summary>
    public static JsonObject Representation(SiteSsoClient client, string secret) => new()
    {
        ["clientId"] = client.ClientId,
        ["name"] = client.DisplayName,
        ["enabled"] = true,
        ["protocol"] = "openid-connect",
        ["publicClient"] = false,
        ["clientAuthenticatorType"] = "client-secret",
        ["secret"] = secret,
        ["standardFlowEnabled"] = true,
        ["implicitFlowEnabled"] = false,
        ["directAccessGrantsEnabled"] = false,
        ["serviceAccountsEnabled"] = false,
        ["redirectUris"] = new JsonArray([.. client.RedirectUris.Select(u => (JsonNode)u)]),
        ["defaultClientScopes"] = new JsonArray("profile", "email"),
        ["protocolMappers"] = new JsonArray(new JsonObject
        {
            ["name"] = "email verified",
            ["protocol"] = "openid-connect",
            ["protocolMapper"] = "oidc-usermodel-property-mapper",
            ["config"] = new JsonObject
            {
                ["user.attribute"] = "emailVerified",
                ["claim.name"] = "email_verified",
                ["jsonType.label"] = "boolean",
                ["id.token.claim"] = "true",
                ["access.token.claim"] = "true",
                ["userinfo.token.claim"] = "true",
            },
        }),
    };

    public async Task<SsoRegistration> EnsureAsync(SiteSsoClient client, string secret, SsoRegistration? existing, CancellationToken ct)
    {
        var token = await ServiceTokenAsync(ct);
        var id = await FindAsync(client.ClientId, token, ct);
        if (id is null)
        {
            using var created = await issuer.SendAsync(IssuerHttp.Json(HttpMethod.Post, $"{AdminBase}/clients", Representation(client, secret), token),
                "creating the client", ct);
            if (created.StatusCode == HttpStatusCode.Conflict)
                id = await FindAsync(client.ClientId, token, ct); // created meanwhile by an earlier attempt
            else
            {
                await IssuerHttp.EnsureSuccessAsync(created, "creating the client", ct);
                id = created.Headers.Location?.ToString().TrimEnd('/').Split('/')[^1];
            }
            id ??= await FindAsync(client.ClientId, token, ct)
                ?? throw new StepFailedException(FailureKind.Transient, $"Keycloak created client {client.ClientId} but does not list it yet");
            return new SsoRegistration(client.ClientId, secret, id, null, $"created client {client.ClientId} in Keycloak");
        }
        // Found: bring it to the desired state (enabled, Press's secret, the current redirect URI).
        using var updated = await issuer.SendAsync(IssuerHttp.Json(HttpMethod.Put, $"{AdminBase}/clients/{id}", Representation(client, secret), token),
            "updating the client", ct);
        await IssuerHttp.EnsureSuccessAsync(updated, "updating the client", ct);
        return new SsoRegistration(client.ClientId, secret, id, null, $"client {client.ClientId} already in Keycloak; enabled it with the recorded secret");
    }

    public async Task<string> DisableAsync(SiteSsoClient client, SsoRegistration registration, CancellationToken ct)
    {
        var token = await ServiceTokenAsync(ct);
        if (await FindAsync(client.ClientId, token, ct) is not { } id) return $"client {client.ClientId} is not in Keycloak; nothing to disable";
        using var response = await issuer.SendAsync(IssuerHttp.Json(HttpMethod.Put, $"{AdminBase}/clients/{id}", new JsonObject { ["enabled"] = false }, token),
            "disabling the client", ct);
        await IssuerHttp.EnsureSuccessAsync(response, "disabling the client", ct);
        return $"disabled client {client.ClientId} in Keycloak";
    }

    public async Task<string> RemoveAsync(SiteSsoClient client, SsoRegistration registration, CancellationToken ct)
    {
        var token = await ServiceTokenAsync(ct);
        if (await FindAsync(client.ClientId, token, ct) is not { } id) return $"client {client.ClientId} already gone from Keycloak";
        using var response = await issuer.SendAsync(IssuerHttp.Bare(HttpMethod.Delete, $"{AdminBase}/clients/{id}", token), "deleting the client", ct);
        if (response.StatusCode == HttpStatusCode.NotFound) return $"client {client.ClientId} already gone from Keycloak";
        await IssuerHttp.EnsureSuccessAsync(response, "deleting the client", ct);
        return $"deleted client {client.ClientId} from Keycloak";
    }

    /// <summary>GET /clients?clientId= matches the client id exactly (search=false is the default).</summary>
    private async Task<string?> FindAsync(string clientId, string token, CancellationToken ct)
    {
        using var response = await issuer.SendAsync(IssuerHttp.Bare(HttpMethod.Get, $"{AdminBase}/clients?clientId={Uri.EscapeDataString(clientId)}", token),
            "looking the client up", ct);
        await IssuerHttp.EnsureSuccessAsync(response, "looking the client up", ct);
        var list = JsonNode.Parse(await response.Content.ReadAsStringAsync(ct)) as JsonArray ?? [];
        return list.OfType<JsonObject>().FirstOrDefault(c => c["clientId"]?.GetValue<string>() == clientId)?["id"]?.GetValue<string>();
    }

    /// <summary>A service-account token by the client-credentials grant (RFC 6749 §4.4), the secret in the form body.</summary>
    private async Task<string> ServiceTokenAsync(CancellationToken ct)
    {
        var tokenEndpoint = (await issuer.EndpointsAsync(ct)).TokenEndpoint;
        var request = new HttpRequestMessage(HttpMethod.Post, tokenEndpoint)
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["grant_type"] = "client_credentials", ["client_id"] = serviceClientId, ["client_secret"] = serviceClientSecret,
            }),
        };
        using var response = await issuer.SendAsync(request, "the service-account token request", ct);
        var answer = await IssuerHttp.JsonAsync(response, "the service-account token request", ct);
        return answer["access_token"]?.GetValue<string>()
            ?? throw new StepFailedException(FailureKind.Permanent, "Keycloak's token answer has no access_token");
    }
}
