using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Press.Core.Jobs;
using Press.Core.Ports;
using Press.Core.Sso;
using Press.EndToEnd.Tests.Harness;
using Press.Infrastructure.Identity.SiteSso;

namespace Press.EndToEnd.Tests.Identity;

/// <summary>
/// The two ways Press makes a site's client: RFC 7591/7592 dynamic client registration against the real OIDC provider
/// (oidc-provider), and Keycloak's admin REST API against a recorded contract (Keycloak cannot run on these machines).
/// </summary>
public sealed class SiteSsoProvisionerTests
{
    private static readonly SiteSsoClient Client = new("fcs-press-site-dcr.example.test", "Press site dcr.example.test",
        ["https://dcr.example.test/api/method/frappe.integrations.oauth2_logins.custom/press"]);

    [Fact]
    public async Task DCR_registers_finds_its_client_again_deletes_it_and_registers_anew_at_the_real_provider()
    {
        var port = Ports.Reserve();
        try
        {
            await using var provider = new OidcProvider([], port, initialAccessToken: "iat-" + Guid.NewGuid().ToString("N"));
            await provider.StartAsync();
            using var http = new HttpClient();
            var dcr = new DcrProvisioner(new IssuerHttp(http, provider.Issuer), provider.InitialAccessToken!);

            var registered = await dcr.EnsureAsync(Client, "ignored: the issuer chooses", null, CancellationToken.None);
            Assert.Equal("registered a new client", registered.Detail);
            Assert.NotEqual("ignored: the issuer chooses", registered.Secret);
            Assert.Equal("invalid_grant", await ClientAuthAsync(provider, registered)); // the client and its secret are known

            var again = await dcr.EnsureAsync(Client, "x", registered, CancellationToken.None);
            Assert.Equal(registered.ClientId, again.ClientId);
            Assert.Equal($"client {registered.ClientId} already registered", again.Detail);

            Assert.Equal($"deleted client {registered.ClientId} at the issuer (DCR has no disabled client; undelete registers a new one)",
                await dcr.DisableAsync(Client, again, CancellationToken.None));
            Assert.Equal("invalid_client", await ClientAuthAsync(provider, registered));
            Assert.Equal($"client {registered.ClientId} already gone", await dcr.RemoveAsync(Client, again, CancellationToken.None));

            var fresh = await dcr.EnsureAsync(Client, "x", again, CancellationToken.None);
            Assert.NotEqual(registered.ClientId, fresh.ClientId);
            Assert.Equal("the earlier client is gone at the issuer; registered a new one", fresh.Detail);
            Assert.Equal("invalid_grant", await ClientAuthAsync(provider, fresh));

            var endpoints = await dcr.EndpointsAsync(CancellationToken.None);
            Assert.Equal(new IssuerEndpoints(provider.Issuer, $"{provider.Issuer}/auth", $"{provider.Issuer}/token", $"{provider.Issuer}/me"), endpoints);

            var wrongToken = new DcrProvisioner(new IssuerHttp(http, provider.Issuer), "not-the-initial-access-token");
            var refused = await Assert.ThrowsAsync<StepFailedException>(() => wrongToken.EnsureAsync(Client, "x", null, CancellationToken.None));
            Assert.Equal(FailureKind.Permanent, refused.Kind);
            Assert.StartsWith("the issuer refused the client registration: 401", refused.Message);
        }
        finally
        {
            Ports.Release(port);
        }
    }

    /// <summary>
    /// A token request with a made-up code: oidc-provider answers invalid_grant once the client authenticated (it exists
    /// with this secret), invalid_client otherwise.
    /// </summary>
    public static async Task<string> ClientAuthAsync(OidcProvider provider, SsoRegistration client) =>
        await ClientAuthAsync(provider, client.ClientId, client.Secret);

    public static async Task<string> ClientAuthAsync(OidcProvider provider, string clientId, string secret)
    {
        using var http = new HttpClient();
        using var response = await http.PostAsync($"{provider.Issuer}/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code", ["code"] = "made-up", ["redirect_uri"] = Client.RedirectUris[0],
            ["client_id"] = clientId, ["client_secret"] = secret,
        }));
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetString()!;
    }

    /// <summary>
    /// The exact requests of Keycloak admin provisioning, checked against Keycloak's documented admin REST API (v26:
    /// https://www.keycloak.org/docs-api/26.0.0/rest-api/index.html — "Clients": GET /admin/realms/{realm}/clients?clientId=,
    /// POST /admin/realms/{realm}/clients → 201 with Location, PUT and DELETE /admin/realms/{realm}/clients/{id} → 204;
    /// ClientRepresentation and ProtocolMapperRepresentation field names) and the client-credentials grant at the realm's
    /// token endpoint (https://www.keycloak.org/docs/latest/server_admin/#_service_accounts).
    /// </summary>
    [Fact]
    public async Task Keycloak_admin_provisioning_sends_exactly_the_documented_requests()
    {
        var port = Ports.Reserve();
        try
        {
            var realm = $"http://127.0.0.1:{port}/realms/press";
            var known = false;
            await using var keycloak = TinyHttpServer.Start(port, port, async (request, response) =>
            {
                switch (request.Method, request.Path)
                {
                    case ("GET", "/realms/press/.well-known/openid-configuration"):
                        await response.JsonAsync(200, new JsonObject
                        {
                            ["issuer"] = realm, ["authorization_endpoint"] = $"{realm}/protocol/openid-connect/auth",
                            ["token_endpoint"] = $"{realm}/protocol/openid-connect/token", ["userinfo_endpoint"] = $"{realm}/protocol/openid-connect/userinfo",
                        }.ToJsonString());
                        break;
                    case ("POST", "/realms/press/protocol/openid-connect/token"):
                        await response.JsonAsync(200, """{"access_token":"admin-token","token_type":"Bearer","expires_in":60}""");
                        break;
                    case ("GET", "/admin/realms/press/clients"):
                        await response.JsonAsync(200, known ? """[{"id":"7f9c0000-0000-4000-8000-000000000001","clientId":"fcs-press-site-dcr.example.test"}]""" : "[]");
                        break;
                    case ("POST", "/admin/realms/press/clients"):
                        known = true;
                        await RawAsync(response, "201 Created", $"Location: http://127.0.0.1:{port}/admin/realms/press/clients/7f9c0000-0000-4000-8000-000000000001\r\n");
                        break;
                    case ("PUT" or "DELETE", "/admin/realms/press/clients/7f9c0000-0000-4000-8000-000000000001"):
                        if (request.Method == "DELETE") known = false;
                        await RawAsync(response, "204 No Content", "");
                        break;
                    default:
                        await response.JsonAsync(404, """{"error":"unknown path"}""");
                        break;
                }
            });
            using var http = new HttpClient();
            var kc = new KeycloakAdminProvisioner(new IssuerHttp(http, realm), "press-manager", "press-manager-secret");

            var created = await kc.EnsureAsync(Client, "site-secret-0123456789", null, CancellationToken.None);
            var again = await kc.EnsureAsync(Client, "site-secret-0123456789", created, CancellationToken.None);
            var disabled = await kc.DisableAsync(Client, again, CancellationToken.None);
            var removed = await kc.RemoveAsync(Client, again, CancellationToken.None);

            Assert.Equal(new SsoRegistration(Client.ClientId, "site-secret-0123456789", "7f9c0000-0000-4000-8000-000000000001", null,
                "created client fcs-press-site-dcr.example.test in Keycloak"), created);
            Assert.Equal("client fcs-press-site-dcr.example.test already in Keycloak; enabled it with the recorded secret", again.Detail);
            Assert.Equal("disabled client fcs-press-site-dcr.example.test in Keycloak", disabled);
            Assert.Equal("deleted client fcs-press-site-dcr.example.test from Keycloak", removed);

            const string discovery = "GET /realms/press/.well-known/openid-configuration";
            const string token = "POST /realms/press/protocol/openid-connect/token";
            const string find = "GET /admin/realms/press/clients?clientId=fcs-press-site-dcr.example.test";
            const string one = "/admin/realms/press/clients/7f9c0000-0000-4000-8000-000000000001";
            var requests = keycloak.Requests;
            Assert.Equal([
                discovery, token, find, "POST /admin/realms/press/clients",
                discovery, token, find, $"PUT {one}",
                discovery, token, find, $"PUT {one}",
                discovery, token, find, $"DELETE {one}",
            ], requests.Select(r => $"{r.Method} {r.Target}"));

            foreach (var t in requests.Where(r => r.Path.EndsWith("/token", StringComparison.Ordinal)))
            {
                Assert.StartsWith("application/x-www-form-urlencoded", t.Header("Content-Type"));
                Assert.Equal("grant_type=client_credentials&client_id=press-manager&client_secret=press-manager-secret", t.Body);
                Assert.Null(t.Header("Authorization"));
            }
            foreach (var admin in requests.Where(r => r.Path.StartsWith("/admin/", StringComparison.Ordinal)))
                Assert.Equal("Bearer admin-token", admin.Header("Authorization"));

            var expected = JsonNode.Parse("""
                {"clientId":"fcs-press-site-dcr.example.test","name":"Press site dcr.example.test","enabled":true,"protocol":"openid-connect",
                 "publicClient":false,"clientAuthenticatorType":"client-secret","secret":"site-secret-0123456789",
                 "standardFlowEnabled":true,"implicitFlowEnabled":false,"directAccessGrantsEnabled":false,"serviceAccountsEnabled":false,
                 "redirectUris":["https://dcr.example.test/api/method/frappe.integrations.oauth2_logins.custom/press"],
                 "defaultClientScopes":["profile","email"],
                 "protocolMappers":[{"name":"email verified","protocol":"openid-connect","protocolMapper":"oidc-usermodel-property-mapper",
                   "config":{"user.attribute":"emailVerified","claim.name":"email_verified","jsonType.label":"boolean",
                     "id.token.claim":"true","access.token.claim":"true","userinfo.token.claim":"true"}}]}
                """);
            var writes = requests.Where(r => r.Method is "POST" or "PUT" && r.Path.StartsWith("/admin/", StringComparison.Ordinal)).ToList();
            foreach (var write in writes.Take(2))
            {
                Assert.StartsWith("application/json", write.Header("Content-Type"));
                Assert.True(JsonNode.DeepEquals(expected, JsonNode.Parse(write.Body)), write.Body);
            }
            Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"enabled":false}"""), JsonNode.Parse(writes[2].Body)), writes[2].Body);
            Assert.Equal("", requests[^1].Body);
            Assert.Empty(keycloak.Errors);
        }
        finally
        {
            Ports.Release(port);
        }
    }

    private static async Task RawAsync(TinyHttpServer.Response response, string status, string headers)
    {
        await response.Stream.WriteAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 {status}\r\n{headers}Content-Length: 0\r\nConnection: close\r\n\r\n"));
        await response.Stream.FlushAsync();
    }
}
