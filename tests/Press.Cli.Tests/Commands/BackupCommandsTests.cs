using System.Security.Cryptography;
using System.Text.Json;
using Press.Testing;

namespace Press.Cli.Tests.Commands;

/// <summary>
/// The real <c>press</c> CLI's backup and restore commands without a Press server: usage errors (exit 2 before any
/// request), help, and everything the CLI does on the wire against a tiny HTTP server on 127.0.0.1:49780–49789 that
/// speaks the backup API's contract — above all the two-step download (a manager path with the token, a presigned
/// link without it), streamed to a temporary file that is renamed only once complete.
/// </summary>
public sealed class BackupCommandsTests : IDisposable
{
    private const int FirstPort = 49780;
    private const int LastPort = 49789;
    private const string Token = "cli-backup-test-token";
    private const string Site = "shop.example.com";
    private static readonly Guid BackupId = Guid.Parse("3f2a8c1e-5b7d-4e21-9a0c-1d2e3f4a5b6c");
    private static readonly Guid JobId = BackupId;
    // Within the harness's 60 s per CLI run.
    private static readonly TimeSpan GateTimeout = TimeSpan.FromSeconds(50);

    private readonly string _home = Directory.CreateTempSubdirectory("press-cli-backup-").FullName;
    private readonly PressCli _cli;

    public BackupCommandsTests() => _cli = new PressCli(_home);

    private string DefaultFile(string part, string ext) => Path.Combine(_home, $"{Site}-3f2a8c1e-{part}.{ext}");

    // ---------------------------------------------------------------- help and usage errors (no server at all)

    [Fact]
    public async Task Help_lists_the_backup_and_restore_commands()
    {
        var root = await _cli.RunAsync("--help");
        Assert.True(root.ExitCode == 0, _cli.Transcript);
        Assert.Contains("backup", root.Stdout);

        var backup = await _cli.RunAsync("backup", "--help");
        Assert.True(backup.ExitCode == 0, _cli.Transcript);
        foreach (var command in new[] { "create <name>", "list <name>", "show <id>", "download <id>" })
            Assert.True(backup.Stdout.Contains(command), $"`backup --help` does not list {command}.{_cli.Transcript}");

        var download = await _cli.RunAsync("backup", "download", "--help");
        foreach (var option in new[] { "--part", "-o, --output", "--force", "database", "files", "manifest" })
            Assert.True(download.Stdout.Contains(option), $"`backup download --help` does not mention {option}.{_cli.Transcript}");

        var site = await _cli.RunAsync("site", "--help");
        Assert.Contains("restore <name>", site.Stdout);
        Assert.Contains("rollback-restore <name>", site.Stdout);
        var create = await _cli.RunAsync("site", "create", "--help");
        Assert.Contains("--from-backup", create.Stdout);
        var restore = await _cli.RunAsync("site", "restore", "--help");
        Assert.Contains("--backup <ID> (REQUIRED)", restore.Stdout);
    }

    [Theory]
    [InlineData("'nope' is not a backup id", "backup", "show", "nope")]
    [InlineData("'nope' is not a backup id", "backup", "download", "nope")]
    [InlineData("'logs' not recognized", "backup", "download", "3f2a8c1e-5b7d-4e21-9a0c-1d2e3f4a5b6c", "--part", "logs")]
    [InlineData("Required argument missing for command: 'create'", "backup", "create")]
    [InlineData("Required argument missing for command: 'list'", "backup", "list")]
    [InlineData("Option '--backup' is required", "site", "restore", "a.example.com")]
    [InlineData("--backup: '12' is not a backup id", "site", "restore", "a.example.com", "--backup", "12")]
    [InlineData("--from-backup: 'x' is not a backup id", "site", "create", "b.example.com", "--from-backup", "x")]
    [InlineData("Required argument missing for command: 'rollback-restore'", "site", "rollback-restore")]
    public async Task Usage_errors_exit_2_with_a_clear_message_before_any_request(string message, params string[] args)
    {
        // Pointed at the suite's always-closed port: had the CLI sent anything, it would exit 3 instead.
        var result = await _cli.RunAsync([.. args, "--url", $"http://127.0.0.1:{Ports.AlwaysClosed}", "--token", Token]);
        Assert.True(result.ExitCode == 2, _cli.Transcript);
        Assert.Contains(message, result.Stderr);
        Assert.Contains("--help' for usage", result.Stderr);
        if (message.Contains("backup id")) Assert.Contains("expected a UUID", result.Stderr);
        if (message.Contains("logs")) Assert.Contains("database", result.Stderr);
    }

    [Fact]
    public async Task Download_refuses_an_existing_output_file_before_any_request()
    {
        var existing = Path.Combine(_home, "keep.dump");
        await File.WriteAllTextAsync(existing, "precious");
        var result = await _cli.RunAsync("backup", "download", BackupId.ToString(), "-o", existing,
            "--url", $"http://127.0.0.1:{Ports.AlwaysClosed}", "--token", Token);
        Assert.True(result.ExitCode == 2, _cli.Transcript);
        Assert.Contains("keep.dump already exists; pass --force", result.Stderr);
        Assert.Equal("precious", await File.ReadAllTextAsync(existing));

        var folder = await _cli.RunAsync("backup", "download", BackupId.ToString(), "-o", Path.Combine(_home, "missing", "x.dump"),
            "--url", $"http://127.0.0.1:{Ports.AlwaysClosed}", "--token", Token);
        Assert.True(folder.ExitCode == 2, _cli.Transcript);
        Assert.Contains("does not exist", folder.Stderr);
    }

    // ---------------------------------------------------------------- downloads against the test server

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")] // the file mode 600 is a Unix property
    public async Task Download_through_the_manager_sends_the_token_and_writes_the_default_file_name()
    {
        var bytes = RandomBytes(3 * 1024 * 1024 + 17);
        var relative = $"/api/backups/{BackupId}/parts/database";
        await using var server = TinyHttpServer.Start(FirstPort, LastPort, async (request, response) =>
        {
            if (await ApiAsync(request, response, part => relative, Manifest(("database", bytes)))) return;
            if (request.Path == relative) await response.SendAsync(200, "application/octet-stream", bytes);
            else await NotFoundAsync(response);
        });

        var result = await _cli.RunAsync("backup", "download", BackupId.ToString(), "--url", server.BaseUrl, "--token", Token);
        var context = _cli.Transcript + server.Describe();
        Assert.True(result.ExitCode == 0, context);
        var file = DefaultFile("database", "dump");
        Assert.True(File.Exists(file), $"expected {file}.{context}");
        Assert.Equal(bytes, await File.ReadAllBytesAsync(file));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        Assert.False(File.Exists(file + ".partial"), context);
        Assert.Contains($"Wrote {bytes.Length} bytes", result.Stdout);
        Assert.Contains($"sha256 {Sha256(bytes)} (matches the backup's manifest)", result.Stdout);

        var requests = server.Requests;
        Assert.Equal([$"/api/backups/{BackupId}", $"/api/backups/{BackupId}/download", relative], requests.Select(r => r.Path));
        Assert.Equal("part=database", requests[1].Query);
        Assert.All(requests, r => Assert.Equal($"Bearer {Token}", r.Header("Authorization")));
        Assert.Empty(server.Errors);
    }

    [Fact]
    public async Task A_presigned_link_is_fetched_without_the_token_streamed_to_a_partial_file_and_never_overwritten()
    {
        var first = RandomBytes(2 * 1024 * 1024);
        var second = RandomBytes(1024 * 1024 + 5);
        var content = first.Concat(second).ToArray();
        var halfSent = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var presignedPath = "/bucket/sites/shop/files.tar";
        var servedBodies = 0;
        await using var server = TinyHttpServer.Start(FirstPort, LastPort, async (request, response) =>
        {
            if (await ApiAsync(request, response, part => $"{BaseOf(request)}{presignedPath}?X-Amz-Signature=secret&X-Amz-Expires=900",
                    Manifest(("files", content)))) return;
            if (request.Path != presignedPath)
            {
                await NotFoundAsync(response);
                return;
            }
            var body = await response.StartAsync(200, "application/x-tar", content.Length);
            await body.WriteAsync(first);
            await body.FlushAsync();
            // Halfway: the test looks at the disk before the rest is sent (only on the first download).
            if (Interlocked.Increment(ref servedBodies) == 1)
            {
                halfSent.TrySetResult();
                await gate.Task.WaitAsync(GateTimeout);
            }
            await body.WriteAsync(second);
            await body.FlushAsync();
        });
        var target = Path.Combine(_home, "out", "files.tar");
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);

        var running = _cli.RunAsync("backup", "download", BackupId.ToString(), "--part", "files", "-o", target,
            "--url", server.BaseUrl, "--token", Token);
        // Streamed: the first half is on disk under the temporary name while the rest is still on its way, and
        // nothing exists under the final name yet.
        var partial = target + ".partial";
        // Timed from when the server sent the first half, so a slow CLI start on a loaded machine does not count.
        await Task.WhenAny(halfSent.Task, running, Task.Delay(GateTimeout));
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!(File.Exists(partial) && new FileInfo(partial).Length >= first.Length) && DateTime.UtcNow < deadline && !running.IsCompleted)
            await Task.Delay(20);
        var partialLength = File.Exists(partial) ? new FileInfo(partial).Length : -1;
        var sawPartial = partialLength >= first.Length;
        var finalExistedEarly = File.Exists(target);
        gate.TrySetResult();
        var result = await running;
        var context = _cli.Transcript + server.Describe();
        Assert.True(sawPartial, $"no {partial} holding the first {first.Length} bytes while the download was paused " +
                                $"(half sent: {halfSent.Task.IsCompleted}; .partial length: {partialLength}).{context}");
        Assert.False(finalExistedEarly, $"{target} existed before the download was complete.{context}");
        Assert.True(result.ExitCode == 0, context);
        Assert.Equal(content, await File.ReadAllBytesAsync(target));
        Assert.False(File.Exists(partial), context);
        Assert.Contains($"Wrote {content.Length} bytes (3.0 MiB) to out/files.tar", result.Stdout);
        Assert.DoesNotContain("secret", result.Stdout + result.Stderr);

        var requests = server.Requests;
        var presigned = Assert.Single(requests, r => r.Path == presignedPath);
        Assert.Null(presigned.Header("Authorization"));
        Assert.Equal("X-Amz-Signature=secret&X-Amz-Expires=900", presigned.Query);
        Assert.All(requests.Where(r => r.Path.StartsWith("/api/")), r => Assert.Equal($"Bearer {Token}", r.Header("Authorization")));

        // Again to the same file: refused before any request, the file untouched.
        var before = requests.Count;
        var again = await _cli.RunAsync("backup", "download", BackupId.ToString(), "--part", "files", "-o", target,
            "--url", server.BaseUrl, "--token", Token);
        Assert.True(again.ExitCode == 2, _cli.Transcript);
        Assert.Contains("already exists; pass --force", again.Stderr);
        Assert.Equal(before, server.Requests.Count);
        Assert.Equal(content, await File.ReadAllBytesAsync(target));

        // With --force it is replaced (here by the same bytes over a file changed meanwhile).
        await File.WriteAllTextAsync(target, "stale");
        var forced = await _cli.RunAsync("backup", "download", BackupId.ToString(), "--part", "files", "-o", target, "--force",
            "--url", server.BaseUrl, "--token", Token);
        Assert.True(forced.ExitCode == 0, _cli.Transcript + server.Describe());
        Assert.Equal(content, await File.ReadAllBytesAsync(target));
        Assert.Empty(server.Errors);
    }

    [Fact]
    public async Task Download_into_a_folder_uses_the_default_name_and_json_describes_the_file()
    {
        var manifestBytes = "{\"version\":1}"u8.ToArray();
        var relative = $"/api/backups/{BackupId}/parts/manifest";
        await using var server = TinyHttpServer.Start(FirstPort, LastPort, async (request, response) =>
        {
            if (await ApiAsync(request, response, _ => relative, Manifest())) return;
            if (request.Path == relative) await response.SendAsync(200, "application/json", manifestBytes);
            else await NotFoundAsync(response);
        });
        var folder = Directory.CreateDirectory(Path.Combine(_home, "backups")).FullName;

        var result = await _cli.RunAsync("backup", "download", BackupId.ToString(), "--part", "manifest", "-o", folder, "--json",
            "--url", server.BaseUrl, "--token", Token);
        Assert.True(result.ExitCode == 0, _cli.Transcript + server.Describe());
        var file = Path.Combine(folder, $"{Site}-3f2a8c1e-manifest.json");
        Assert.Equal(manifestBytes, await File.ReadAllBytesAsync(file));
        using var doc = JsonDocument.Parse(result.Stdout);
        Assert.Equal(file, doc.RootElement.GetProperty("path").GetString());
        Assert.Equal(manifestBytes.Length, doc.RootElement.GetProperty("bytes").GetInt64());
        Assert.Equal(Sha256(manifestBytes), doc.RootElement.GetProperty("sha256").GetString());
        Assert.False(doc.RootElement.GetProperty("verified").GetBoolean()); // the manifest does not list itself
    }

    [Fact]
    public async Task A_missing_part_is_the_servers_404_and_writes_nothing()
    {
        await using var server = TinyHttpServer.Start(FirstPort, LastPort, async (request, response) =>
        {
            if (request.Path == $"/api/backups/{BackupId}/download")
            {
                await response.JsonAsync(404, """{"title":"Backup part not found","status":404,"detail":"This backup has no files part."}""",
                    "application/problem+json");
                return;
            }
            if (!await ApiAsync(request, response, _ => "/unused", Manifest())) await NotFoundAsync(response);
        });

        var result = await _cli.RunAsync("backup", "download", BackupId.ToString(), "--part", "files", "--url", server.BaseUrl, "--token", Token);
        Assert.True(result.ExitCode == 1, _cli.Transcript + server.Describe());
        Assert.Contains("error: Backup part not found (HTTP 404)", result.Stderr);
        Assert.Contains("This backup has no files part.", result.Stderr);
        Assert.Empty(Directory.GetFiles(_home));
    }

    [Fact]
    public async Task A_download_that_breaks_off_exits_3_and_leaves_no_file()
    {
        var bytes = RandomBytes(1024 * 1024);
        const string presignedPath = "/bucket/db.dump";
        await using var server = TinyHttpServer.Start(FirstPort, LastPort, async (request, response) =>
        {
            if (await ApiAsync(request, response, _ => $"{BaseOf(request)}{presignedPath}?sig=1", Manifest(("database", bytes)))) return;
            // Announce the whole length, send half, hang up.
            var body = await response.StartAsync(200, "application/octet-stream", bytes.Length);
            await body.WriteAsync(bytes.AsMemory(0, bytes.Length / 2));
            await body.FlushAsync();
        });

        var result = await _cli.RunAsync("backup", "download", BackupId.ToString(), "--url", server.BaseUrl, "--token", Token);
        Assert.True(result.ExitCode == 3, _cli.Transcript + server.Describe());
        Assert.Contains("cannot reach the backup store at", result.Stderr);
        Assert.Contains("broke off", result.Stderr);
        Assert.DoesNotContain("sig=1", result.Stderr);
        Assert.Empty(Directory.GetFiles(_home));
    }

    [Fact]
    public async Task Bytes_that_do_not_match_the_manifest_are_not_kept()
    {
        var promised = RandomBytes(64 * 1024);
        var served = RandomBytes(64 * 1024);
        var relative = $"/api/backups/{BackupId}/parts/database";
        await using var server = TinyHttpServer.Start(FirstPort, LastPort, async (request, response) =>
        {
            if (await ApiAsync(request, response, _ => relative, Manifest(("database", promised)))) return;
            await response.SendAsync(200, "application/octet-stream", served);
        });

        var result = await _cli.RunAsync("backup", "download", BackupId.ToString(), "--url", server.BaseUrl, "--token", Token);
        Assert.True(result.ExitCode == 1, _cli.Transcript + server.Describe());
        Assert.Contains($"SHA-256 {Sha256(served)} of the received bytes differs from the manifest's {Sha256(promised)}", result.Stderr);
        Assert.Empty(Directory.GetFiles(_home));
    }

    // ---------------------------------------------------------------- list, show and the job-queueing commands

    [Fact]
    public async Task List_and_show_render_the_backup_documents()
    {
        var list = $$"""
            {"items":[
              {"id":"{{BackupId}}","site":"{{Site}}","trigger":"manual","state":"Good","createdAt":"2026-11-27T08:00:00Z",
               "finishedAt":"2026-11-27T08:01:00Z","expiresAt":"2026-12-27T08:00:00Z","sizeBytes":1572864,
               "verification":{"at":"2026-11-27T08:02:00Z","ok":true,"detail":"restored into a scratch schema"},"manifest":null},
              {"id":"11111111-2222-3333-4444-555555555555","site":"{{Site}}","trigger":"scheduled","state":"Failed",
               "createdAt":"2026-11-26T08:00:00Z","expiresAt":"2026-12-26T08:00:00Z","error":"pg_dump exited 1","verification":null}],
             "newestGoodAt":"2026-11-27T08:01:00Z","stale":true}
            """;
        await using var server = TinyHttpServer.Start(FirstPort, LastPort, async (request, response) =>
        {
            if (request.Path == $"/api/sites/{Site}/backups") await response.JsonAsync(200, list);
            else if (!await ApiAsync(request, response, _ => "/unused", Manifest(("database", RandomBytes(10)), ("files", RandomBytes(2048)))))
                await NotFoundAsync(response);
        });
        string[] connection = ["--url", server.BaseUrl, "--token", Token];

        var table = await _cli.RunAsync(["backup", "list", Site, .. connection]);
        Assert.True(table.ExitCode == 0, _cli.Transcript + server.Describe());
        var lines = table.Stdout.Split('\n');
        Assert.Equal(["ID", "STATE", "TRIGGER", "CREATED", "SIZE", "VERIFIED"], lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains(lines, l => l.StartsWith(BackupId.ToString()) && l.Contains("Good") && l.Contains("manual") && l.Contains("1.5 MiB") && l.TrimEnd().EndsWith("yes"));
        Assert.Contains(lines, l => l.StartsWith("11111111-") && l.Contains("Failed") && l.Contains("scheduled"));
        Assert.Contains("STALE: the newest good backup is from", table.Stdout);

        var json = await _cli.RunAsync(["backup", "list", Site, "--json", .. connection]);
        Assert.True(json.ExitCode == 0, _cli.Transcript);
        Assert.Equal(list.Trim(), json.Stdout.Trim());

        var show = await _cli.RunAsync(["backup", "show", BackupId.ToString(), .. connection]);
        Assert.True(show.ExitCode == 0, _cli.Transcript + server.Describe());
        foreach (var expected in new[]
                 {
                     BackupId.ToString(), Site, "Good", "manual", "ok at ", "restored into a scratch schema", "server 16.4, pg_dump 16.4",
                     "3 tables, 1,234 rows", "PART", "SHA256", "database", "10 B", "files", "2.0 KiB (2,048 B)", "sites/shop/files.tar",
                 })
            Assert.True(show.Stdout.Contains(expected), $"`backup show` lacks '{expected}'.{_cli.Transcript}");

        var unknown = await _cli.RunAsync(["backup", "show", Guid.Empty.ToString(), .. connection]);
        Assert.True(unknown.ExitCode == 1, _cli.Transcript);
        Assert.Contains("(HTTP 404)", unknown.Stderr);
    }

    [Fact]
    public async Task Backup_create_restore_rollback_and_create_from_backup_queue_jobs_and_wait_for_them()
    {
        var jobState = "Succeeded";
        await using var server = TinyHttpServer.Start(FirstPort, LastPort, async (request, response) =>
        {
            if (request.Method == "POST") await response.JsonAsync(202, JobJson("Pending"));
            else if (request.Path == $"/api/jobs/{JobId}") await response.JsonAsync(200, JobJson(jobState));
            else await NotFoundAsync(response); // no event stream: --wait falls back to polling the job
        });
        string[] connection = ["--url", server.BaseUrl, "--token", Token];

        var create = await _cli.RunAsync(["backup", "create", Site, .. connection]);
        Assert.True(create.ExitCode == 0, _cli.Transcript + server.Describe());
        Assert.Contains($"Backing up {Site}: job {JobId} is Pending.", create.Stdout);
        Assert.Contains($"press backup show {JobId}", create.Stdout);

        var waited = await _cli.RunAsync(["backup", "create", Site, "--wait", .. connection]);
        Assert.True(waited.ExitCode == 0, _cli.Transcript + server.Describe());
        Assert.Contains($"BackupSite {Site} succeeded", waited.Stdout);

        var restore = await _cli.RunAsync(["site", "restore", Site, "--backup", BackupId.ToString(), .. connection]);
        Assert.True(restore.ExitCode == 0, _cli.Transcript + server.Describe());
        var rollback = await _cli.RunAsync(["site", "rollback-restore", Site, "--json", .. connection]);
        Assert.True(rollback.ExitCode == 0, _cli.Transcript + server.Describe());
        Assert.Equal(JobJson("Pending"), rollback.Stdout.Trim());
        var fromBackup = await _cli.RunAsync(["site", "create", "copy.example.com", "--from-backup", BackupId.ToString(), .. connection]);
        Assert.True(fromBackup.ExitCode == 0, _cli.Transcript + server.Describe());
        var withApps = await _cli.RunAsync(["site", "create", "copy2.example.com", "--from-backup", BackupId.ToString(), "--app", "erpnext", .. connection]);
        Assert.True(withApps.ExitCode == 0, _cli.Transcript + server.Describe());
        var plain = await _cli.RunAsync(["site", "create", "new.example.com", .. connection]);
        Assert.True(plain.ExitCode == 0, _cli.Transcript + server.Describe());

        jobState = "Failed";
        var failed = await _cli.RunAsync(["site", "restore", Site, "--backup", BackupId.ToString(), "--wait", .. connection]);
        Assert.True(failed.ExitCode == 1, _cli.Transcript + server.Describe());
        Assert.Contains("failed at step restore-database", failed.Stderr);

        var posts = server.Requests.Where(r => r.Method == "POST").ToList();
        Assert.Equal(
            [
                $"/api/sites/{Site}/backups", $"/api/sites/{Site}/backups", $"/api/sites/{Site}/restore", $"/api/sites/{Site}/rollback-restore",
                "/api/sites", "/api/sites", "/api/sites", $"/api/sites/{Site}/restore",
            ],
            posts.Select(r => r.Path));
        Assert.Equal("", posts[0].Body);
        Assert.Equal(JsonSerializer.Serialize(new { backupId = BackupId }), Compact(posts[2].Body));
        Assert.Equal("", posts[3].Body);
        Assert.Equal($$"""{"name":"copy.example.com","fromBackup":"{{BackupId}}"}""", Compact(posts[4].Body));
        Assert.Equal($$"""{"name":"copy2.example.com","apps":["erpnext"],"fromBackup":"{{BackupId}}"}""", Compact(posts[5].Body));
        Assert.Equal("""{"name":"new.example.com","apps":[]}""", Compact(posts[6].Body));
        Assert.All(server.Requests, r => Assert.Equal($"Bearer {Token}", r.Header("Authorization")));
        Assert.Empty(server.Errors);

        string JobJson(string state) =>
            $$"""{"id":"{{JobId}}","kind":"BackupSite","state":"{{state}}","site":"{{Site}}","createdAt":"2026-11-27T08:00:00Z",""" +
            (state == "Failed" ? "\"failedStep\":\"restore-database\",\"error\":\"boom\"," : "") + "\"steps\":[]}";
    }

    // ---------------------------------------------------------------- helpers

    /// <summary>Answers GET /api/backups/{id} and its /download link; false for anything else.</summary>
    private static async Task<bool> ApiAsync(TinyHttpServer.Request request, TinyHttpServer.Response response,
        Func<string, string> linkFor, string manifest)
    {
        if (request.Method != "GET") return false;
        if (request.Path == $"/api/backups/{BackupId}")
        {
            await response.JsonAsync(200, $$"""
                {"id":"{{BackupId}}","site":"{{Site}}","trigger":"manual","state":"Good","createdAt":"2026-11-27T08:00:00Z",
                 "finishedAt":"2026-11-27T08:01:00Z","expiresAt":"2026-12-27T08:00:00Z","sizeBytes":4096,
                 "verification":{"at":"2026-11-27T08:02:00Z","ok":true,"detail":"restored into a scratch schema"},
                 "manifest":{{manifest}}}
                """);
            return true;
        }
        if (request.Path == $"/api/backups/{BackupId}/download")
        {
            var part = request.Query.Replace("part=", "");
            await response.JsonAsync(200, $$"""{"part":"{{part}}","url":"{{linkFor(part)}}","expiresAt":"2026-11-27T09:00:00Z"}""");
            return true;
        }
        return false;
    }

    private static Task NotFoundAsync(TinyHttpServer.Response response) =>
        response.JsonAsync(404, """{"title":"Not found","status":404}""", "application/problem+json");

    private static string BaseOf(TinyHttpServer.Request request) => $"http://{request.Header("Host")}";

    private static string Manifest(params (string Name, byte[] Bytes)[] parts) =>
        JsonSerializer.Serialize(new
        {
            parts = parts.Select(p => new { name = p.Name, key = $"sites/shop/{p.Name}.{(p.Name == "files" ? "tar" : "dump")}", size = p.Bytes.Length, sha256 = Sha256(p.Bytes) }),
            postgres = new { server = "16.4", pgDump = "16.4" },
            tables = new Dictionary<string, long> { ["tabUser"] = 4, ["tabItem"] = 1000, ["tabSingles"] = 230 },
        });

    private static string Compact(string json) => JsonSerializer.Serialize(JsonDocument.Parse(json).RootElement);

    private static byte[] RandomBytes(int length) => RandomNumberGenerator.GetBytes(length);

    private static string Sha256(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    public void Dispose()
    {
        try { Directory.Delete(_home, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
