using System.Net;
using System.Text.Json.Nodes;
using Press.Core.Jobs;
using Press.Core.Ports;
using Press.Core.Sso;

namespace Press.Infrastructure.Identity.SiteSso;

/// <summary>
/// Standard Dynamic Client Registration: RFC 7591 to register (with the issuer's initial access token) and RFC 7592 to
/// read and delete (with the registration access token the issuer returned, kept sealed). The issuer chooses the
/// client id and secret. DCR knows no "disabled" client, so disabling deletes it and enabling registers a new one,
/// which the next step writes into the site's Social Login Key. DCR has no look-up by name either: a worker killed
/// between the registration and recording its answer leaves an unused client at the issuer (the retry registers another).
/// </summary>
public sealed class DcrProvisioner(IssuerHttp issuer, string initialAccessToken) : ISsoProvisioner
{
    public string Mode => "dcr";
    public string? NotConfiguredReason => null;

    public Task<IssuerEndpoints> EndpointsAsync(CancellationToken ct) => issuer.EndpointsAsync(ct);

    /// <summary>The client metadata of RFC 7591 §2: Frappe's callback, the code flow, and the secret in the token request's
    /// body — rauth, which Frappe's social login uses, posts client_id and client_secret as form fields.</summary>
    public static JsonObject Metadata(SiteSsoClient client) => new()
    {
        ["client_name"] = client.DisplayName,
        ["application_type"] = "web",
        ["redirect_uris"] = new JsonArray([.. client.RedirectUris.Select(u => (JsonNode)u)]),
        ["grant_types"] = new JsonArray("authorization_code"),
        ["response_types"] = new JsonArray("code"),
        ["token_endpoint_auth_method"] = "client_secret_post",
    };

    public async Task<SsoRegistration> EnsureAsync(SiteSsoClient client, string secret, SsoRegistration? existing, CancellationToken ct)
    {
        if (existing is { IssuerRef: { } uri, RegistrationToken: { } token })
        {
            using var read = await issuer.SendAsync(IssuerHttp.Bare(HttpMethod.Get, uri, token), "reading the client's registration", ct);
            if (read.IsSuccessStatusCode)
            {
                var current = await IssuerHttp.JsonAsync(read, "reading the client's registration", ct);
                return existing with
                {
                    RegistrationToken = current["registration_access_token"]?.GetValue<string>() ?? token,
                    Detail = $"client {existing.ClientId} already registered",
                };
            }
            // RFC 7592 §2.1: an unknown client (deleted, or never stored by the issuer) answers 401 (or 404 here and there).
            if (read.StatusCode is not (HttpStatusCode.Unauthorized or HttpStatusCode.NotFound or HttpStatusCode.Forbidden))
                await IssuerHttp.EnsureSuccessAsync(read, "reading the client's registration", ct);
        }
        var endpoint = (await issuer.DiscoveryAsync(ct))["registration_endpoint"]?.GetValue<string>()
            ?? throw new StepFailedException(FailureKind.Permanent, "the issuer's discovery document names no registration_endpoint: it does not offer dynamic client registration");
        using var response = await issuer.SendAsync(IssuerHttp.Json(HttpMethod.Post, endpoint, Metadata(client), initialAccessToken), "the client registration", ct);
        var answer = await IssuerHttp.JsonAsync(response, "the client registration", ct);
        string Get(string key) => answer[key]?.GetValue<string>()
            ?? throw new StepFailedException(FailureKind.Permanent, $"the issuer's registration answer has no {key}");
        return new SsoRegistration(Get("client_id"), Get("client_secret"), Get("registration_client_uri"), Get("registration_access_token"),
            existing is null ? "registered a new client" : "the earlier client is gone at the issuer; registered a new one");
    }

    public async Task<string> DisableAsync(SiteSsoClient client, SsoRegistration registration, CancellationToken ct) =>
        await DeleteAsync(registration, ct) + " (DCR has no disabled client; undelete registers a new one)";

    public Task<string> RemoveAsync(SiteSsoClient client, SsoRegistration registration, CancellationToken ct) => DeleteAsync(registration, ct);

    private async Task<string> DeleteAsync(SsoRegistration registration, CancellationToken ct)
    {
        if (registration is not { IssuerRef: { } uri, RegistrationToken: { } token })
            return $"client {registration.ClientId} was never registered; nothing to delete";
        using var response = await issuer.SendAsync(IssuerHttp.Bare(HttpMethod.Delete, uri, token), "the client deletion", ct);
        if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.NotFound) return $"client {registration.ClientId} already gone";
        await IssuerHttp.EnsureSuccessAsync(response, "the client deletion", ct);
        return $"deleted client {registration.ClientId} at the issuer";
    }
}
