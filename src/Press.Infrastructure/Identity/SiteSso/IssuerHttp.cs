using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Press.Core.Jobs;
using Press.Core.Ports;

namespace Press.Infrastructure.Identity.SiteSso;

/// <summary>
/// The HTTP calls both provisioners make to the issuer, with the issuer's failures translated at this boundary: a
/// 5xx or an unreachable issuer is Transient (the job retries), a 4xx Permanent naming the call. No token or secret
/// ever appears in a message.
/// </summary>
public sealed class IssuerHttp(HttpClient http, string authority)
{
    public string Authority { get; } = authority.TrimEnd('/');

    public async Task<IssuerEndpoints> EndpointsAsync(CancellationToken ct)
    {
        var doc = await DiscoveryAsync(ct);
        string Get(string key) => doc[key]?.GetValue<string>()
            ?? throw new StepFailedException(FailureKind.Permanent, $"the issuer's discovery document has no {key}");
        return new IssuerEndpoints(Get("issuer"), Get("authorization_endpoint"), Get("token_endpoint"), Get("userinfo_endpoint"));
    }

    public async Task<JsonObject> DiscoveryAsync(CancellationToken ct)
    {
        using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Get, $"{Authority}/.well-known/openid-configuration"), "discovery", ct);
        return await JsonAsync(response, "discovery", ct);
    }

    /// <summary>Sends; only transport failures throw here (Transient). The caller decides what a status means.</summary>
    public async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, string what, CancellationToken ct)
    {
        using (request)
        {
            try { return await http.SendAsync(request, ct); }
            catch (Exception ex) when (ex is HttpRequestException || (ex is TaskCanceledException && !ct.IsCancellationRequested))
            {
                throw new StepFailedException(FailureKind.Transient, $"the issuer did not answer {what} ({request.Method} {request.RequestUri}): {ex.Message}");
            }
        }
    }

    public static HttpRequestMessage Json(HttpMethod method, string url, JsonNode body, string? bearer)
    {
        var request = new HttpRequestMessage(method, url) { Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json") };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        if (bearer is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        return request;
    }

    public static HttpRequestMessage Bare(HttpMethod method, string url, string bearer)
    {
        var request = new HttpRequestMessage(method, url);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        return request;
    }

    /// <summary>Throws for any status but a 2xx: 5xx and 429 Transient, others Permanent, with the issuer's error text.</summary>
    public static async Task EnsureSuccessAsync(HttpResponseMessage response, string what, CancellationToken ct)
    {
        if (response.IsSuccessStatusCode) return;
        var body = await response.Content.ReadAsStringAsync(ct);
        var kind = (int)response.StatusCode >= 500 || response.StatusCode == HttpStatusCode.TooManyRequests ? FailureKind.Transient : FailureKind.Permanent;
        throw new StepFailedException(kind, $"the issuer refused {what}: {(int)response.StatusCode} {Trim(body)}");
    }

    public static async Task<JsonObject> JsonAsync(HttpResponseMessage response, string what, CancellationToken ct)
    {
        await EnsureSuccessAsync(response, what, ct);
        try
        {
            return JsonNode.Parse(await response.Content.ReadAsStringAsync(ct)) as JsonObject
                ?? throw new StepFailedException(FailureKind.Permanent, $"the issuer's answer to {what} is not a JSON object");
        }
        catch (JsonException ex)
        {
            throw new StepFailedException(FailureKind.Permanent, $"the issuer's answer to {what} is not JSON: {ex.Message}");
        }
    }

    private static string Trim(string body) => body.Length > 300 ? body[..300] + "…" : body;
}
