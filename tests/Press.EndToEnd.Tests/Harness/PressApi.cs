using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Press.EndToEnd.Tests.Harness;

/// <summary>The manager's REST API with a Bearer token minted through <c>POST /api/tokens</c> (HTTP Basic admin).</summary>
public sealed class PressApi : IDisposable
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly HttpClient _http;

    public string Token { get; }
    public Uri BaseUrl { get; }

    private PressApi(Uri baseUrl, string token)
    {
        BaseUrl = baseUrl;
        Token = token;
        _http = new HttpClient { BaseAddress = baseUrl, Timeout = TimeSpan.FromSeconds(30) };
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
    }

    public static async Task<PressApi> LoginAsync(Uri baseUrl, string adminPassword)
    {
        using var http = new HttpClient { BaseAddress = baseUrl, Timeout = TimeSpan.FromSeconds(30) };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/tokens")
        {
            Content = JsonContent.Create(new { name = "e2e" }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"admin:{adminPassword}")));
        using var response = await http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"POST /api/tokens: {(int)response.StatusCode} {body}");
        var token = JsonDocument.Parse(body).RootElement.GetProperty("token").GetString();
        Assert.False(string.IsNullOrEmpty(token), "POST /api/tokens returned no token: " + body);
        return new PressApi(baseUrl, token!);
    }

    public Task<JobView> CreateSiteAsync(string name) =>
        SendForJob(HttpMethod.Post, "/api/sites", JsonContent.Create(new { name }));

    public Task<JobView> DeleteSiteAsync(string name) => SendForJob(HttpMethod.Delete, $"/api/sites/{name}", null);

    public Task<JobView> GetJobAsync(Guid id) => Get<JobView>($"/api/jobs/{id}");

    public Task<SiteView> GetSiteAsync(string name) => Get<SiteView>($"/api/sites/{name}");

    public async Task<List<JobView>> ListJobsAsync(string site) =>
        (await Get<ListView<JobView>>($"/api/jobs?site={Uri.EscapeDataString(site)}&limit=500")).Items;

    /// <summary>Polls <c>GET /api/jobs/{id}</c> until the job is terminal (or <paramref name="until"/> holds).</summary>
    public Task<JobView> WaitForJobAsync(Guid id, TimeSpan timeout, Func<string> diagnostics, Func<JobView, bool>? until = null,
        TimeSpan? every = null) =>
        Eventually.Until(() => GetJobAsync(id), until ?? (j => j.IsTerminal), timeout,
            until is null ? $"job {id} to end" : $"job {id} to reach the expected state", diagnostics, every);

    private async Task<JobView> SendForJob(HttpMethod method, string path, HttpContent? content)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        using var response = await _http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"{method} {path}: expected 202, got {(int)response.StatusCode} {body}");
        return JsonSerializer.Deserialize<JobView>(body, Json)!;
    }

    private async Task<T> Get<T>(string path)
    {
        using var response = await _http.GetAsync(path);
        var body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
            throw new HttpRequestException($"GET {path}: {(int)response.StatusCode} {body}", null, response.StatusCode);
        return JsonSerializer.Deserialize<T>(body, Json)!;
    }

    public void Dispose() => _http.Dispose();
}
