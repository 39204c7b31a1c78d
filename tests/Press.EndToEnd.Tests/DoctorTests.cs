using System.Text.Json;
using Npgsql;
using Press.Core.Doctor;
using Press.EndToEnd.Tests.Harness;
using Press.Testing;

namespace Press.EndToEnd.Tests;

/// <summary>
/// <c>press doctor</c> (the real CLI against a real manager process): a healthy stack passes every check that applies;
/// a stack whose Redis was stopped and whose dump tools folder is wrong fails exactly those two, each with its fix,
/// and exits 1. The runtime here is 'none' (the docker checks need an engine of their own: a shared one holds other
/// tests' runners, which doctor would rightly call strays).
/// </summary>
public sealed class DoctorTests : IDisposable
{
    private readonly string _home = Directory.CreateTempSubdirectory("press-e2e-doctor-").FullName;

    public void Dispose() => Directory.Delete(_home, recursive: true);

    private static async Task<string> DataDirectoryAsync(PressDatabase db)
    {
        await using var conn = await db.OpenAsSuperuserAsync("postgres");
        await using var cmd = new NpgsqlCommand("SHOW data_directory", conn);
        return (string)(await cmd.ExecuteScalarAsync())!;
    }

    private async Task<(PressCli Cli, Scene Scene, PressDatabase Db)> StartAsync(Dictionary<string, string?> overrides, RedisServer? redis = null)
    {
        var db = await PressDatabase.CreateAsync();
        var scene = new Scene();
        if (redis is not null) scene.Track(redis);
        overrides["Press:Doctor:PostgresDataFolder"] = await DataDirectoryAsync(db);
        overrides["Press:Ingress:TraefikSecret"] = "doctor-test-secret-0123456789";
        var manager = await scene.StartManagerAsync(db, "manager", overrides);
        var api = await PressApi.LoginAsync(manager.BaseUrl, db.AdminPassword);
        var cli = new PressCli(_home);
        var login = await cli.RunAsync("login", "--url", manager.BaseUrl.ToString(), "--token", api.Token);
        Assert.True(login.ExitCode == 0, cli.Transcript);
        return (cli, scene, db);
    }

    [Fact]
    public async Task A_healthy_stack_passes_every_check_and_the_CLI_says_so()
    {
        var (cli, scene, db) = await StartAsync([]);
        await using (scene)
        await using (db)
        {
            var doctor = await cli.RunAsync("doctor");
            Assert.True(doctor.ExitCode == 0, cli.Transcript + scene.Describe());
            foreach (var name in DoctorChecks.Order.Except([DoctorChecks.StrayRunners, DoctorChecks.RunnerImage, DoctorChecks.OidcIssuer]))
                Assert.True(doctor.Stdout.Contains($"✓ {name}: "), $"no ✓ for {name}.{cli.Transcript}");
            foreach (var name in new[] { DoctorChecks.StrayRunners, DoctorChecks.RunnerImage, DoctorChecks.OidcIssuer })
                Assert.Contains($"– {name}: ", doctor.Stdout);
            Assert.DoesNotContain("✗", doctor.Stdout);
            Assert.EndsWith("Press is healthy.", doctor.Stdout.TrimEnd());

            var json = await cli.RunAsync("doctor", "--json");
            Assert.True(json.ExitCode == 0, cli.Transcript);
            using var parsed = JsonDocument.Parse(json.Stdout);
            Assert.True(parsed.RootElement.GetProperty("healthy").GetBoolean());
            Assert.Equal(DoctorChecks.Order.Count, parsed.RootElement.GetProperty("checks").GetArrayLength());
        }
    }

    [Fact]
    public async Task A_stopped_Redis_and_a_wrong_tools_folder_are_the_two_failures_each_with_its_fix()
    {
        var redis = await RedisServer.StartAsync(TestServices.RedisPassword);
        var (cli, scene, db) = await StartAsync(new Dictionary<string, string?>
        {
            ["Press:Redis:Configuration"] = redis.Endpoint,
            ["Press:Backups:ToolsFolder"] = "/nonexistent/pg-tools",
        }, redis);
        await using (scene)
        await using (db)
        {
            await redis.KillAsync();

            var doctor = await cli.RunAsync("doctor");
            Assert.True(doctor.ExitCode == 1, cli.Transcript + scene.Describe());
            var lines = doctor.Stdout.Split('\n');
            Assert.Equal(["postgres-tools", "redis"], lines.Where(l => l.StartsWith("✗ ", StringComparison.Ordinal))
                .Select(l => l[2..l.IndexOf(':')]));
            Assert.Contains("✗ postgres-tools: pg_dump was not found in /nonexistent/pg-tools", doctor.Stdout);
            Assert.Contains("    fix: install pg_dump, pg_restore and psql of the server's major version and set Press__Backups__ToolsFolder", doctor.Stdout);
            Assert.Contains($"✗ redis: Press's Redis at {redis.Endpoint} does not answer", doctor.Stdout);
            Assert.Contains("    fix: start Redis", doctor.Stdout);
            Assert.EndsWith("2 check(s) failed.", doctor.Stdout.TrimEnd());

            var json = await cli.RunAsync("doctor", "--json");
            Assert.Equal(1, json.ExitCode);
            using var parsed = JsonDocument.Parse(json.Stdout);
            Assert.False(parsed.RootElement.GetProperty("healthy").GetBoolean());
            var failed = parsed.RootElement.GetProperty("checks").EnumerateArray().Where(c => c.GetProperty("outcome").GetString() == "Failed").ToList();
            Assert.Equal(["postgres-tools", "redis"], failed.Select(c => c.GetProperty("name").GetString()));
            Assert.All(failed, c => Assert.False(string.IsNullOrEmpty(c.GetProperty("fix").GetString())));
        }
    }
}
