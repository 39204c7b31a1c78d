using System.Net;
using System.Text;
using Press.Manager.Tests.Harness;

namespace Press.Manager.Tests;

/// <summary>Bodies are read with a hard cap whether or not Content-Length is sent; duplicate JSON keys are refused.</summary>
public sealed class RequestLimitsTests(PressApp app) : IClassFixture<PressApp>
{
    /// <summary>A JSON object of about <paramref name="bytes"/> bytes, as a stream without a known length.</summary>
    private static Stream Body(int bytes, string name = "big.example.com") =>
        new UnseekableStream(Encoding.UTF8.GetBytes($$"""{"name": "{{name}}", "apps": [], "pad": "{{new string('a', bytes)}}"}"""));

    private Dictionary<string, string> AdminToken() =>
        new() { ["Authorization"] = "Bearer " + app.Admin.DefaultRequestHeaders.Authorization!.Parameter };

    /// <summary>Sent into the server without Content-Length, as Kestrel hands over a chunked body (the end-to-end test
    /// sends a real chunked request to the manager).</summary>
    [Fact]
    public async Task An_oversize_chunked_body_gets_413_and_changes_nothing()
    {
        var before = await app.Db.CountAsync("SELECT count(*) FROM sites", app.Db.MetadataDatabase);
        var body = (UnseekableStream)Body(200 * 1024);

        var context = await app.Server.SendAsync("POST", "/api/sites", IPAddress.Loopback, AdminToken(), body: body);

        Assert.Equal(413, context.Response.StatusCode);
        Assert.Equal("application/problem+json", context.Response.ContentType);
        Assert.Contains("65536", await context.BodyAsync());
        Assert.True(body.Position <= 65536 + 16 * 1024, $"read {body.Position} bytes of an oversize body");
        Assert.Equal(before, await app.Db.CountAsync("SELECT count(*) FROM sites", app.Db.MetadataDatabase));
    }

    [Fact]
    public async Task An_oversize_body_with_content_length_gets_413_too()
    {
        using var content = new StringContent($$"""{"name": "{{new string('a', 70 * 1024)}}"}""", Encoding.UTF8, "application/json");
        var response = await app.Admin.PostAsync("/api/sites", content);

        await response.Json(HttpStatusCode.RequestEntityTooLarge);
    }

    [Fact]
    public async Task A_small_chunked_body_is_read_as_usual()
    {
        var context = await app.Server.SendAsync("POST", "/api/sites", IPAddress.Loopback, AdminToken(), body: Body(10, "Small.example.com"));

        // Read and validated as a whole: the uppercase name and the unknown field are both reported.
        Assert.Equal(400, context.Response.StatusCode);
        var problem = System.Text.Json.JsonDocument.Parse(await context.BodyAsync()).RootElement;
        Assert.Equal(["name", "pad"], problem.GetProperty("errors").EnumerateObject().Select(e => e.Name).Order());
    }

    [Fact]
    public async Task Duplicate_keys_are_refused_listing_every_one()
    {
        using var content = new StringContent("""{"name": "a.example.com", "apps": [], "name": "b.example.com", "apps": [], "x": {"y": 1, "y": 2}}""",
            Encoding.UTF8, "application/json");
        var response = await app.Admin.PostAsync("/api/sites", content);

        var problem = await response.Json(HttpStatusCode.BadRequest);
        var errors = problem.GetProperty("errors");
        Assert.Contains("more than once", errors.GetProperty("name")[0].GetString());
        Assert.Contains("more than once", errors.GetProperty("apps")[0].GetString());
        Assert.Contains("more than once", errors.GetProperty("x.y")[0].GetString());
        Assert.Equal(0, await app.Db.CountAsync("SELECT count(*) FROM sites WHERE name IN ('a.example.com', 'b.example.com')", app.Db.MetadataDatabase));
    }

    /// <summary>Hides the length so HttpClient sends the body chunked, as a client that streams would.</summary>
    private sealed class UnseekableStream(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;
        public override long Length => throw new NotSupportedException();
    }
}
