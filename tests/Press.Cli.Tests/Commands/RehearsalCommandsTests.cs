using System.Text.Json;
using Press.Testing;

namespace Press.Cli.Tests.Commands;

/// <summary>
/// <c>press site rehearse</c> and <c>press site rehearsals</c> (RehearsalCommands.cs) against a tiny HTTP server on
/// 127.0.0.1:49790–49795 that answers like src/Press.Manager/Api/RehearsalsApi.cs (its DTOs, nulls written out).
/// </summary>
public sealed class RehearsalCommandsTests : IDisposable
{
    private const int FirstPort = SiteUsageCommandsTests.FirstPort;
    private const int LastPort = SiteUsageCommandsTests.LastPort;
    private const string Token = "cli-rehearsal-test-token";
    private const string Site = "shop.example.com";
    private const string Image = "ghcr.io/acme/erpnext:v16.1.0";
    private const string Scratch = "rehearsal-abcdefghijklmnop.invalid";
    private static readonly Guid JobId = Guid.Parse("0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b");
    private static readonly Guid BackupId = Guid.Parse("0193a0a0-0000-7000-8000-000000000001");

    private readonly string _home = Directory.CreateTempSubdirectory("press-cli-rehearsal-").FullName;
    private readonly PressCli _cli;

    public RehearsalCommandsTests() => _cli = new PressCli(_home);

    [Fact]
    public async Task Rehearse_needs_a_site_and_an_image_before_any_request()
    {
        var help = await _cli.RunAsync("site", "rehearse", "--help");
        Assert.True(help.ExitCode == 0, _cli.Transcript);
        Assert.Contains("--image <IMAGE> (REQUIRED)", help.Stdout);
        Assert.Contains("never touched", help.Stdout);

        var noImage = await _cli.RunAsync("site", "rehearse", Site, "--url", "http://127.0.0.1:1", "--token", Token);
        Assert.True(noImage.ExitCode == 2, _cli.Transcript);
        Assert.Contains("--image", noImage.Stderr);
    }

    [Fact]
    public async Task Rehearse_with_wait_follows_the_job_then_prints_the_outcome_the_migrate_duration_and_its_output()
    {
        var outcome = "Passed";
        await using var server = TinyHttpServer.Start(FirstPort, LastPort, async (request, response) =>
        {
            switch (request.Method, request.Path)
            {
                case ("POST", $"/api/sites/{Site}/rehearsals"): await response.JsonAsync(202, JobJson("Queued")); break;
                case ("GET", var p) when p == $"/api/jobs/{JobId}": await response.JsonAsync(200, JobJson(outcome == "Passed" ? "Succeeded" : "Failed")); break;
                case ("GET", var p) when p == $"/api/rehearsals/{JobId}": await response.JsonAsync(200, RehearsalJson(outcome)); break;
                case ("GET", $"/api/sites/{Site}/rehearsals"): await response.JsonAsync(200, $"[{RehearsalJson("Failed")},{RehearsalJson("Passed")}]"); break;
                default: await SiteUsageCommandsTests.NotFoundAsync(response, "No route."); break; // no event stream: --wait polls the job
            }
        });
        string[] connection = ["--url", server.BaseUrl, "--token", Token];

        var passed = await _cli.RunAsync(["site", "rehearse", Site, "--image", Image, "--wait", .. connection]);
        Assert.True(passed.ExitCode == 0, _cli.Transcript + server.Describe());
        Assert.Contains($"✓ rehearsal of {Site} on {Image}: Passed", passed.Stdout);
        Assert.Contains("migrate: succeeded in 12.3 s", passed.Stdout);
        Assert.Contains($"scratch site {Scratch} (dropped); the live site was not touched", passed.Stdout);
        Assert.Contains("Executing frappe.patches.v16_1.add_note_priority", passed.Stdout);

        outcome = "Failed";
        var failed = await _cli.RunAsync(["site", "rehearse", Site, "--image", Image, "--wait", .. connection]);
        Assert.True(failed.ExitCode == 1, _cli.Transcript + server.Describe());
        Assert.Contains($"✗ rehearsal of {Site} on {Image}: Failed at step rehearse-migrate", failed.Stderr);
        Assert.Contains("migrate: failed in 12.3 s", failed.Stderr);
        Assert.Contains("ValidationError", failed.Stderr);

        var list = await _cli.RunAsync(["site", "rehearsals", Site, .. connection]);
        Assert.True(list.ExitCode == 0, _cli.Transcript + server.Describe());
        var lines = list.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("ID", lines[0]);
        Assert.Contains("rehearse-migrate", lines[1]);
        Assert.Contains("Passed", lines[2]);

        var posts = server.Requests.Where(r => r.Method == "POST").ToList();
        Assert.Equal(2, posts.Count);
        Assert.All(posts, r => Assert.Equal("""{"image":"ghcr.io/acme/erpnext:v16.1.0"}""", JsonSerializer.Serialize(JsonDocument.Parse(r.Body).RootElement)));
        Assert.All(server.Requests, r => Assert.Equal($"Bearer {Token}", r.Header("Authorization")));
        Assert.Empty(server.Errors);
    }

    [Fact]
    public async Task Rehearse_without_wait_names_the_job_and_where_the_result_will_be_and_a_refusal_exits_1()
    {
        var conflict = $$"""
            {"type":"https://tools.ietf.org/html/rfc9110#section-15.5.10","title":"Conflict","status":409,
             "detail":"Site '{{Site}}' has no good backup to rehearse on: back it up first (press backup create {{Site}} --wait)."}
            """;
        var refuse = false;
        await using var server = TinyHttpServer.Start(FirstPort, LastPort, async (request, response) =>
        {
            if (refuse) await response.JsonAsync(409, conflict, "application/problem+json");
            else await response.JsonAsync(202, JobJson("Queued"));
        });
        string[] connection = ["--url", server.BaseUrl, "--token", Token];

        var queued = await _cli.RunAsync(["site", "rehearse", Site, "--image", Image, .. connection]);
        Assert.True(queued.ExitCode == 0, _cli.Transcript + server.Describe());
        Assert.Contains($"job {JobId} is Queued", queued.Stdout);
        Assert.Contains($"press site rehearsals {Site}", queued.Stdout);

        refuse = true;
        var refused = await _cli.RunAsync(["site", "rehearse", Site, "--image", Image, .. connection]);
        Assert.True(refused.ExitCode == 1, _cli.Transcript + server.Describe());
        Assert.Contains("no good backup to rehearse on", refused.Stderr);
    }

    private static string JobJson(string state) => JsonSerializer.Serialize(new
    {
        id = JobId, kind = "RehearseUpgrade", state, site = Scratch, createdBy = "admin", createdAt = DateTimeOffset.Parse("2026-12-01T10:00:00+00:00"),
        startedAt = (DateTimeOffset?)null, finishedAt = (DateTimeOffset?)null,
        failedStep = state == "Failed" ? "rehearse-migrate" : null, error = state == "Failed" ? "migrate failed after 12.3 s" : null, steps = Array.Empty<object>(),
    }, ServerJson);

    private static string RehearsalJson(string outcome) => JsonSerializer.Serialize(new
    {
        id = JobId, site = Site, image = Image, backupId = BackupId, outcome, failedStep = outcome == "Failed" ? "rehearse-migrate" : null,
        migrateSeconds = 12.3, migrateSucceeded = outcome == "Passed",
        migrateOutput = outcome == "Passed" ? "Executing frappe.patches.v16_1.add_note_priority in press_sites\nUpdating DocTypes for frappe"
            : "Traceback (most recent call last):\nfrappe.exceptions.ValidationError: add_note_priority",
        scratchSite = Scratch, scratchState = "Purged", createdBy = "admin", createdAt = DateTimeOffset.Parse("2026-12-01T10:00:00+00:00"),
        finishedAt = DateTimeOffset.Parse("2026-12-01T10:02:00+00:00"),
    }, ServerJson);

    private static readonly JsonSerializerOptions ServerJson = new(JsonSerializerDefaults.Web)
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public void Dispose()
    {
        try { Directory.Delete(_home, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
