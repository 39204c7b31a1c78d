using System.Text.Json;
using Press.Testing;

namespace Press.Cli.Tests.Commands;

/// <summary>
/// The real <c>press</c> CLI's <c>site usage</c> and <c>site limits</c> (src/Press.Cli/Commands/SiteUsageCommands.cs)
/// without a Press server: usage errors exit 2 before any request, and against a tiny HTTP server on
/// 127.0.0.1:49790–49795 that answers like src/Press.Manager/Api/SiteUsageApi.cs — GET /api/sites/{name}/usage (the
/// UsageDto, nulls written out) and PUT /api/sites/{name}/limits (a ChangeLimits JobDto, 202; a ValidationProblem, 400).
/// </summary>
public sealed class SiteUsageCommandsTests : IDisposable
{
    internal const int FirstPort = 49790;
    internal const int LastPort = 49795;
    private const string Token = "cli-usage-test-token";
    private const string Site = "shop.example.com";
    private static readonly Guid JobId = Guid.Parse("7c1d2e3f-4a5b-4c6d-8e9f-0a1b2c3d4e5f");

    // What the server sends for a sampled site with an override: 1.5 GiB database over its 1 GiB cap.
    private const string Sampled = """
        {"site":"shop.example.com","sampledAt":"2026-12-01T10:00:00+00:00","databaseBytes":1610612736,"databaseReason":null,
         "databaseCapBytes":1073741824,"databaseOverCap":true,"filesBytes":52428800,"filesReason":null,"cpuRatio":0.25,
         "memoryBytes":402653184,"runnerReason":null,"requests":12345,"errors5xx":7,"trafficAt":"2026-12-01T09:59:00+00:00",
         "limits":{"memoryMb":1024,"cpus":1.5,"databaseCapMb":1024}}
        """;

    // A site not measured yet, no override: every figure unknown, each with the server's reason.
    private const string Unsampled = """
        {"site":"new.example.com","sampledAt":null,"databaseBytes":null,"databaseReason":"the site has no schema yet",
         "databaseCapBytes":null,"databaseOverCap":false,"filesBytes":null,"filesReason":"its files folder was not found",
         "cpuRatio":null,"memoryBytes":null,
         "runnerReason":"no site runtime is configured (Press:Runtime:Driver=none): the database side is ready but Frappe is not served",
         "requests":0,"errors5xx":0,"trafficAt":null,"limits":{"memoryMb":null,"cpus":null,"databaseCapMb":null}}
        """;

    private readonly string _home = Directory.CreateTempSubdirectory("press-cli-usage-").FullName;
    private readonly PressCli _cli;

    public SiteUsageCommandsTests() => _cli = new PressCli(_home);

    // ---------------------------------------------------------------- help and usage errors (no server at all)

    [Fact]
    public async Task Help_lists_usage_and_limits_with_their_options()
    {
        var site = await _cli.RunAsync("site", "--help");
        Assert.True(site.ExitCode == 0, _cli.Transcript);
        Assert.Contains("usage <name>", site.Stdout);
        Assert.Contains("limits <name>", site.Stdout);

        var limits = await _cli.RunAsync("site", "limits", "--help");
        Assert.True(limits.ExitCode == 0, _cli.Transcript);
        foreach (var option in new[] { "--memory-mb <MIB>", "--cpus <CPUS>", "--database-cap-mb <MIB>", "--wait", "'default'" })
            Assert.True(limits.Stdout.Contains(option), $"`site limits --help` does not mention {option}.{_cli.Transcript}");
    }

    [Theory]
    [InlineData("Required argument missing for command: 'usage'", "site", "usage")]
    [InlineData("Required argument missing for command: 'limits'", "site", "limits")]
    [InlineData("--cpus takes a number or 'default', not 'two'", "site", "limits", Site, "--cpus", "two")]
    [InlineData("--memory-mb takes a number or 'default', not '1.5'", "site", "limits", Site, "--memory-mb", "1.5")]
    [InlineData("--database-cap-mb takes a number or 'default', not 'none'", "site", "limits", Site, "--database-cap-mb", "none")]
    // Not 15 CPUs (thousands separators are not numbers here), and NaN could not even be written as JSON.
    [InlineData("--cpus takes a number or 'default', not '1,5'", "site", "limits", Site, "--cpus", "1,5")]
    [InlineData("--cpus takes a number or 'default', not 'NaN'", "site", "limits", Site, "--cpus", "NaN")]
    [InlineData("--memory-mb takes a number or 'default', not '99999999999'", "site", "limits", Site, "--memory-mb", "99999999999")]
    public async Task Usage_errors_exit_2_with_a_clear_message_before_any_request(string message, params string[] args)
    {
        // Pointed at the suite's always-closed port: had the CLI sent anything (even the read of the current limits),
        // it would exit 3 instead.
        var result = await _cli.RunAsync([.. args, "--url", $"http://127.0.0.1:{Ports.AlwaysClosed}", "--token", Token]);
        Assert.True(result.ExitCode == 2, _cli.Transcript);
        Assert.Contains(message, result.Stderr);
        Assert.Contains("--help' for usage", result.Stderr);
        Assert.DoesNotContain("cannot reach", result.Stderr);
    }

    // ---------------------------------------------------------------- site usage

    [Fact]
    public async Task Usage_shows_each_figure_with_its_limit_and_json_prints_the_servers_answer()
    {
        await using var server = TinyHttpServer.Start(FirstPort, LastPort, async (request, response) =>
        {
            if (request.Method == "GET" && request.Path == $"/api/sites/{Site}/usage") await response.JsonAsync(200, Sampled);
            else await NotFoundAsync(response, "No route.");
        });
        string[] connection = ["--url", server.BaseUrl, "--token", Token];

        var table = await _cli.RunAsync(["site", "usage", Site, .. connection]);
        Assert.True(table.ExitCode == 0, _cli.Transcript + server.Describe());
        var lines = table.Stdout.Split('\n');
        Assert.Equal(["MEASURE", "VALUE", "LIMIT", "/", "NOTE"], lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        AssertRow(lines, "database", "1.5 GiB", "cap 1.0 GiB");
        Assert.Contains(lines, l => l.StartsWith("database ") && l.TrimEnd().EndsWith("OVER CAP"));
        AssertRow(lines, "files", "50.0 MiB", "-");
        AssertRow(lines, "cpu", "0.25 CPUs", "1.5 CPUs per container");
        AssertRow(lines, "memory", "384.0 MiB", "1024 MiB per container");
        AssertRow(lines, "requests", "12345", "through the embedded proxy");
        AssertRow(lines, "5xx", "7", "-");
        Assert.Contains(lines, l => l.StartsWith("sampled 20") && l.Contains("; requests counted until 20"));

        var json = await _cli.RunAsync(["site", "usage", Site, "--json", .. connection]);
        Assert.True(json.ExitCode == 0, _cli.Transcript);
        Assert.Equal(Sampled.Trim(), json.Stdout.Trim());

        var requests = server.Requests;
        Assert.Equal(2, requests.Count);
        Assert.All(requests, r => Assert.Equal(("GET", $"/api/sites/{Site}/usage"), (r.Method, r.Path)));
        Assert.All(requests, r => Assert.Equal($"Bearer {Token}", r.Header("Authorization")));
        Assert.Empty(server.Errors);
    }

    [Fact]
    public async Task Usage_of_a_site_not_measured_yet_shows_the_reasons_and_the_defaults()
    {
        await using var server = TinyHttpServer.Start(FirstPort, LastPort, (request, response) =>
            request.Path == "/api/sites/new.example.com/usage" ? response.JsonAsync(200, Unsampled) : NotFoundAsync(response, "No route."));

        var result = await _cli.RunAsync("site", "usage", "new.example.com", "--url", server.BaseUrl, "--token", Token);
        Assert.True(result.ExitCode == 0, _cli.Transcript + server.Describe());
        var lines = result.Stdout.Split('\n');
        AssertRow(lines, "database", "-", "the site has no schema yet");
        AssertRow(lines, "files", "-", "its files folder was not found");
        // The runner's reason explains both of its figures, in place of the limits.
        AssertRow(lines, "cpu", "-", "no site runtime is configured (Press:Runtime:Driver=none)");
        AssertRow(lines, "memory", "-", "no site runtime is configured (Press:Runtime:Driver=none)");
        AssertRow(lines, "requests", "0", "through the embedded proxy");
        Assert.Contains("sampled -; requests counted until -", result.Stdout);
        Assert.DoesNotContain("OVER CAP", result.Stdout);
    }

    [Fact]
    public async Task Usage_without_a_runner_reason_shows_the_defaults_and_no_cap()
    {
        var noOverride = Sampled
            .Replace("\"databaseCapBytes\":1073741824,\"databaseOverCap\":true", "\"databaseCapBytes\":null,\"databaseOverCap\":false")
            .Replace("{\"memoryMb\":1024,\"cpus\":1.5,\"databaseCapMb\":1024}", "{\"memoryMb\":null,\"cpus\":null,\"databaseCapMb\":null}");
        Assert.NotEqual(Sampled, noOverride);
        await using var server = TinyHttpServer.Start(FirstPort, LastPort, (request, response) => response.JsonAsync(200, noOverride));

        var result = await _cli.RunAsync("site", "usage", Site, "--url", server.BaseUrl, "--token", Token);
        Assert.True(result.ExitCode == 0, _cli.Transcript + server.Describe());
        var lines = result.Stdout.Split('\n');
        AssertRow(lines, "database", "1.5 GiB", "no cap");
        AssertRow(lines, "cpu", "0.25 CPUs", "default (runtime.cpus)");
        AssertRow(lines, "memory", "384.0 MiB", "default (runtime.memoryMb)");
    }

    [Fact]
    public async Task Usage_of_an_unknown_site_is_the_servers_404_exit_1()
    {
        await using var server = TinyHttpServer.Start(FirstPort, LastPort, (request, response) =>
            NotFoundAsync(response, "No site named 'gone.example.com'."));

        var result = await _cli.RunAsync("site", "usage", "gone.example.com", "--url", server.BaseUrl, "--token", Token);
        Assert.True(result.ExitCode == 1, _cli.Transcript + server.Describe());
        Assert.Contains("error: Not found (HTTP 404)", result.Stderr);
        Assert.Contains("No site named 'gone.example.com'.", result.Stderr);
        Assert.Equal("", result.Stdout.Trim());
        Assert.Equal("/api/sites/gone.example.com/usage", Assert.Single(server.Requests).Path);
    }

    // ---------------------------------------------------------------- site limits

    [Fact]
    public async Task Limits_keeps_what_is_not_given_from_the_current_usage_and_default_clears_one()
    {
        await using var server = TinyHttpServer.Start(FirstPort, LastPort, async (request, response) =>
        {
            if (request.Method == "GET" && request.Path == $"/api/sites/{Site}/usage") await response.JsonAsync(200, Sampled);
            else if (request.Method == "PUT" && request.Path == $"/api/sites/{Site}/limits") await response.JsonAsync(202, JobJson("Pending"));
            else await NotFoundAsync(response, "No route.");
        });
        string[] connection = ["--url", server.BaseUrl, "--token", Token];

        var cpus = await _cli.RunAsync(["site", "limits", Site, "--cpus", "2", .. connection]);
        Assert.True(cpus.ExitCode == 0, _cli.Transcript + server.Describe());
        Assert.Contains($"Changing the limits of {Site}: job {JobId} is Pending.", cpus.Stdout);
        Assert.Contains($"press job watch {JobId}", cpus.Stdout);

        var memory = await _cli.RunAsync(["site", "limits", Site, "--memory-mb", "2048", "--database-cap-mb", "5120", .. connection]);
        Assert.True(memory.ExitCode == 0, _cli.Transcript + server.Describe());

        var cleared = await _cli.RunAsync(["site", "limits", Site, "--database-cap-mb", "default", "--cpus", "0.5", .. connection]);
        Assert.True(cleared.ExitCode == 0, _cli.Transcript + server.Describe());

        var allDefault = await _cli.RunAsync(
            ["site", "limits", Site, "--memory-mb", "default", "--cpus", "default", "--database-cap-mb", "default", "--json", .. connection]);
        Assert.True(allDefault.ExitCode == 0, _cli.Transcript + server.Describe());
        Assert.Equal(JobJson("Pending"), allDefault.Stdout.Trim());

        var requests = server.Requests;
        Assert.Equal(
            [
                "GET /api/sites/shop.example.com/usage", "PUT /api/sites/shop.example.com/limits",
                "GET /api/sites/shop.example.com/usage", "PUT /api/sites/shop.example.com/limits",
                "GET /api/sites/shop.example.com/usage", "PUT /api/sites/shop.example.com/limits",
                "GET /api/sites/shop.example.com/usage", "PUT /api/sites/shop.example.com/limits",
            ],
            requests.Select(r => $"{r.Method} {r.Path}"));
        var puts = requests.Where(r => r.Method == "PUT").ToList();
        // The server reads the body only as JSON (RequestBody), and a null or missing field takes the default.
        Assert.All(puts, p => Assert.StartsWith("application/json", p.Header("Content-Type")));
        Assert.Equal(Limits(1024, 2, 1024), Limits(puts[0].Body));
        Assert.Equal(Limits(2048, 1.5, 5120), Limits(puts[1].Body));
        Assert.Equal(Limits(1024, 0.5, null), Limits(puts[2].Body));
        Assert.Equal(Limits(null, null, null), Limits(puts[3].Body));
        // Only the three fields the server allows (any other is a 400 'Unknown field').
        Assert.All(puts, p => Assert.All(JsonDocument.Parse(p.Body).RootElement.EnumerateObject(),
            f => Assert.Contains(f.Name, new[] { "memoryMb", "cpus", "databaseCapMb" })));
        Assert.All(requests, r => Assert.Equal($"Bearer {Token}", r.Header("Authorization")));
        Assert.Empty(server.Errors);
    }

    [Fact]
    public async Task Limits_with_no_option_shows_the_current_limits_and_queues_nothing()
    {
        await using var server = TinyHttpServer.Start(FirstPort, LastPort, async (request, response) =>
        {
            if (request.Method == "GET" && request.Path == $"/api/sites/{Site}/usage") await response.JsonAsync(200, Sampled);
            else if (request.Method == "GET") await response.JsonAsync(200, Unsampled);
            else await response.JsonAsync(202, JobJson("Pending"));
        });
        string[] connection = ["--url", server.BaseUrl, "--token", Token];

        var shown = await _cli.RunAsync(["site", "limits", Site, .. connection]);
        Assert.True(shown.ExitCode == 0, _cli.Transcript + server.Describe());
        Assert.Contains("1024 MiB per container", shown.Stdout);
        Assert.Contains("1.5 CPUs per container", shown.Stdout);
        Assert.Contains("1024 MiB (alert only)", shown.Stdout);

        var defaults = await _cli.RunAsync(["site", "limits", "new.example.com", .. connection]);
        Assert.True(defaults.ExitCode == 0, _cli.Transcript + server.Describe());
        Assert.Contains("default (runtime.memoryMb)", defaults.Stdout);
        Assert.Contains("default (runtime.cpus)", defaults.Stdout);

        var json = await _cli.RunAsync(["site", "limits", Site, "--json", .. connection]);
        Assert.True(json.ExitCode == 0, _cli.Transcript + server.Describe());
        Assert.Equal(Limits(1024, 1.5, 1024), Limits(json.Stdout));

        Assert.All(server.Requests, r => Assert.Equal("GET", r.Method));
        Assert.Equal(3, server.Requests.Count);
        Assert.Empty(server.Errors);
    }

    [Fact]
    public async Task Limits_of_a_site_without_an_override_sends_only_what_is_given()
    {
        await using var server = TinyHttpServer.Start(FirstPort, LastPort, async (request, response) =>
        {
            if (request.Method == "GET") await response.JsonAsync(200, Unsampled);
            else await response.JsonAsync(202, JobJson("Pending"));
        });

        var result = await _cli.RunAsync("site", "limits", "new.example.com", "--memory-mb", "768", "--url", server.BaseUrl, "--token", Token);
        Assert.True(result.ExitCode == 0, _cli.Transcript + server.Describe());
        var put = Assert.Single(server.Requests, r => r.Method == "PUT");
        Assert.Equal("/api/sites/new.example.com/limits", put.Path);
        Assert.Equal(Limits(768, null, null), Limits(put.Body));
    }

    [Fact]
    public async Task Limits_the_server_refuses_print_each_validation_error_and_exit_1()
    {
        // Problems.Invalid as SiteLimits.Problems words it.
        const string invalid = """
            {"type":"https://tools.ietf.org/html/rfc9110#section-15.5.1","title":"The request is invalid","status":400,
             "detail":"1 problem(s); each entry of 'errors' says how to fix it. Nothing was changed.",
             "errors":{"cpus":["'cpus' must be a number of CPUs between 0.1 and 256 such as 1.5 (or null for the runtime.cpus default), not 300."]}}
            """;
        await using var server = TinyHttpServer.Start(FirstPort, LastPort, async (request, response) =>
        {
            if (request.Method == "GET") await response.JsonAsync(200, Sampled);
            else await response.JsonAsync(400, invalid, "application/problem+json");
        });

        var result = await _cli.RunAsync("site", "limits", Site, "--cpus", "300", "--url", server.BaseUrl, "--token", Token);
        Assert.True(result.ExitCode == 1, _cli.Transcript + server.Describe());
        Assert.Contains("error: The request is invalid (HTTP 400)", result.Stderr);
        Assert.Contains("Nothing was changed.", result.Stderr);
        Assert.Contains("cpus: 'cpus' must be a number of CPUs between 0.1 and 256", result.Stderr);
        Assert.DoesNotContain("job", result.Stdout);
        Assert.Equal(Limits(1024, 300, 1024), Limits(Assert.Single(server.Requests, r => r.Method == "PUT").Body));
    }

    [Fact]
    public async Task Limits_of_an_unknown_site_stops_at_the_404_and_sends_nothing_else()
    {
        await using var server = TinyHttpServer.Start(FirstPort, LastPort, (request, response) =>
            NotFoundAsync(response, "No site named 'gone.example.com'."));

        var result = await _cli.RunAsync("site", "limits", "gone.example.com", "--cpus", "2", "--url", server.BaseUrl, "--token", Token);
        Assert.True(result.ExitCode == 1, _cli.Transcript + server.Describe());
        Assert.Contains("error: Not found (HTTP 404)", result.Stderr);
        Assert.Contains("No site named 'gone.example.com'.", result.Stderr);
        var only = Assert.Single(server.Requests);
        Assert.Equal(("GET", "/api/sites/gone.example.com/usage"), (only.Method, only.Path));
    }

    [Fact]
    public async Task Limits_with_wait_follows_the_ChangeLimits_job_to_its_end()
    {
        var state = "Succeeded";
        await using var server = TinyHttpServer.Start(FirstPort, LastPort, async (request, response) =>
        {
            if (request.Method == "GET" && request.Path == $"/api/sites/{Site}/usage") await response.JsonAsync(200, Sampled);
            else if (request.Method == "PUT") await response.JsonAsync(202, JobJson("Pending"));
            else if (request.Path == $"/api/jobs/{JobId}") await response.JsonAsync(200, JobJson(state));
            else await NotFoundAsync(response, "No route."); // no event stream: --wait falls back to polling the job
        });
        string[] connection = ["--url", server.BaseUrl, "--token", Token];

        var waited = await _cli.RunAsync(["site", "limits", Site, "--memory-mb", "512", "--wait", .. connection]);
        Assert.True(waited.ExitCode == 0, _cli.Transcript + server.Describe());
        Assert.Contains($"ChangeLimits {Site} succeeded", waited.Stdout);

        state = "Failed";
        var failed = await _cli.RunAsync(["site", "limits", Site, "--memory-mb", "512", "--wait", .. connection]);
        Assert.True(failed.ExitCode == 1, _cli.Transcript + server.Describe());
        Assert.Contains("failed at step recreate-runner", failed.Stderr);
        Assert.Contains(server.Requests, r => r.Method == "GET" && r.Path == $"/api/jobs/{JobId}");
    }

    // ---------------------------------------------------------------- helpers

    private static void AssertRow(string[] lines, string measure, string value, string note)
    {
        var row = lines.FirstOrDefault(l => l.StartsWith(measure + " "));
        Assert.True(row is not null, $"no '{measure}' row in:\n{string.Join('\n', lines)}");
        var rest = row[measure.Length..].TrimStart();
        Assert.True(rest.StartsWith(value + "  ") || rest == value, $"'{measure}' row has not the value '{value}': {row}");
        Assert.True(rest[value.Length..].TrimStart().StartsWith(note), $"'{measure}' row has not the note '{note}': {row}");
    }

    /// <summary>The three limits as sent: a field left out and a null field are the same to the server (the default).</summary>
    private static (int? MemoryMb, double? Cpus, int? DatabaseCapMb) Limits(string body)
    {
        var root = JsonDocument.Parse(body).RootElement;
        Assert.Equal(JsonValueKind.Object, root.ValueKind);
        return (Int("memoryMb"), root.TryGetProperty("cpus", out var c) && c.ValueKind != JsonValueKind.Null ? c.GetDouble() : null,
            Int("databaseCapMb"));

        int? Int(string field) =>
            root.TryGetProperty(field, out var v) && v.ValueKind != JsonValueKind.Null ? v.GetInt32() : null;
    }

    private static (int? MemoryMb, double? Cpus, int? DatabaseCapMb) Limits(int? memoryMb, double? cpus, int? databaseCapMb) =>
        (memoryMb, cpus, databaseCapMb);

    private static string JobJson(string state) => JsonSerializer.Serialize(new
    {
        id = JobId, kind = "ChangeLimits", state, site = Site, createdBy = "admin", createdAt = DateTimeOffset.Parse("2026-12-01T10:00:00+00:00"),
        startedAt = (DateTimeOffset?)null, finishedAt = (DateTimeOffset?)null,
        failedStep = state == "Failed" ? "recreate-runner" : null, error = state == "Failed" ? "boom" : null, steps = Array.Empty<object>(),
    }, new JsonSerializerOptions(JsonSerializerDefaults.Web));

    internal static Task NotFoundAsync(TinyHttpServer.Response response, string detail) =>
        response.JsonAsync(404, JsonSerializer.Serialize(new { type = "https://tools.ietf.org/html/rfc9110#section-15.5.5", title = "Not found", status = 404, detail }),
            "application/problem+json");

    public void Dispose()
    {
        try { Directory.Delete(_home, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
