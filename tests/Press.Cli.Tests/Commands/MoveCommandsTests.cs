using System.Text.Json;
using Press.Testing;

namespace Press.Cli.Tests.Commands;

/// <summary>
/// The real <c>press site move</c> (SiteCommands.cs) without a Press server: usage errors exit 2 before any request;
/// the rest runs against a tiny HTTP server on 127.0.0.1:49790–49795 that answers like src/Press.Manager/Api/MovesApi.cs.
/// </summary>
public sealed class MoveCommandsTests : IDisposable
{
    private const string Token = "cli-move-test-token";
    private const string Site = "shop.example.com";
    private static readonly Guid JobId = Guid.Parse("0193a2b4-1111-7000-8000-00000000a0b1");

    private readonly string _home = Directory.CreateTempSubdirectory("press-cli-move-").FullName;
    private readonly PressCli _cli;

    public MoveCommandsTests() => _cli = new PressCli(_home);

    [Fact]
    public async Task Help_shows_site_move_with_its_required_database()
    {
        var site = await _cli.RunAsync("site", "--help");
        Assert.True(site.ExitCode == 0, _cli.Transcript);
        Assert.Contains("move <name>", site.Stdout);
        var move = await _cli.RunAsync("site", "move", "--help");
        Assert.Contains("--database <DATABASE> (REQUIRED)", move.Stdout);
        Assert.Contains("--wait", move.Stdout);
    }

    [Theory]
    [InlineData("Option '--database' is required", "site", "move", Site)]
    [InlineData("Required argument missing for command: 'move'", "site", "move", "--database", "press_sites_002")]
    public async Task Usage_errors_exit_2_before_any_request(string message, params string[] args)
    {
        var result = await _cli.RunAsync([.. args, "--url", $"http://127.0.0.1:{Ports.AlwaysClosed}", "--token", Token]);
        Assert.True(result.ExitCode == 2, _cli.Transcript);
        Assert.Contains(message, result.Stderr);
        Assert.DoesNotContain("Unhandled exception", result.Stderr);
    }

    [Fact]
    public async Task Site_move_queues_the_job_and_server_refusals_give_exit_1_with_the_reason()
    {
        const string already = """
            {"type":"https://tools.ietf.org/html/rfc9110#section-15.5.10","title":"Conflict","status":409,
             "detail":"The site is already in database press_sites: a move needs another database."}
            """;
        const string unknown = """
            {"type":"https://tools.ietf.org/html/rfc9110#section-15.5.1","title":"The request is invalid","status":400,
             "detail":"1 problem(s); each entry of 'errors' says how to fix it. Nothing was changed.",
             "errors":{"database":["'nope' is not a site database of this installation (one of: press_sites, press_sites_002); a site moves only into a database Press made."]}}
            """;
        await using var server = TinyHttpServer.Start(SiteUsageCommandsTests.FirstPort, SiteUsageCommandsTests.LastPort, async (request, response) =>
        {
            var database = request.Body.Length > 0 ? JsonDocument.Parse(request.Body).RootElement.GetProperty("database").GetString() : null;
            switch (request.Method, request.Path, database)
            {
                case ("POST", $"/api/sites/{Site}/move", "press_sites_002"): await response.JsonAsync(202, JobJson()); break;
                case ("POST", $"/api/sites/{Site}/move", "press_sites"): await response.JsonAsync(409, already, "application/problem+json"); break;
                case ("POST", $"/api/sites/{Site}/move", _): await response.JsonAsync(400, unknown, "application/problem+json"); break;
                default: await SiteUsageCommandsTests.NotFoundAsync(response, "No route."); break;
            }
        });
        string[] connection = ["--url", server.BaseUrl, "--token", Token];

        var moved = await _cli.RunAsync(["site", "move", Site, "--database", "press_sites_002", .. connection]);
        Assert.True(moved.ExitCode == 0, _cli.Transcript + server.Describe());
        Assert.Contains($"Moving {Site}: job {JobId} is Pending.", moved.Stdout);
        Assert.Contains($"press job watch {JobId}", moved.Stdout);
        Assert.Equal("""{"database":"press_sites_002"}""", JsonSerializer.Serialize(JsonDocument.Parse(server.Requests[0].Body).RootElement));
        Assert.StartsWith("application/json", server.Requests[0].Header("Content-Type"));
        Assert.Equal($"Bearer {Token}", server.Requests[0].Header("Authorization"));

        var same = await _cli.RunAsync(["site", "move", Site, "--database", "press_sites", .. connection]);
        Assert.True(same.ExitCode == 1, _cli.Transcript + server.Describe());
        Assert.Contains("error: Conflict (HTTP 409)", same.Stderr);
        Assert.Contains("already in database press_sites", same.Stderr);

        var bad = await _cli.RunAsync(["site", "move", Site, "--database", "nope", .. connection]);
        Assert.True(bad.ExitCode == 1, _cli.Transcript + server.Describe());
        Assert.Contains("database: 'nope' is not a site database of this installation", bad.Stderr);
        Assert.Equal(3, server.Requests.Count);
        Assert.Empty(server.Errors);
    }

    private static string JobJson() => JsonSerializer.Serialize(new
    {
        id = JobId, kind = "MoveSite", state = "Pending", site = Site, createdBy = "admin", createdAt = DateTimeOffset.Parse("2026-12-01T10:00:00+00:00"),
        startedAt = (DateTimeOffset?)null, finishedAt = (DateTimeOffset?)null, failedStep = (string?)null, error = (string?)null,
        steps = Array.Empty<object>(),
    }, new JsonSerializerOptions(JsonSerializerDefaults.Web));

    public void Dispose()
    {
        try { Directory.Delete(_home, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
