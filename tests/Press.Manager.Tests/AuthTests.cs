using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Press.Manager.Tests.Harness;

namespace Press.Manager.Tests;

public sealed class AuthTests(PressApp app) : IClassFixture<PressApp>
{
    /// <summary>Every /api endpoint the manager maps, with placeholders filled, so a new endpoint cannot escape the check.</summary>
    private List<(string Method, string Path)> ApiEndpoints() =>
        app.ManagerServices.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.StartsWith("/api", StringComparison.Ordinal) == true)
            .SelectMany(e => (e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.HttpMethodMetadata>()?.HttpMethods ?? ["GET"])
                .Select(m => (m, e.RoutePattern.RawText!
                    .Replace("{name}", "x.example.com").Replace("{id:guid}", Guid.NewGuid().ToString()).Replace("{key}", "k"))))
            .ToList();

    [Fact]
    public async Task Every_api_endpoint_refuses_requests_without_a_valid_token()
    {
        var endpoints = ApiEndpoints();
        Assert.True(endpoints.Count >= 15, $"only {endpoints.Count} endpoints found");
        foreach (var (method, path) in endpoints)
        {
            using var anonymous = new HttpRequestMessage(new HttpMethod(method), path);
            var response = await app.Anonymous.SendAsync(anonymous);
            Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{method} {path} without a token gave {(int)response.StatusCode}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);

            using var forged = new HttpRequestMessage(new HttpMethod(method), path);
            forged.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "press_notarealtokennotarealtokennotarealtoken00");
            Assert.Equal(HttpStatusCode.Unauthorized, (await app.Anonymous.SendAsync(forged)).StatusCode);
        }
    }

    [Fact]
    public async Task Basic_credentials_only_mint_tokens()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/sites");
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"admin:{app.Db.AdminPassword}")));
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.Anonymous.SendAsync(request)).StatusCode);

        using var wrong = new HttpRequestMessage(HttpMethod.Post, "/api/tokens") { Content = JsonContent.Create(new { name = "x" }) };
        wrong.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String("admin:wrong-password"u8.ToArray()));
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.Anonymous.SendAsync(wrong)).StatusCode);
    }

    [Fact]
    public async Task Roles_limit_what_a_token_may_do()
    {
        var viewer = await app.ClientWithTokenAsync("viewer");
        var @operator = await app.ClientWithTokenAsync("operator");

        await (await viewer.GetAsync("/api/sites")).Json(HttpStatusCode.OK);
        var forbidden = await (await viewer.PostAsJsonAsync("/api/sites", new { name = "v.example.com" })).Json(HttpStatusCode.Forbidden);
        Assert.Contains("viewer", forbidden.GetProperty("detail").GetString());
        await (await viewer.PostAsJsonAsync("/api/tokens", new { name = "up", role = "admin" })).Json(HttpStatusCode.BadRequest);

        await @operator.RunAsync(@operator.CreateSiteAsync("op.example.com"));
        await @operator.RunAsync((await @operator.DeleteAsync("/api/sites/op.example.com")).Json(HttpStatusCode.Accepted));
        await (await @operator.PostAsync("/api/sites/op.example.com/purge", null)).Json(HttpStatusCode.Forbidden);
        await (await @operator.PutAsJsonAsync("/api/settings/sites.softDeleteRetentionDays", new { value = "5" })).Json(HttpStatusCode.Forbidden);

        var audit = await app.Admin.GetJsonAsync("/api/audit?site=op.example.com");
        Assert.Equal(["site.delete", "site.create"], audit.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("action").GetString()));
        // The actor names the person and the token (docs/architecture.md §7).
        var tokenId = (await @operator.GetJsonAsync("/api/tokens")).GetProperty("items")[0].GetProperty("id").GetString();
        Assert.All(audit.GetProperty("items").EnumerateArray(), e => Assert.Equal($"admin/token:{tokenId}", e.GetProperty("actor").GetString()));
    }

    [Fact]
    public async Task Tokens_are_shown_once_and_stored_hashed()
    {
        var minted = await (await app.Admin.PostAsJsonAsync("/api/tokens", new { name = "ci", expiresInDays = 7 })).Json(HttpStatusCode.Created);
        var token = minted.GetProperty("token").GetString()!;
        Assert.StartsWith("press_", token);
        Assert.Equal("admin", minted.GetProperty("role").GetString());
        var stored = await app.Db.CountAsync($"SELECT count(*) FROM api_tokens WHERE prefix = '{token[..12]}…' AND token_hash = sha256(convert_to('{token}', 'UTF8'))", app.Db.MetadataDatabase);
        Assert.Equal(1, stored);
        var plaintext = await app.Db.CountAsync($"SELECT count(*) FROM api_tokens t WHERE t::text LIKE '%{token}%'", app.Db.MetadataDatabase);
        Assert.Equal(0, plaintext);
    }
}
