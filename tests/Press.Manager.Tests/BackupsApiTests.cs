using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Press.Core.Backups;
using Press.Core.Ports;
using Press.Manager.Tests.Harness;

namespace Press.Manager.Tests;

/// <summary>The backup endpoints without running backup jobs: no worker, sites and backups written as rows.</summary>
public sealed class BackupsApiTests(PressAppWithoutWorker fixture) : IClassFixture<PressAppWithoutWorker>
{
    private PressApp App => fixture.App;
    private const string SomeId = "0199a3b2-6f1c-7d2e-9a4b-1c2d3e4f5a6b";

    /// <summary>(label, method, path, content type or "" for no body, body, a word the message must contain).</summary>
    public static TheoryData<string, string, string, string, string, string> BadRequests()
    {
        var d = new TheoryData<string, string, string, string, string, string>();
        const string restore = "/api/sites/bad.example.com/restore";
        d.Add("restore: no body", "POST", restore, "", "", "Content-Type");
        d.Add("restore: form body", "POST", restore, "application/x-www-form-urlencoded", $"backupId={SomeId}", "Content-Type");
        d.Add("restore: not json", "POST", restore, "application/json", "backupId please", "not valid JSON");
        d.Add("restore: array", "POST", restore, "application/json", $"[\"{SomeId}\"]", "JSON object");
        d.Add("restore: empty object", "POST", restore, "application/json", "{}", "'backupId' is required");
        d.Add("restore: null id", "POST", restore, "application/json", "{\"backupId\":null}", "'backupId' is required");
        d.Add("restore: number id", "POST", restore, "application/json", "{\"backupId\":42}", "must be a string");
        d.Add("restore: not a uuid", "POST", restore, "application/json", "{\"backupId\":\"latest\"}", "UUID");
        d.Add("restore: truncated uuid", "POST", restore, "application/json", "{\"backupId\":\"0199a3b2-6f1c-7d2e\"}", "UUID");
        d.Add("restore: sql in id", "POST", restore, "application/json", "{\"backupId\":\"'; DROP TABLE backups;--\"}", "UUID");
        d.Add("restore: unknown field", "POST", restore, "application/json", $"{{\"backupId\":\"{SomeId}\",\"force\":true}}", "Unknown field 'force'");
        d.Add("restore: id misspelt", "POST", restore, "application/json", $"{{\"backup_id\":\"{SomeId}\"}}", "Unknown field 'backup_id'");
        d.Add("create from backup: not a uuid", "POST", "/api/sites", "application/json", "{\"name\":\"fb.example.com\",\"fromBackup\":\"yesterday\"}", "UUID");
        d.Add("create from backup: number", "POST", "/api/sites", "application/json", "{\"name\":\"fb.example.com\",\"fromBackup\":7}", "must be a string");
        d.Add("create from backup: with apps", "POST", "/api/sites", "application/json",
            $"{{\"name\":\"fb.example.com\",\"fromBackup\":\"{SomeId}\",\"apps\":[\"erpnext\"]}}", "apps the backup recorded");
        d.Add("create from backup: bad name", "POST", "/api/sites", "application/json", $"{{\"name\":\"Bad Name\",\"fromBackup\":\"{SomeId}\"}}", "only lowercase");
        d.Add("create from backup: no name", "POST", "/api/sites", "application/json", $"{{\"fromBackup\":\"{SomeId}\"}}", "'name' is required");
        d.Add("get: not a uuid", "GET", "/api/backups/latest", "", "", "not a backup id");
        d.Add("get: number", "GET", "/api/backups/12345", "", "", "not a backup id");
        d.Add("get: sql", "GET", "/api/backups/'%20OR%201=1--", "", "", "not a backup id");
        d.Add("download: no part", "GET", $"/api/backups/{SomeId}/download", "", "", "'part' is required");
        d.Add("download: unknown part", "GET", $"/api/backups/{SomeId}/download?part=logs", "", "", "database, files, config, manifest");
        d.Add("download: traversal part", "GET", $"/api/backups/{SomeId}/download?part=../../etc/passwd", "", "", "Unknown part");
        d.Add("download: part case", "GET", $"/api/backups/{SomeId}/download?part=Database", "", "", "Unknown part");
        d.Add("download: bad id", "GET", "/api/backups/nope/download?part=database", "", "", "not a backup id");
        d.Add("parts: unknown part", "GET", $"/api/backups/{SomeId}/parts/secrets", "", "", "database, files, config, manifest");
        d.Add("parts: bad id", "GET", "/api/backups/nope/parts/database", "", "", "not a backup id");
        return d;
    }

    [Theory]
    [MemberData(nameof(BadRequests))]
    public async Task Bad_requests_get_400_with_a_useful_message_and_change_nothing(
        string label, string method, string path, string contentType, string body, string expected)
    {
        var before = await Footprint();
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (contentType.Length > 0)
        {
            request.Content = new StringContent(body, Encoding.UTF8);
            request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(contentType);
        }
        var response = await App.Admin.SendAsync(request);
        var problem = await response.Json(HttpStatusCode.BadRequest);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var messages = problem.GetProperty("errors").EnumerateObject()
            .SelectMany(e => e.Value.EnumerateArray().Select(m => m.GetString()!)).ToList();
        Assert.True(messages.Any(m => m.Contains(expected, StringComparison.Ordinal)),
            $"[{label}] no message mentions '{expected}': {string.Join(" | ", messages)}");
        Assert.All(messages, m => Assert.True(m.Length >= 20, $"[{label}] message too short to help: '{m}'"));
        Assert.Equal(before, await Footprint());
    }

    private async Task<string> Footprint()
    {
        var db = App.Db;
        return string.Join(",",
            await db.CountAsync("SELECT count(*) FROM sites", db.MetadataDatabase),
            await db.CountAsync("SELECT count(*) FROM jobs", db.MetadataDatabase),
            await db.CountAsync("SELECT count(*) FROM backups", db.MetadataDatabase),
            await db.CountAsync("SELECT count(*) FROM audit_events", db.MetadataDatabase));
    }

    [Fact]
    public async Task Unknown_sites_and_backups_are_404()
    {
        var api = App.Admin;
        var unknown = Guid.NewGuid();
        await Problem(await api.GetAsync("/api/sites/nosuch.example.com/backups"), HttpStatusCode.NotFound, "nosuch.example.com");
        await Problem(await api.PostAsync("/api/sites/nosuch.example.com/backups", null), HttpStatusCode.NotFound, "nosuch.example.com");
        await Problem(await api.PostAsync("/api/sites/nosuch.example.com/rollback-restore", null), HttpStatusCode.NotFound, "nosuch.example.com");
        await Problem(await api.PostAsJsonAsync("/api/sites/nosuch.example.com/restore", new { backupId = unknown }), HttpStatusCode.NotFound, "nosuch.example.com");
        await Problem(await api.GetAsync($"/api/backups/{unknown}"), HttpStatusCode.NotFound, unknown.ToString());
        await Problem(await api.GetAsync($"/api/backups/{unknown}/download?part=database"), HttpStatusCode.NotFound, unknown.ToString());
        await Problem(await api.GetAsync($"/api/backups/{unknown}/parts/database"), HttpStatusCode.NotFound, unknown.ToString());
        await Problem(await api.PostAsJsonAsync("/api/sites", new { name = "copy404.example.com", fromBackup = unknown }), HttpStatusCode.NotFound, unknown.ToString());
        Assert.Equal(0, await App.Db.CountAsync("SELECT count(*) FROM sites WHERE name = 'copy404.example.com'", App.Db.MetadataDatabase));
    }

    [Fact]
    public async Task Viewers_may_list_but_not_back_up_restore_or_download()
    {
        var siteId = await App.Db.InsertActiveSiteAsync("viewed.example.com", App.Time.GetUtcNow());
        var backupId = await App.Db.InsertGoodBackupAsync(siteId, "viewed.example.com", App.Time.GetUtcNow());
        var viewer = await App.ClientWithTokenAsync("viewer");
        var list = await viewer.GetJsonAsync("/api/sites/viewed.example.com/backups");
        Assert.Equal(backupId, list.GetProperty("items")[0].GetProperty("id").GetGuid());
        await viewer.GetJsonAsync($"/api/backups/{backupId}");

        var jobsBefore = await App.Db.CountAsync("SELECT count(*) FROM jobs", App.Db.MetadataDatabase);
        await (await viewer.PostAsync("/api/sites/viewed.example.com/backups", null)).Json(HttpStatusCode.Forbidden);
        await (await viewer.PostAsJsonAsync("/api/sites/viewed.example.com/restore", new { backupId })).Json(HttpStatusCode.Forbidden);
        await (await viewer.PostAsync("/api/sites/viewed.example.com/rollback-restore", null)).Json(HttpStatusCode.Forbidden);
        await (await viewer.PostAsJsonAsync("/api/sites", new { name = "viewercopy.example.com", fromBackup = backupId })).Json(HttpStatusCode.Forbidden);
        await (await viewer.GetAsync($"/api/backups/{backupId}/download?part=manifest")).Json(HttpStatusCode.Forbidden);
        await (await viewer.GetAsync($"/api/backups/{backupId}/parts/manifest")).Json(HttpStatusCode.Forbidden);
        Assert.Equal(jobsBefore, await App.Db.CountAsync("SELECT count(*) FROM jobs", App.Db.MetadataDatabase));
    }

    [Fact]
    public async Task Backup_restore_rollback_and_create_from_backup_return_jobs()
    {
        var api = App.Admin;
        await App.Db.InsertActiveSiteAsync("ops.example.com", App.Time.GetUtcNow());
        var response = await api.PostAsync("/api/sites/ops.example.com/backups", null);
        var job = await response.Json(HttpStatusCode.Accepted);
        Assert.Equal($"/api/jobs/{job.JobId()}", response.Headers.Location?.OriginalString);
        Assert.Equal("BackupSite", job.GetProperty("kind").GetString());
        var backup = await api.GetJsonAsync($"/api/backups/{job.JobId()}");
        Assert.Equal("Manual", backup.GetProperty("trigger").GetString());
        Assert.Equal("Running", backup.State());
        Assert.Equal("ops.example.com", backup.GetProperty("site").GetString());
        Assert.Equal(JsonValueKind.Null, backup.GetProperty("manifest").ValueKind);
        Assert.Equal(JsonValueKind.Null, backup.GetProperty("sizeBytes").ValueKind);
        var list = await api.GetJsonAsync("/api/sites/ops.example.com/backups");
        Assert.Equal(job.JobId(), list.GetProperty("items")[0].GetProperty("id").GetGuid());
        Assert.Equal(JsonValueKind.Null, list.GetProperty("newestGoodAt").ValueKind);
        Assert.False(list.GetProperty("stale").GetBoolean());
        // One job per site at a time.
        await Problem(await api.PostAsync("/api/sites/ops.example.com/backups", null), HttpStatusCode.Conflict, "");

        var siteId = await App.Db.InsertActiveSiteAsync("restore.example.com", App.Time.GetUtcNow());
        var good = await App.Db.InsertGoodBackupAsync(siteId, "restore.example.com", App.Time.GetUtcNow());
        await Problem(await api.PostAsync("/api/sites/restore.example.com/rollback-restore", null), HttpStatusCode.Conflict, "no restore to roll back");
        var otherId = await App.Db.InsertActiveSiteAsync("other.example.com", App.Time.GetUtcNow());
        await Problem(await api.PostAsJsonAsync("/api/sites/other.example.com/restore", new { backupId = good }), HttpStatusCode.Conflict, "restore.example.com");

        var restore = await (await api.PostAsJsonAsync("/api/sites/restore.example.com/restore", new { backupId = good })).Json(HttpStatusCode.Accepted);
        Assert.Equal("RestoreSite", restore.GetProperty("kind").GetString());
        var created = await (await api.PostAsJsonAsync("/api/sites", new { name = "copy.example.com", fromBackup = good })).Json(HttpStatusCode.Accepted);
        Assert.Equal("NewSiteFromBackup", created.GetProperty("kind").GetString());
        Assert.Equal("copy.example.com", created.GetProperty("site").GetString());

        // Only good backups restore.
        await App.Db.ExecAsync($"UPDATE backups SET pruned_at = now() WHERE id = '{good}'");
        await Problem(await api.PostAsJsonAsync("/api/sites", new { name = "copy2.example.com", fromBackup = good }), HttpStatusCode.Conflict, "Pruned");
        _ = otherId;

        var audit = await api.GetJsonAsync("/api/audit?site=restore.example.com");
        Assert.Contains("site.restore", audit.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("action").GetString()));
    }

    [Fact]
    public async Task Folder_store_downloads_go_through_the_manager_and_stream_the_exact_bytes()
    {
        var api = App.Admin;
        const string site = "dl.example.com";
        var siteId = await App.Db.InsertActiveSiteAsync(site, App.Time.GetUtcNow());
        var backupId = Guid.CreateVersion7();
        var store = App.ManagerServices.GetRequiredService<IObjectStore>();
        var bytes = RandomNumberGenerator.GetBytes(3 * 1024 * 1024 + 17);
        var uploaded = await store.PutAsync(BackupParts.Key(siteId, backupId, BackupParts.Database), new MemoryStream(bytes), CancellationToken.None);
        var part = new BackupPart(BackupParts.Database, uploaded.Key, uploaded.Size, uploaded.Sha256);
        await App.Db.InsertGoodBackupAsync(siteId, site, App.Time.GetUtcNow(), [part], verifiedOk: true, id: backupId);

        var dto = await api.GetJsonAsync($"/api/backups/{backupId}");
        Assert.Equal(bytes.Length, dto.GetProperty("sizeBytes").GetInt64());
        Assert.Equal("Good", dto.State());
        Assert.True(dto.GetProperty("verification").GetProperty("ok").GetBoolean());
        Assert.Equal(uploaded.Sha256, dto.GetProperty("manifest").GetProperty("parts")[0].GetProperty("sha256").GetString());
        Assert.Equal(3, dto.GetProperty("manifest").GetProperty("tables").GetProperty("tabUser").GetInt64());

        var auditBefore = await App.Db.CountAsync("SELECT count(*) FROM audit_events WHERE action = 'backup.download'", App.Db.MetadataDatabase);
        var link = await api.GetJsonAsync($"/api/backups/{backupId}/download?part=database");
        Assert.Equal("database", link.GetProperty("part").GetString());
        Assert.Equal($"/api/backups/{backupId}/parts/database", link.GetProperty("url").GetString());
        Assert.Equal(App.Time.GetUtcNow() + TimeSpan.FromMinutes(15), link.GetProperty("expiresAt").GetDateTimeOffset());
        Assert.Equal(auditBefore + 1, await App.Db.CountAsync(
            $"SELECT count(*) FROM audit_events WHERE action = 'backup.download' AND target = '{backupId}' AND details->>'part' = 'database'", App.Db.MetadataDatabase));

        using var download = await api.GetAsync(link.GetProperty("url").GetString(), HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.Equal("application/octet-stream", download.Content.Headers.ContentType?.MediaType);
        Assert.Equal(bytes.Length, download.Content.Headers.ContentLength);
        Assert.Equal("attachment", download.Content.Headers.ContentDisposition?.DispositionType);
        Assert.Equal($"{site}-{backupId.ToString("N")[..8]}-database.dump", download.Content.Headers.ContentDisposition?.FileName?.Trim('"'));
        Assert.Equal(bytes, await download.Content.ReadAsByteArrayAsync());

        // A part never recorded, and a recorded part gone from the store, are 404.
        await Problem(await api.GetAsync($"/api/backups/{backupId}/download?part=files"), HttpStatusCode.NotFound, "no files part");
        await Problem(await api.GetAsync($"/api/backups/{backupId}/parts/files"), HttpStatusCode.NotFound, "no files part");

        // A soft-deleted site's backups are still listed.
        await App.Db.ExecAsync($"UPDATE sites SET state = 'Deleted', deleted_at = now(), purge_after = now() + interval '30 days' WHERE id = '{siteId}'");
        var list = await api.GetJsonAsync($"/api/sites/{site}/backups");
        Assert.Equal(backupId, list.GetProperty("items")[0].GetProperty("id").GetGuid());
        Assert.False(list.GetProperty("stale").GetBoolean());

        // Pruned: the data is gone, say so.
        await App.Db.ExecAsync($"UPDATE backups SET pruned_at = now() WHERE id = '{backupId}'");
        await Problem(await api.GetAsync($"/api/backups/{backupId}/download?part=database"), HttpStatusCode.Conflict, "pruned");
        await Problem(await api.GetAsync($"/api/backups/{backupId}/parts/database"), HttpStatusCode.Conflict, "pruned");
        Assert.Equal("Pruned", (await api.GetJsonAsync($"/api/backups/{backupId}")).State());
    }

    [Fact]
    public async Task OpenApi_documents_the_backup_endpoints()
    {
        var doc = await (await App.Admin.GetAsync("/openapi/v1.json")).Json(HttpStatusCode.OK);
        var paths = doc.GetProperty("paths");
        foreach (var (path, method) in new[] { ("/api/sites/{name}/backups", "post"), ("/api/sites/{name}/backups", "get"),
                     ("/api/sites/{name}/restore", "post"), ("/api/sites/{name}/rollback-restore", "post"), ("/api/backups/{id}", "get"),
                     ("/api/backups/{id}/download", "get"), ("/api/backups/{id}/parts/{part}", "get") })
        {
            Assert.True(paths.TryGetProperty(path, out var item) && item.TryGetProperty(method, out _), $"OpenAPI lacks {method} {path}");
            var op = item.GetProperty(method);
            Assert.False(string.IsNullOrEmpty(op.GetProperty("summary").GetString()), $"{method} {path} has no summary");
        }
        var restoreBody = paths.GetProperty("/api/sites/{name}/restore").GetProperty("post").GetProperty("requestBody")
            .GetProperty("content").GetProperty("application/json").GetProperty("schema");
        Assert.Equal(JsonValueKind.Object, restoreBody.ValueKind);
        Assert.True(paths.GetProperty("/api/backups/{id}/download").GetProperty("get").GetProperty("responses").TryGetProperty("409", out _));
    }

    private static async Task Problem(HttpResponseMessage response, HttpStatusCode expected, string detailContains)
    {
        var problem = await response.Json(expected);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(detailContains, problem.GetProperty("detail").GetString());
    }
}
