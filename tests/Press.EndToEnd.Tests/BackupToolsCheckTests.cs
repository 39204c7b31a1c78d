using Press.EndToEnd.Tests.Harness;
using Press.Testing;

namespace Press.EndToEnd.Tests;

/// <summary>The worker checks pg_dump/pg_restore against the server at start, says so in its log, and shows the
/// result as <c>press_backup_tools_ok</c> in /metrics.</summary>
public sealed class BackupToolsCheckTests
{
    [Fact]
    public async Task The_worker_reports_working_tools_and_says_plainly_when_they_are_missing()
    {
        await using var db = await PressDatabase.CreateAsync();
        await using var scene = new Scene();
        var empty = Directory.CreateTempSubdirectory("press-no-pg-tools-").FullName;
        try
        {
            var good = await scene.StartWorkerAsync(db, "worker-tools");
            Assert.Equal("1", Exposition.Value((await good.GetAsync("/metrics")).Body, "press_backup_tools_ok"));
            Assert.NotNull(good.Log.Find(l => l.Contains("Backups: pg_dump") && l.Contains("/ server")));

            var bad = await scene.StartWorkerAsync(db, "worker-no-tools", new Dictionary<string, string?> { ["Press:Backups:ToolsFolder"] = empty });
            Assert.Equal("0", Exposition.Value((await bad.GetAsync("/metrics")).Body, "press_backup_tools_ok"));
            Assert.NotNull(bad.Log.Find(l => l.Contains("Backups will fail:") && l.Contains("pg_dump was not found")));
        }
        finally
        {
            Directory.Delete(empty, recursive: true);
        }
    }
}
