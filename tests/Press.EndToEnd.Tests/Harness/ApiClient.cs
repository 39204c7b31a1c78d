using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace Press.EndToEnd.Tests.Harness;

/// <summary>Plain calls to the manager's API with one Bearer token: status and body, nothing asserted.</summary>
public sealed class ApiClient : IDisposable
{
    private readonly HttpClient _http;

    public ApiClient(Uri baseUrl, string token)
    {
        _http = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = baseUrl, Timeout = TimeSpan.FromSeconds(30) };
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
    }

    public sealed record Response(HttpStatusCode Status, string Body)
    {
        public JsonElement Json => JsonDocument.Parse(Body).RootElement.Clone();
        public T As<T>() => JsonSerializer.Deserialize<T>(Body, PressApi.Json)!;
        public override string ToString() => $"{(int)Status} {Body}";
    }

    public async Task<Response> SendAsync(HttpMethod method, string path, object? body = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
        using var response = await _http.SendAsync(request);
        return new Response(response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    public Task<Response> GetAsync(string path) => SendAsync(HttpMethod.Get, path);

    public Task<Response> PostAsync(string path, object? body = null) => SendAsync(HttpMethod.Post, path, body);

    /// <summary>Mints a token of <paramref name="role"/> with this client's token (<c>POST /api/tokens</c>).</summary>
    public async Task<string> MintTokenAsync(string role)
    {
        var response = await PostAsync("/api/tokens", new { name = "e2e-" + role, role });
        Assert.True(response.Status == HttpStatusCode.Created, $"POST /api/tokens (role {role}): {response}");
        return response.Json.GetProperty("token").GetString()!;
    }

    public void Dispose() => _http.Dispose();
}
