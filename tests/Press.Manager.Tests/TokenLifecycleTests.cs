using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Press.Manager.Tests.Harness;

namespace Press.Manager.Tests;

/// <summary>Tokens are listed, revoked at once (with every token they minted), capped in life and never stronger than their parent.</summary>
public sealed class TokenLifecycleTests(PressApp app) : IClassFixture<PressApp>
{
    private HttpClient Bearer(string token)
    {
        var client = app.NewClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    private static async Task<(JsonElement Dto, string Token)> MintAsync(HttpClient by, object body)
    {
        var dto = await (await by.PostAsJsonAsync("/api/tokens", body)).Json(HttpStatusCode.Created);
        return (dto, dto.GetProperty("token").GetString()!);
    }

    private static Guid Id(JsonElement dto) => dto.GetProperty("id").GetGuid();

    [Fact]
    public async Task A_revoked_token_is_refused_on_the_very_next_request()
    {
        var (dto, token) = await MintAsync(app.Admin, new { name = "revoke-me", role = "operator", expiresInDays = 7 });
        var client = Bearer(token);
        await (await client.GetAsync("/api/sites")).Json(HttpStatusCode.OK);

        var revoked = await (await app.Admin.DeleteAsync($"/api/tokens/{Id(dto)}")).Json(HttpStatusCode.OK);
        Assert.Equal(1, revoked.GetProperty("revoked").GetInt32());

        var refused = await client.GetAsync("/api/sites");
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        var listed = (await app.Admin.GetJsonAsync("/api/tokens")).GetProperty("items").EnumerateArray().Single(t => Id(t) == Id(dto));
        Assert.Equal(JsonValueKind.String, listed.GetProperty("revokedAt").ValueKind);
    }

    [Fact]
    public async Task A_child_token_dies_with_its_parent_and_grandchildren_too()
    {
        var (parentDto, parent) = await MintAsync(app.Admin, new { name = "parent", role = "operator", expiresInDays = 7 });
        var (childDto, child) = await MintAsync(Bearer(parent), new { name = "child", role = "viewer" });
        var (_, grandchild) = await MintAsync(Bearer(child), new { name = "grandchild" });
        Assert.Equal(Id(parentDto), childDto.GetProperty("parentId").GetGuid());
        await (await Bearer(grandchild).GetAsync("/api/sites")).Json(HttpStatusCode.OK);

        var revoked = await (await app.Admin.DeleteAsync($"/api/tokens/{Id(parentDto)}")).Json(HttpStatusCode.OK);

        Assert.Equal(3, revoked.GetProperty("revoked").GetInt32());
        Assert.Equal(HttpStatusCode.Unauthorized, (await Bearer(child).GetAsync("/api/sites")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await Bearer(grandchild).GetAsync("/api/sites")).StatusCode);
        var audit = await app.Admin.GetJsonAsync($"/api/audit?limit=1000");
        Assert.Contains(audit.GetProperty("items").EnumerateArray(), e => e.GetProperty("target").GetString() == Id(parentDto).ToString());
    }

    [Fact]
    public async Task A_viewer_token_cannot_mint_a_higher_or_longer_lived_token()
    {
        var (viewerDto, viewer) = await MintAsync(app.Admin, new { name = "day-viewer", role = "viewer", expiresInDays = 1 });
        var client = Bearer(viewer);

        var higher = await (await client.PostAsJsonAsync("/api/tokens", new { name = "up", role = "operator" })).Json(HttpStatusCode.BadRequest);
        Assert.Contains("viewer", higher.GetProperty("errors").GetProperty("role")[0].GetString());
        var longer = await (await client.PostAsJsonAsync("/api/tokens", new { name = "long", expiresInDays = 2 })).Json(HttpStatusCode.BadRequest);
        Assert.Contains("outlive", longer.GetProperty("errors").GetProperty("expiresInDays")[0].GetString());

        // Without an expiry the child gets the parent's: never a token without one.
        var (child, _) = await MintAsync(client, new { name = "same-life" });
        Assert.Equal(viewerDto.GetProperty("expiresAt").GetDateTimeOffset(), child.GetProperty("expiresAt").GetDateTimeOffset());
        Assert.Equal("viewer", child.GetProperty("role").GetString());
    }

    [Fact]
    public async Task A_token_cannot_live_longer_than_the_configured_cap()
    {
        var tooLong = await (await app.Admin.PostAsJsonAsync("/api/tokens", new { name = "forever", expiresInDays = 3650 })).Json(HttpStatusCode.BadRequest);
        Assert.Contains("tokens.maxLifetimeDays", tooLong.GetProperty("errors").GetProperty("expiresInDays")[0].GetString());

        // The cap is a setting; a token minted without an expiry gets the cap. Basic (the bootstrap admin) too.
        await (await app.Admin.PutAsJsonAsync("/api/settings/tokens.maxLifetimeDays", new { value = "10" })).Json(HttpStatusCode.OK);
        try
        {
            await (await app.Admin.PostAsJsonAsync("/api/tokens", new { name = "eleven", expiresInDays = 11 })).Json(HttpStatusCode.BadRequest);
            using var basic = new HttpRequestMessage(HttpMethod.Post, "/api/tokens") { Content = JsonContent.Create(new { name = "capped" }) };
            basic.Headers.Authorization = app.AdminBasic();
            var capped = await (await app.Anonymous.SendAsync(basic)).Json(HttpStatusCode.Created);
            Assert.InRange(app.Time.GetUtcNow().AddDays(10) - capped.GetProperty("expiresAt").GetDateTimeOffset(), TimeSpan.Zero, TimeSpan.FromTicks(9));
        }
        finally
        {
            await (await app.Admin.PutAsJsonAsync("/api/settings/tokens.maxLifetimeDays", new { value = "90" })).Json(HttpStatusCode.OK);
        }
    }

    [Fact]
    public async Task The_list_shows_last_use_and_never_the_secret()
    {
        var (dto, token) = await MintAsync(app.Admin, new { name = "used", role = "viewer", expiresInDays = 3 });
        var (unusedDto, _) = await MintAsync(app.Admin, new { name = "unused", role = "viewer", expiresInDays = 3 });
        await (await Bearer(token).GetAsync("/api/sites")).Json(HttpStatusCode.OK);

        var response = await app.Admin.GetAsync("/api/tokens");
        var text = await response.Content.ReadAsStringAsync();
        var items = (await response.Json(HttpStatusCode.OK)).GetProperty("items").EnumerateArray().ToList();
        var used = items.Single(t => Id(t) == Id(dto));
        Assert.InRange(app.Time.GetUtcNow() - used.GetProperty("lastUsedAt").GetDateTimeOffset(), TimeSpan.Zero, TimeSpan.FromTicks(9)); // µs in PostgreSQL
        Assert.Equal(JsonValueKind.Null, items.Single(t => Id(t) == Id(unusedDto)).GetProperty("lastUsedAt").ValueKind);
        Assert.StartsWith("press_", used.GetProperty("hint").GetString());
        Assert.DoesNotContain(token, text);
        Assert.DoesNotContain("\"token\"", text);
    }

    [Fact]
    public async Task A_non_admin_token_sees_and_revokes_only_itself_and_what_it_minted()
    {
        var (operatorDto, op) = await MintAsync(app.Admin, new { name = "scoped-op", role = "operator", expiresInDays = 3 });
        var (childDto, _) = await MintAsync(Bearer(op), new { name = "scoped-child", role = "viewer" });
        var (otherDto, _) = await MintAsync(app.Admin, new { name = "someone-else", role = "viewer", expiresInDays = 3 });

        var seen = (await Bearer(op).GetJsonAsync("/api/tokens")).GetProperty("items").EnumerateArray().Select(Id).Order().ToList();
        Assert.Equal(new[] { Id(operatorDto), Id(childDto) }.Order(), seen);

        // Another token (here an admin's) is "not found" to it, not "forbidden": its existence is not revealed.
        await (await Bearer(op).DeleteAsync($"/api/tokens/{Id(otherDto)}")).Json(HttpStatusCode.NotFound);
        await (await app.Admin.GetAsync("/api/sites")).Json(HttpStatusCode.OK);
        var revoked = await (await Bearer(op).DeleteAsync($"/api/tokens/{Id(childDto)}")).Json(HttpStatusCode.OK);
        Assert.Equal(1, revoked.GetProperty("revoked").GetInt32());
        await (await Bearer(op).GetAsync("/api/sites")).Json(HttpStatusCode.OK);
    }
}
