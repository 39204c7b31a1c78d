using System.Security.Cryptography;
using System.Text.Json;
using Press.EndToEnd.Tests.Harness;

namespace Press.EndToEnd.Tests.Backups;

/// <summary>The real <c>press</c> CLI's backup and restore commands against the real manager and worker.</summary>
public sealed class CliBackupRestoreTests(ManagerFixture stack) : IClassFixture<ManagerFixture>, IDisposable
{
    private readonly string _home = Directory.CreateTempSubdirectory("press-e2e-cli-backup-").FullName;

    public void Dispose() => Directory.Delete(_home, recursive: true);

    [Fact]
    public async Task Backup_create_list_show_download_restore_rollback_and_create_from_backup()
    {
        await using var scene = new Scene(stack.Manager);
        await scene.StartWorkerAsync(stack.Db, "worker", PressProcess.FastWorker(lease: TimeSpan.FromSeconds(30)));
        var cli = new PressCli(_home);
        string Context() => cli.Transcript + scene.Describe();
        const string site = "cli.backup.test";
        Assert.Equal(0, (await cli.RunAsync("login", "--url", stack.Manager.BaseUrl.ToString(), "--token", stack.Api.Token)).ExitCode);
        Assert.True((await cli.RunAsync("site", "create", site, "--wait")).ExitCode == 0, Context());
        var schema = (await stack.Api.GetSiteAsync(site)).Location.Schema;
        await SiteData.FillAsync(stack.Db, schema, rows: 500);
        var original = await SiteData.FingerprintAsync(stack.Db, schema);

        var create = await cli.RunAsync("backup", "create", site, "--wait");
        Assert.True(create.ExitCode == 0, Context());
        var list = await cli.RunAsync("--json", "backup", "list", site);
        Assert.True(list.ExitCode == 0, Context());
        Guid backupId;
        using (var doc = JsonDocument.Parse(list.Stdout))
        {
            var item = Assert.Single(doc.RootElement.GetProperty("items").EnumerateArray());
            Assert.Equal("Good", item.GetProperty("state").GetString());
            Assert.False(doc.RootElement.GetProperty("stale").GetBoolean());
            backupId = item.GetProperty("id").GetGuid();
        }
        var show = await cli.RunAsync("backup", "show", backupId.ToString());
        Assert.True(show.ExitCode == 0, Context());
        Assert.Contains("Good", show.Stdout);
        Assert.Contains("500", show.Stdout.Replace(",", ""));

        var file = Path.Combine(_home, "site.dump");
        var download = await cli.RunAsync("backup", "download", backupId.ToString(), "-o", file);
        Assert.True(download.ExitCode == 0, Context());
        var bytes = await File.ReadAllBytesAsync(file);
        Assert.Equal("PGDMP", System.Text.Encoding.ASCII.GetString(bytes, 0, 5));
        using (var shown = JsonDocument.Parse((await cli.RunAsync("--json", "backup", "show", backupId.ToString())).Stdout))
        {
            var part = shown.RootElement.GetProperty("manifest").GetProperty("parts").EnumerateArray().Single(p => p.GetProperty("name").GetString() == "database");
            Assert.Equal(part.GetProperty("sha256").GetString(), Convert.ToHexStringLower(SHA256.HashData(bytes)));
        }

        await SiteData.ChangeAsync(stack.Db, schema);
        var changed = await SiteData.FingerprintAsync(stack.Db, schema);
        Assert.True((await cli.RunAsync("site", "restore", site, "--backup", backupId.ToString(), "--wait")).ExitCode == 0, Context());
        Assert.Equal(original, await SiteData.FingerprintAsync(stack.Db, schema));
        Assert.True((await cli.RunAsync("site", "rollback-restore", site, "--wait")).ExitCode == 0, Context());
        Assert.Equal(changed, await SiteData.FingerprintAsync(stack.Db, schema));

        const string copy = "copy.cli.backup.test";
        Assert.True((await cli.RunAsync("site", "create", copy, "--from-backup", backupId.ToString(), "--wait")).ExitCode == 0, Context());
        Assert.Equal(original, await SiteData.FingerprintAsync(stack.Db, (await stack.Api.GetSiteAsync(copy)).Location.Schema));

        var unknown = await cli.RunAsync("site", "restore", site, "--backup", Guid.NewGuid().ToString());
        Assert.True(unknown.ExitCode == 1 && unknown.Stderr.Contains("No backup"), Context());
    }
}
