using System.Text.Json;
using Press.Testing;

namespace Press.Cli.Tests.Commands;

/// <summary>
/// The real <c>press</c> CLI's fleet commands without a Press server: <c>standby status</c> (StandbyCommands.cs),
/// <c>upgrade start|status|pause|resume|cancel</c> (UpgradeCommands.cs), <c>site upgrade</c> and
/// <c>site app install|uninstall</c> (SiteCommands.cs). Usage errors exit 2 before any request; the rest runs against a
/// tiny HTTP server on 127.0.0.1:49790–49795 that answers like src/Press.Manager/Api/StandbyApi.cs, RolloutsApi.cs,
/// UpgradesApi.cs and SiteAppsApi.cs (their DTOs, nulls written out, enums as strings).
/// </summary>
public sealed class FleetCommandsTests : IDisposable
{
    private const int FirstPort = SiteUsageCommandsTests.FirstPort;
    private const int LastPort = SiteUsageCommandsTests.LastPort;
    private const string Token = "cli-fleet-test-token";
    private const string Site = "shop.example.com";
    private const string Image = "ghcr.io/acme/erpnext:v16.1.0";
    private static readonly Guid RolloutId = Guid.Parse("0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b");
    private static readonly Guid OlderRolloutId = Guid.Parse("0193a0a0-0000-7000-8000-000000000001");
    private static readonly Guid JobId = Guid.Parse("5e6f7a8b-9c0d-4e1f-a2b3-c4d5e6f7a8b9");
    private static readonly Guid CanaryJobId = Guid.Parse("11112222-3333-4444-5555-666677778888");

    private readonly string _home = Directory.CreateTempSubdirectory("press-cli-fleet-").FullName;
    private readonly PressCli _cli;

    public FleetCommandsTests() => _cli = new PressCli(_home);

    // ---------------------------------------------------------------- help and usage errors (no server at all)

    [Fact]
    public async Task Help_lists_the_fleet_commands()
    {
        var root = await _cli.RunAsync("--help");
        Assert.True(root.ExitCode == 0, _cli.Transcript);
        Assert.Contains("standby", root.Stdout);
        Assert.Contains("upgrade", root.Stdout);

        var upgrade = await _cli.RunAsync("upgrade", "--help");
        Assert.True(upgrade.ExitCode == 0, _cli.Transcript);
        foreach (var command in new[] { "start", "status", "pause <id>", "resume <id>", "cancel <id>" })
            Assert.True(upgrade.Stdout.Contains(command), $"`upgrade --help` does not list {command}.{_cli.Transcript}");
        var start = await _cli.RunAsync("upgrade", "start", "--help");
        foreach (var option in new[] { "--image <IMAGE> (REQUIRED)", "--sites <SITE>", "--all", "--canary <N>", "--wave-size <N>", "--max-failures <K>", "--rehearse" })
            Assert.True(start.Stdout.Contains(option), $"`upgrade start --help` does not mention {option}.{_cli.Transcript}");

        var standby = await _cli.RunAsync("standby", "--help");
        Assert.Contains("status", standby.Stdout);

        var site = await _cli.RunAsync("site", "--help");
        Assert.Contains("upgrade <name>", site.Stdout);
        Assert.Contains("app", site.Stdout);
        var siteUpgrade = await _cli.RunAsync("site", "upgrade", "--help");
        Assert.Contains("--image <IMAGE> (REQUIRED)", siteUpgrade.Stdout);
        var app = await _cli.RunAsync("site", "app", "--help");
        Assert.Contains("install <name> <APP>", app.Stdout);
        Assert.Contains("uninstall <name> <APP>", app.Stdout);
    }

    [Theory]
    [InlineData("Option '--image' is required", "upgrade", "start", "--all")]
    [InlineData("'many'", "upgrade", "start", "--image", Image, "--all", "--canary", "many")]
    // Once an unhandled InvalidOperationException (exit 1 with a stack trace): an optional Guid argument is not checked by the parser.
    [InlineData("'nope' is not a rollout id; expected a UUID", "upgrade", "status", "nope")]
    [InlineData("'nope' is not a rollout id; expected a UUID", "upgrade", "pause", "nope")]
    [InlineData("'x' is not a rollout id", "upgrade", "cancel", "x")]
    [InlineData("Required argument missing for command: 'resume'", "upgrade", "resume")]
    [InlineData("Required argument missing for command: 'cancel'", "upgrade", "cancel")]
    [InlineData("Option '--image' is required", "site", "upgrade", Site)]
    [InlineData("Required argument missing for command: 'upgrade'", "site", "upgrade", "--image", Image)]
    [InlineData("Required argument missing for command: 'install'", "site", "app", "install", Site)]
    [InlineData("Required argument missing for command: 'uninstall'", "site", "app", "uninstall")]
    [InlineData("Unrecognized command or argument 'extra'", "standby", "status", "extra")]
    public async Task Usage_errors_exit_2_with_a_clear_message_before_any_request(string message, params string[] args)
    {
        // Pointed at the suite's always-closed port: had the CLI sent anything, it would exit 3 instead.
        var result = await _cli.RunAsync([.. args, "--url", $"http://127.0.0.1:{Ports.AlwaysClosed}", "--token", Token]);
        Assert.True(result.ExitCode == 2, _cli.Transcript);
        Assert.Contains(message, result.Stderr);
        Assert.Contains("--help' for usage", result.Stderr);
        Assert.DoesNotContain("Unhandled exception", result.Stderr);
    }

    // ---------------------------------------------------------------- standby status

    [Fact]
    public async Task Standby_status_shows_the_pool_per_app_set_and_json_prints_the_servers_answer()
    {
        const string pool = """
            {"target":2,"enabled":true,"reason":null,
             "appSets":[{"apps":"frappe","target":2,"ready":2,"creating":0,"broken":0},
                        {"apps":"erpnext,hrms","target":2,"ready":0,"creating":1,"broken":1}],
             "sites":[{"name":"standby-0a1b2c.example.com","apps":"frappe","state":"Active","poolState":"ready","createdAt":"2026-12-01T08:00:00+00:00"},
                      {"name":"standby-3d4e5f.example.com","apps":"frappe","state":"Active","poolState":"ready","createdAt":"2026-12-01T08:01:00+00:00"},
                      {"name":"standby-6a7b8c.example.com","apps":"erpnext,hrms","state":"Pending","poolState":"creating","createdAt":"2026-12-01T09:00:00+00:00"},
                      {"name":"standby-9d0e1f.example.com","apps":"erpnext,hrms","state":"Broken","poolState":"broken","createdAt":"2026-12-01T07:00:00+00:00"}]}
            """;
        await using var server = TinyHttpServer.Start(FirstPort, LastPort, (request, response) =>
            request is { Method: "GET", Path: "/api/standby" } ? response.JsonAsync(200, pool) : SiteUsageCommandsTests.NotFoundAsync(response, "No route."));
        string[] connection = ["--url", server.BaseUrl, "--token", Token];

        var table = await _cli.RunAsync(["standby", "status", .. connection]);
        Assert.True(table.ExitCode == 0, _cli.Transcript + server.Describe());
        var lines = table.Stdout.Split('\n');
        Assert.Equal(["APPS", "TARGET", "READY", "CREATING", "BROKEN"], Cells(lines[0]));
        Assert.Contains(lines, l => Cells(l).SequenceEqual(["frappe", "2", "2", "0", "0"]));
        Assert.Contains(lines, l => Cells(l).SequenceEqual(["erpnext,hrms", "2", "0", "1", "1"]));
        Assert.Contains("The pool is kept at 2 per app set.", table.Stdout);
        Assert.Contains("Broken standbys count against the target", table.Stdout);
        // The standbys' names are for --json only.
        Assert.DoesNotContain("standby-0a1b2c", table.Stdout);

        var json = await _cli.RunAsync(["standby", "status", "--json", .. connection]);
        Assert.True(json.ExitCode == 0, _cli.Transcript);
        Assert.Equal(pool.Trim(), json.Stdout.Trim());

        Assert.Equal(2, server.Requests.Count);
        Assert.All(server.Requests, r => Assert.Equal($"Bearer {Token}", r.Header("Authorization")));
        Assert.Empty(server.Errors);
    }

    [Fact]
    public async Task Standby_status_says_why_the_pool_is_not_kept()
    {
        const string off = """{"target":0,"enabled":false,"reason":"the setting standby.size is 0","appSets":[],"sites":[]}""";
        await using var server = TinyHttpServer.Start(FirstPort, LastPort, (request, response) => response.JsonAsync(200, off));

        var result = await _cli.RunAsync("standby", "status", "--url", server.BaseUrl, "--token", Token);
        Assert.True(result.ExitCode == 0, _cli.Transcript + server.Describe());
        Assert.Contains("The pool is not kept: the setting standby.size is 0.", result.Stdout);
        Assert.DoesNotContain("Broken standbys", result.Stdout);
        Assert.Equal("/api/standby", Assert.Single(server.Requests).Path);
    }

    [Fact]
    public async Task Standby_status_for_a_non_admin_is_the_servers_refusal_exit_1()
    {
        await using var server = TinyHttpServer.Start(FirstPort, LastPort, (request, response) =>
            // PressClaims.ForbiddenAsync: an operator's token on an admin endpoint.
            response.JsonAsync(403, """{"type":"https://tools.ietf.org/html/rfc9110#section-15.5.4","title":"Not allowed","status":403,"detail":"Your role 'operator' does not allow this operation."}""",
                "application/problem+json"));

        var result = await _cli.RunAsync("standby", "status", "--url", server.BaseUrl, "--token", Token);
        Assert.True(result.ExitCode == 1, _cli.Transcript + server.Describe());
        Assert.Contains("error: Not allowed (HTTP 403)", result.Stderr);
        Assert.Contains("Your role 'operator' does not allow this operation.", result.Stderr);
        Assert.Equal("", result.Stdout.Trim());
    }

    // ---------------------------------------------------------------- upgrade (fleet rollouts)

    [Fact]
    public async Task Upgrade_start_sends_the_sites_in_order_and_the_plan_then_shows_the_rollout()
    {
        await using var server = TinyHttpServer.Start(FirstPort, LastPort, async (request, response) =>
        {
            if (request is { Method: "POST", Path: "/api/upgrades" }) await response.JsonAsync(202, RolloutJson("Running"));
            else await SiteUsageCommandsTests.NotFoundAsync(response, "No route.");
        });
        string[] connection = ["--url", server.BaseUrl, "--token", Token];

        var listed = await _cli.RunAsync(["upgrade", "start", "--image", Image, "--sites", "a.example.com, b.example.com", "--sites", "c.example.com",
            "--canary", "1", "--wave-size", "2", "--max-failures", "1", .. connection]);
        Assert.True(listed.ExitCode == 0, _cli.Transcript + server.Describe());
        Assert.Contains($"Rollout {RolloutId} of {Image}: Running", listed.Stdout);
        Assert.Contains("canary 1, waves of 2, max failures 1; failed 0 (accepted 0)", listed.Stdout);

        var all = await _cli.RunAsync(["upgrade", "start", "--image", Image, "--all", "--json", .. connection]);
        Assert.True(all.ExitCode == 0, _cli.Transcript + server.Describe());
        Assert.Equal(RolloutJson("Running"), all.Stdout.Trim());

        var posts = server.Requests;
        Assert.Equal(2, posts.Count);
        Assert.All(posts, p => Assert.StartsWith("application/json", p.Header("Content-Type")));
        var first = JsonDocument.Parse(posts[0].Body).RootElement;
        Assert.Equal(Image, first.GetProperty("image").GetString());
        Assert.Equal(["a.example.com", "b.example.com", "c.example.com"], first.GetProperty("sites").EnumerateArray().Select(s => s.GetString()));
        Assert.False(first.GetProperty("all").GetBoolean());
        Assert.Equal(1, first.GetProperty("canary").GetInt32());
        Assert.Equal(2, first.GetProperty("waveSize").GetInt32());
        Assert.Equal(1, first.GetProperty("maxFailures").GetInt32());
        Assert.False(first.GetProperty("rehearse").GetBoolean());
        // --all: no site list, and the plan's numbers are the server's defaults (left out or null).
        var second = JsonDocument.Parse(posts[1].Body).RootElement;
        Assert.Equal(Image, second.GetProperty("image").GetString());
        Assert.True(second.GetProperty("all").GetBoolean());
        foreach (var field in new[] { "sites", "canary", "waveSize", "maxFailures" })
            Assert.True(!second.TryGetProperty(field, out var v) || v.ValueKind == JsonValueKind.Null, $"--all sent {field}: {posts[1].Body}");
        // Only fields the server allows (any other is a 400 'Unknown field').
        string[] allowed = ["image", "sites", "all", "canary", "waveSize", "maxFailures", "rehearse"];
        Assert.All(posts, p => Assert.All(JsonDocument.Parse(p.Body).RootElement.EnumerateObject(), f => Assert.Contains(f.Name, allowed)));
        Assert.All(posts, r => Assert.Equal($"Bearer {Token}", r.Header("Authorization")));
        Assert.Empty(server.Errors);
    }

    [Fact]
    public async Task Upgrade_start_refused_by_the_server_prints_the_reasons_and_exits_1()
    {
        const string invalid = """
            {"type":"https://tools.ietf.org/html/rfc9110#section-15.5.1","title":"The request is invalid","status":400,
             "detail":"2 problem(s); each entry of 'errors' says how to fix it. Nothing was changed.",
             "errors":{"sites":["no site named 'ghost.example.com'.","'old.example.com' is Suspended: only Active sites are upgraded."]}}
            """;
        var conflict = $$"""
            {"type":"https://tools.ietf.org/html/rfc9110#section-15.5.10","title":"Conflict","status":409,
             "detail":"Rollout {{OlderRolloutId}} of {{Image}} is Paused: cancel it (press upgrade cancel {{OlderRolloutId}}) before starting another."}
            """;
        await using var server = TinyHttpServer.Start(FirstPort, LastPort, (request, response) =>
            request.Body.Contains("ghost") ? response.JsonAsync(400, invalid, "application/problem+json")
                : response.JsonAsync(409, conflict, "application/problem+json"));
        string[] connection = ["--url", server.BaseUrl, "--token", Token];

        var bad = await _cli.RunAsync(["upgrade", "start", "--image", Image, "--sites", "ghost.example.com,old.example.com", .. connection]);
        Assert.True(bad.ExitCode == 1, _cli.Transcript + server.Describe());
        Assert.Contains("error: The request is invalid (HTTP 400)", bad.Stderr);
        Assert.Contains("sites: no site named 'ghost.example.com'.", bad.Stderr);
        Assert.Contains("sites: 'old.example.com' is Suspended: only Active sites are upgraded.", bad.Stderr);

        var busy = await _cli.RunAsync(["upgrade", "start", "--image", Image, "--all", .. connection]);
        Assert.True(busy.ExitCode == 1, _cli.Transcript + server.Describe());
        Assert.Contains("error: Conflict (HTTP 409)", busy.Stderr);
        Assert.Contains($"press upgrade cancel {OlderRolloutId}", busy.Stderr);
        Assert.Equal("", (bad.Stdout + busy.Stdout).Trim());
    }

    [Fact]
    public async Task Upgrade_status_shows_the_newest_rollout_or_the_one_asked_for_with_each_sites_wave_and_detail()
    {
        var paused = RolloutJson("Paused");
        var older = RolloutJson("Completed", OlderRolloutId);
        await using var server = TinyHttpServer.Start(FirstPort, LastPort, async (request, response) =>
        {
            if (request.Method != "GET") await SiteUsageCommandsTests.NotFoundAsync(response, "No route.");
            // The list is newest first (the 50 newest).
            else if (request.Path == "/api/upgrades") await response.JsonAsync(200, $"[{paused},{older}]");
            else if (request.Path == $"/api/upgrades/{RolloutId}") await response.JsonAsync(200, paused);
            else if (request.Path == $"/api/upgrades/{OlderRolloutId}") await response.JsonAsync(200, older);
            else await SiteUsageCommandsTests.NotFoundAsync(response, $"No rollout {request.Path.Split('/')[^1]}.");
        });
        string[] connection = ["--url", server.BaseUrl, "--token", Token];

        var newest = await _cli.RunAsync(["upgrade", "status", .. connection]);
        Assert.True(newest.ExitCode == 0, _cli.Transcript + server.Describe());
        var lines = newest.Stdout.Split('\n');
        Assert.Contains($"Rollout {RolloutId} of {Image}: Paused (a canary site failed (a.example.com): no other site was started.", newest.Stdout);
        Assert.Contains("canary 1, waves of 2, max failures 0; failed 1 (accepted 0)", newest.Stdout);
        Assert.Contains(lines, l => l.TrimStart().StartsWith("canary ") && l.Contains("a.example.com") && l.Contains("Failed")
                                    && l.Contains($"job {CanaryJobId} Failed at migrate: boom (its undo put the site back)"));
        Assert.Contains(lines, l => l.TrimStart().StartsWith("wave 1 ") && l.Contains("b.example.com") && l.Contains("Pending"));
        Assert.Contains(lines, l => l.TrimStart().StartsWith("wave 1 ") && l.Contains("c.example.com") && l.Contains("Skipped")
                                    && l.Contains("'c.example.com' is Suspended"));

        var given = await _cli.RunAsync(["upgrade", "status", OlderRolloutId.ToString(), "--json", .. connection]);
        Assert.True(given.ExitCode == 0, _cli.Transcript + server.Describe());
        Assert.Equal(older, given.Stdout.Trim());

        var unknown = await _cli.RunAsync(["upgrade", "status", JobId.ToString(), .. connection]);
        Assert.True(unknown.ExitCode == 1, _cli.Transcript + server.Describe());
        Assert.Contains("error: Not found (HTTP 404)", unknown.Stderr);
        Assert.Contains($"No rollout {JobId}.", unknown.Stderr);

        Assert.Equal(
            ["/api/upgrades", $"/api/upgrades/{RolloutId}", $"/api/upgrades/{OlderRolloutId}", $"/api/upgrades/{JobId}"],
            server.Requests.Select(r => r.Path));
        Assert.Empty(server.Errors);
    }

    [Fact]
    public async Task Upgrade_status_without_any_rollout_says_how_to_start_one()
    {
        await using var server = TinyHttpServer.Start(FirstPort, LastPort, (request, response) => response.JsonAsync(200, "[]"));

        var result = await _cli.RunAsync("upgrade", "status", "--url", server.BaseUrl, "--token", Token);
        Assert.True(result.ExitCode == 0, _cli.Transcript + server.Describe());
        Assert.Contains("No rollout yet: start one with press upgrade start --image IMAGE --all.", result.Stdout);
        Assert.Equal("/api/upgrades", Assert.Single(server.Requests).Path);
    }

    [Fact]
    public async Task Upgrade_pause_resume_and_cancel_post_to_the_rollout_and_show_its_new_state()
    {
        var state = new Dictionary<string, string> { ["pause"] = "Paused", ["resume"] = "Running", ["cancel"] = "Cancelled" };
        await using var server = TinyHttpServer.Start(FirstPort, LastPort, async (request, response) =>
        {
            var verb = request.Path.Split('/')[^1];
            if (request.Method == "POST" && request.Path == $"/api/upgrades/{RolloutId}/{verb}" && state.TryGetValue(verb, out var to))
                await response.JsonAsync(200, RolloutJson(to));
            else if (request.Method == "POST" && request.Path.StartsWith($"/api/upgrades/{OlderRolloutId}/"))
                await response.JsonAsync(409, $$"""
                    {"title":"Conflict","status":409,"detail":"Rollout {{OlderRolloutId}} is Completed: it cannot become Paused (only from Running)."}
                    """, "application/problem+json");
            else await SiteUsageCommandsTests.NotFoundAsync(response, "No route.");
        });
        string[] connection = ["--url", server.BaseUrl, "--token", Token];

        var pause = await _cli.RunAsync(["upgrade", "pause", RolloutId.ToString(), .. connection]);
        Assert.True(pause.ExitCode == 0, _cli.Transcript + server.Describe());
        Assert.Contains($"Rollout {RolloutId} of {Image}: Paused", pause.Stdout);
        var resume = await _cli.RunAsync(["upgrade", "resume", RolloutId.ToString(), .. connection]);
        Assert.True(resume.ExitCode == 0, _cli.Transcript + server.Describe());
        Assert.Contains($"Rollout {RolloutId} of {Image}: Running", resume.Stdout);
        var cancel = await _cli.RunAsync(["upgrade", "cancel", RolloutId.ToString(), "--json", .. connection]);
        Assert.True(cancel.ExitCode == 0, _cli.Transcript + server.Describe());
        Assert.Equal(RolloutJson("Cancelled"), cancel.Stdout.Trim());

        var refused = await _cli.RunAsync(["upgrade", "pause", OlderRolloutId.ToString(), .. connection]);
        Assert.True(refused.ExitCode == 1, _cli.Transcript + server.Describe());
        Assert.Contains("error: Conflict (HTTP 409)", refused.Stderr);
        Assert.Contains("is Completed: it cannot become Paused (only from Running).", refused.Stderr);

        Assert.Equal(
            [
                $"POST /api/upgrades/{RolloutId}/pause", $"POST /api/upgrades/{RolloutId}/resume", $"POST /api/upgrades/{RolloutId}/cancel",
                $"POST /api/upgrades/{OlderRolloutId}/pause",
            ],
            server.Requests.Select(r => $"{r.Method} {r.Path}"));
        Assert.All(server.Requests, r => Assert.Equal("", r.Body));
        Assert.All(server.Requests, r => Assert.Equal($"Bearer {Token}", r.Header("Authorization")));
        Assert.Empty(server.Errors);
    }

    // ---------------------------------------------------------------- site upgrade, site app install|uninstall

    [Fact]
    public async Task Site_upgrade_and_app_install_uninstall_queue_jobs_with_the_right_requests()
    {
        await using var server = TinyHttpServer.Start(FirstPort, LastPort, async (request, response) =>
        {
            switch (request.Method, request.Path)
            {
                case ("POST", $"/api/sites/{Site}/upgrade"): await response.JsonAsync(202, JobJson("UpgradeSite", "Pending")); break;
                case ("POST", $"/api/sites/{Site}/apps"): await response.JsonAsync(202, JobJson("InstallApp", "Pending")); break;
                case ("DELETE", $"/api/sites/{Site}/apps/erpnext"): await response.JsonAsync(202, JobJson("UninstallApp", "Pending")); break;
                default: await SiteUsageCommandsTests.NotFoundAsync(response, "No route."); break;
            }
        });
        string[] connection = ["--url", server.BaseUrl, "--token", Token];

        var upgrade = await _cli.RunAsync(["site", "upgrade", Site, "--image", Image, .. connection]);
        Assert.True(upgrade.ExitCode == 0, _cli.Transcript + server.Describe());
        Assert.Contains($"Upgrading {Site}: job {JobId} is Pending.", upgrade.Stdout);
        Assert.Contains($"press job watch {JobId}", upgrade.Stdout);

        var install = await _cli.RunAsync(["site", "app", "install", Site, "erpnext", .. connection]);
        Assert.True(install.ExitCode == 0, _cli.Transcript + server.Describe());
        Assert.Contains($"Installing an app on {Site}: job {JobId} is Pending.", install.Stdout);

        var uninstall = await _cli.RunAsync(["site", "app", "uninstall", Site, "erpnext", "--json", .. connection]);
        Assert.True(uninstall.ExitCode == 0, _cli.Transcript + server.Describe());
        Assert.Equal(JobJson("UninstallApp", "Pending"), uninstall.Stdout.Trim());

        var requests = server.Requests;
        Assert.Equal(
            [$"POST /api/sites/{Site}/upgrade", $"POST /api/sites/{Site}/apps", $"DELETE /api/sites/{Site}/apps/erpnext"],
            requests.Select(r => $"{r.Method} {r.Path}"));
        Assert.Equal(JsonSerializer.Serialize(new { image = Image }), Compact(requests[0].Body));
        Assert.Equal("""{"app":"erpnext"}""", Compact(requests[1].Body));
        Assert.Equal("", requests[2].Body);
        Assert.All(requests.Take(2), r => Assert.StartsWith("application/json", r.Header("Content-Type")));
        Assert.All(requests, r => Assert.Equal($"Bearer {Token}", r.Header("Authorization")));
        Assert.Empty(server.Errors);
    }

    [Fact]
    public async Task Site_upgrade_and_app_errors_from_the_server_give_exit_1_with_the_reason()
    {
        const string badImage = """
            {"type":"https://tools.ietf.org/html/rfc9110#section-15.5.1","title":"The request is invalid","status":400,
             "detail":"1 problem(s); each entry of 'errors' says how to fix it. Nothing was changed.",
             "errors":{"image":["'image' 'Not An Image' is not an image reference: use [registry/]name[:tag][@sha256:digest] with a lowercase name, e.g. 'frappe/erpnext:v16.1.0'."]}}
            """;
        const string notOnBench = """
            {"type":"https://tools.ietf.org/html/rfc9110#section-15.5.1","title":"The request is invalid","status":400,
             "detail":"1 problem(s); each entry of 'errors' says how to fix it. Nothing was changed.",
             "errors":{"app":["'hrms' is not an app of this site's bench (it has erpnext): build the runner image with it first."]}}
            """;
        var busy = $$"""
            {"type":"https://tools.ietf.org/html/rfc9110#section-15.5.10","title":"Conflict","status":409,
             "detail":"Site '{{Site}}' has a job in progress.","jobId":"{{JobId}}"}
            """;
        await using var server = TinyHttpServer.Start(FirstPort, LastPort, async (request, response) =>
        {
            switch (request.Method, request.Path)
            {
                case ("POST", $"/api/sites/{Site}/upgrade"): await response.JsonAsync(400, badImage, "application/problem+json"); break;
                case ("POST", $"/api/sites/{Site}/apps"): await response.JsonAsync(400, notOnBench, "application/problem+json"); break;
                case ("DELETE", $"/api/sites/{Site}/apps/erpnext"): await response.JsonAsync(409, busy, "application/problem+json"); break;
                default: await SiteUsageCommandsTests.NotFoundAsync(response, "No site named 'gone.example.com'."); break;
            }
        });
        string[] connection = ["--url", server.BaseUrl, "--token", Token];

        var upgrade = await _cli.RunAsync(["site", "upgrade", Site, "--image", "Not An Image", .. connection]);
        Assert.True(upgrade.ExitCode == 1, _cli.Transcript + server.Describe());
        Assert.Contains("error: The request is invalid (HTTP 400)", upgrade.Stderr);
        Assert.Contains("image: 'image' 'Not An Image' is not an image reference", upgrade.Stderr);
        Assert.Equal("""{"image":"Not An Image"}""", Compact(server.Requests[^1].Body));

        var install = await _cli.RunAsync(["site", "app", "install", Site, "hrms", .. connection]);
        Assert.True(install.ExitCode == 1, _cli.Transcript + server.Describe());
        Assert.Contains("app: 'hrms' is not an app of this site's bench (it has erpnext)", install.Stderr);

        var uninstall = await _cli.RunAsync(["site", "app", "uninstall", Site, "erpnext", .. connection]);
        Assert.True(uninstall.ExitCode == 1, _cli.Transcript + server.Describe());
        Assert.Contains("error: Conflict (HTTP 409)", uninstall.Stderr);
        Assert.Contains($"job in progress on this site: {JobId} (follow it with: press job watch {JobId})", uninstall.Stderr);

        var gone = await _cli.RunAsync(["site", "app", "install", "gone.example.com", "erpnext", .. connection]);
        Assert.True(gone.ExitCode == 1, _cli.Transcript + server.Describe());
        Assert.Contains("error: Not found (HTTP 404)", gone.Stderr);
        Assert.Contains("No site named 'gone.example.com'.", gone.Stderr);
        Assert.Equal("", (upgrade.Stdout + install.Stdout + uninstall.Stdout + gone.Stdout).Trim());
    }

    [Fact]
    public async Task Site_upgrade_and_app_install_with_wait_follow_the_job_to_its_end()
    {
        var state = "Succeeded";
        var kind = "";
        await using var server = TinyHttpServer.Start(FirstPort, LastPort, async (request, response) =>
        {
            if (request.Method == "POST")
            {
                kind = request.Path.EndsWith("/upgrade") ? "UpgradeSite" : "InstallApp";
                await response.JsonAsync(202, JobJson(kind, "Pending"));
            }
            else if (request.Path == $"/api/jobs/{JobId}") await response.JsonAsync(200, JobJson(kind, state));
            else await SiteUsageCommandsTests.NotFoundAsync(response, "No route."); // no event stream: --wait polls the job
        });
        string[] connection = ["--url", server.BaseUrl, "--token", Token];

        var upgraded = await _cli.RunAsync(["site", "upgrade", Site, "--image", Image, "--wait", .. connection]);
        Assert.True(upgraded.ExitCode == 0, _cli.Transcript + server.Describe());
        Assert.Contains($"UpgradeSite {Site} succeeded", upgraded.Stdout);

        state = "Failed";
        var failed = await _cli.RunAsync(["site", "app", "install", Site, "erpnext", "--wait", .. connection]);
        Assert.True(failed.ExitCode == 1, _cli.Transcript + server.Describe());
        Assert.Contains("failed at step install-app", failed.Stderr);
        Assert.Contains(server.Requests, r => r.Method == "GET" && r.Path == $"/api/jobs/{JobId}");
        Assert.Empty(server.Errors);
    }

    // ---------------------------------------------------------------- helpers

    private static string[] Cells(string line) => line.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    private static string Compact(string json) => JsonSerializer.Serialize(JsonDocument.Parse(json).RootElement);

    /// <summary>A RolloutDto as the server sends it: a canary, then a wave of two (one Skipped).</summary>
    private static string RolloutJson(string state, Guid? id = null)
    {
        var paused = state == "Paused";
        string? reason = state switch
        {
            "Paused" => "a canary site failed (a.example.com): no other site was started. Look at its job, then resume (accepting the failure) or cancel.",
            "Cancelled" => "cancelled by admin",
            _ => null,
        };
        var canary = paused
            ? new { site = "a.example.com", wave = 0, state = "Failed", jobId = (Guid?)CanaryJobId, detail = (string?)$"job {CanaryJobId} Failed at migrate: boom (its undo put the site back)" }
            : new { site = "a.example.com", wave = 0, state = "Pending", jobId = (Guid?)null, detail = (string?)null };
        return JsonSerializer.Serialize(new
        {
            id = id ?? RolloutId, image = Image, state, canary = 1, waveSize = 2, maxFailures = paused ? 0 : 1, failures = paused ? 1 : 0,
            acceptedFailures = 0, reason, createdBy = "admin", createdAt = DateTimeOffset.Parse("2026-12-01T10:00:00+00:00"),
            sites = new[]
            {
                canary,
                new { site = "b.example.com", wave = 1, state = "Pending", jobId = (Guid?)null, detail = (string?)null },
                new { site = "c.example.com", wave = 1, state = "Skipped", jobId = (Guid?)null, detail = (string?)"'c.example.com' is Suspended: only Active sites are upgraded." },
            },
        }, ServerJson);
    }

    private static string JobJson(string kind, string state) => JsonSerializer.Serialize(new
    {
        id = JobId, kind, state, site = Site, createdBy = "admin", createdAt = DateTimeOffset.Parse("2026-12-01T10:00:00+00:00"),
        startedAt = (DateTimeOffset?)null, finishedAt = (DateTimeOffset?)null,
        failedStep = state == "Failed" ? "install-app" : null, error = state == "Failed" ? "boom" : null, steps = Array.Empty<object>(),
    }, ServerJson);

    // Like the manager's: camelCase, nulls written out; the relaxed encoder keeps quotes and '+' as they are.
    private static readonly JsonSerializerOptions ServerJson = new(JsonSerializerDefaults.Web)
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public void Dispose()
    {
        try { Directory.Delete(_home, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
