using Press.Infrastructure.Postgres.Archive;
using Press.Testing;

namespace Press.Infrastructure.Tests.Jobs;

/// <summary>
/// A backup step whose run lost its lease is cancelled in the middle of <c>pg_dump</c>: the dump must stop too, not
/// stream on beside the next claim's dump of the same site.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")] // process list under /proc
public sealed class DumpCancellationTests(InfraFixture f) : IClassFixture<InfraFixture>
{
    [Fact]
    public async Task A_cancelled_dump_kills_pg_dump()
    {
        var site = await f.ProvisionSiteAsync();
        // Well over a pipe buffer of compressed output, so pg_dump is still writing when the step is cancelled.
        await f.SuperExecInAsync(f.Db.SitesDatabase, $"""
            SET ROLE "{site.Role}";
            CREATE TABLE "{site.Schema}".big AS SELECT g AS id, md5(random()::text) || md5(random()::text) AS v FROM generate_series(1, 60000) g;
            """);
        var archive = new PgSchemaArchive(new BackupOptions { ToolsFolder = TestServices.PgTools }, f.Sources);
        var uploading = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var cancel = new CancellationTokenSource();

        var dump = archive.DumpAsync(site.Site, async (_, stream, token) =>
        {
            var first = new byte[1024];
            await stream.ReadExactlyAsync(first, token);
            uploading.SetResult();
            await Task.Delay(Timeout.Infinite, token); // a slow store: pg_dump blocks on its full pipe
            throw new InvalidOperationException("not reached");
        }, cancel.Token);
        await uploading.Task.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.NotEmpty(PgDumpsOf(site.Schema));

        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => dump.WaitAsync(TimeSpan.FromSeconds(30)));
        for (var i = 0; i < 100 && PgDumpsOf(site.Schema).Count > 0; i++) await Task.Delay(50);
        Assert.Empty(PgDumpsOf(site.Schema));
    }

    /// <summary>Live pg_dump processes dumping this schema.</summary>
    private static List<int> PgDumpsOf(string schema)
    {
        var found = new List<int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
            try
            {
                var argv = File.ReadAllText(Path.Combine(dir, "cmdline")).Split('\0');
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var zombie = stat[(stat.LastIndexOf(')') + 2)..][0] == 'Z';
                // The tools may run through their own loader: pg_dump is then an argument, not argv[0].
                if (!zombie && argv.Any(a => a.EndsWith("/pg_dump", StringComparison.Ordinal) || a == "pg_dump") && argv.Contains($"--schema={schema}")) found.Add(pid);
            }
            catch (IOException) { } // gone meanwhile
            catch (UnauthorizedAccessException) { }
        }
        return found;
    }
}
