using System.Text.Json;
using Npgsql;
using Press.EndToEnd.Tests.Harness;

namespace Press.EndToEnd.Tests;

/// <summary><c>press audit verify|export</c> against a real manager: intact, exported as JSON lines, then tampered and named.</summary>
public sealed class AuditCliTests(ManagerFixture stack) : IClassFixture<ManagerFixture>, IDisposable
{
    private readonly string _home = Directory.CreateTempSubdirectory("press-e2e-audit-").FullName;

    public void Dispose() => Directory.Delete(_home, recursive: true);

    [Fact]
    public async Task Verify_export_and_a_tampered_entry_named_by_the_CLI()
    {
        var cli = new PressCli(_home);
        Assert.Equal(0, (await cli.RunAsync("login", "--url", stack.Manager.BaseUrl.ToString(), "--token", stack.Api.Token)).ExitCode);
        Assert.Equal(0, (await cli.RunAsync("token", "create", "--name", "audited", "--role", "viewer")).ExitCode);

        var verify = await cli.RunAsync("audit", "verify");
        Assert.True(verify.ExitCode == 0, cli.Transcript);
        Assert.StartsWith("✓ audit chain intact: ", verify.Stdout);

        var file = Path.Combine(_home, "audit.jsonl");
        var export = await cli.RunAsync("audit", "export", "--output", file);
        Assert.True(export.ExitCode == 0, cli.Transcript);
        var lines = (await File.ReadAllLinesAsync(file)).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        var minted = Assert.Single(lines, l => l.GetProperty("action").GetString() == "token.create" && l.GetProperty("details").GetProperty("name").GetString() == "audited");
        Assert.Equal("viewer", minted.GetProperty("details").GetProperty("role").GetString());
        Assert.DoesNotContain("press_", await File.ReadAllTextAsync(file)); // no token secret in the log
        Assert.Equal(2, (await cli.RunAsync("audit", "export", "--output", file)).ExitCode); // exists: --force needed
        var stdout = await cli.RunAsync("audit", "export", "--actor", "nobody-at-all");
        Assert.True(stdout.ExitCode == 0 && stdout.Stdout.Trim() == "", cli.Transcript);

        var id = minted.GetProperty("id").GetInt64();
        await using (var su = await stack.Db.OpenAsSuperuserAsync(stack.Db.MetadataDatabase))
        await using (var cmd = new NpgsqlCommand("SET session_replication_role = replica; UPDATE audit_events SET details = '{\"role\": \"admin\"}' WHERE id = @id", su))
        {
            cmd.Parameters.AddWithValue("id", id);
            Assert.Equal(1, await cmd.ExecuteNonQueryAsync());
        }
        var broken = await cli.RunAsync("audit", "verify");
        Assert.Equal(1, broken.ExitCode);
        Assert.Contains($"✗ audit chain broken at entry {id}: entry {id} was changed after it was written", broken.Stdout);
    }
}
