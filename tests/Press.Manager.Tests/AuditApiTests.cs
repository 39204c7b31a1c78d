using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Press.Manager.Tests.Harness;

namespace Press.Manager.Tests;

/// <summary>
/// docs/architecture.md §14: the audit chain verified over the API, the JSON-lines export, and what gets audited —
/// restores with their backup, settings with the value they replaced, failed local logins (never an unknown name).
/// </summary>
public sealed class AuditApiTests(PressAppWithoutWorker fixture) : IClassFixture<PressAppWithoutWorker>
{
    private PressApp App => fixture.App;

    private async Task<List<JsonElement>> ExportAsync(string query = "")
    {
        using var response = await App.Admin.GetAsync("/api/audit/export" + query);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/x-ndjson", response.Content.Headers.ContentType?.MediaType);
        var text = await response.Content.ReadAsStringAsync();
        if (text.Length > 0) Assert.EndsWith("\n", text);
        return text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();
    }

    [Fact]
    public async Task A_restore_is_audited_with_its_backup_and_the_chain_verifies()
    {
        var siteId = await App.Db.InsertActiveSiteAsync("audited-restore.example.com", App.Time.GetUtcNow());
        var backupId = await App.Db.InsertGoodBackupAsync(siteId, "audited-restore.example.com", App.Time.GetUtcNow());
        await (await App.Admin.PostAsJsonAsync("/api/sites/audited-restore.example.com/restore", new { backupId })).Json(HttpStatusCode.Accepted);

        var restore = Assert.Single(await ExportAsync("?site=audited-restore.example.com"));
        Assert.Equal("site.restore", restore.GetProperty("action").GetString());
        Assert.Equal(backupId.ToString(), restore.GetProperty("details").GetProperty("backupId").GetString());
        Assert.Matches("^[0-9a-f]{64}$", restore.GetProperty("hash").GetString()!);

        var verify = await App.Admin.GetJsonAsync("/api/audit/verify");
        Assert.True(verify.GetProperty("intact").GetBoolean(), verify.GetProperty("problem").ToString());
        Assert.True(verify.GetProperty("entries").GetInt64() >= 1);
        Assert.Equal(JsonValueKind.Null, verify.GetProperty("firstBrokenId").ValueKind);
    }

    [Fact]
    public async Task A_setting_change_records_the_value_it_replaced()
    {
        await (await App.Admin.PutAsJsonAsync("/api/settings/backups.retentionDays", new { value = "40" })).Json(HttpStatusCode.OK);
        await (await App.Admin.PutAsJsonAsync("/api/settings/backups.retentionDays", new { value = "41" })).Json(HttpStatusCode.OK);

        var last = (await ExportAsync()).Last(e => e.GetProperty("action").GetString() == "setting.set");
        Assert.Equal("backups.retentionDays", last.GetProperty("target").GetString());
        Assert.Equal("""{"value":"41","previous":"40"}""", last.GetProperty("details").GetRawText().Replace(" ", ""));
    }

    [Fact]
    public async Task Failed_local_logins_are_audited_and_an_unknown_name_is_never_recorded()
    {
        App.Time.Advance(TimeSpan.FromHours(1)); // no throttle left from another test
        async Task<int> BasicAsync(string user, string password)
        {
            var ctx = await App.Server.SendAsync("POST", "/api/tokens", IPAddress.Loopback, new Dictionary<string, string>
            {
                ["Authorization"] = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")),
                ["X-Forwarded-For"] = "203.0.113.44",
            }, """{"name": "audit-test", "expiresInDays": 1}""");
            return ctx.Response.StatusCode;
        }
        Assert.Equal(401, await BasicAsync("admin", "wrong-password-1"));
        Assert.Equal(401, await BasicAsync("MySecretPassw0rd!", "whatever"));
        Assert.Equal(201, await BasicAsync("admin", App.Db.AdminPassword));

        var logins = (await ExportAsync()).Where(e => e.GetProperty("action").GetString()!.StartsWith("login.", StringComparison.Ordinal)).ToList();
        var failures = logins.Where(e => e.GetProperty("action").GetString() == "login.local.failed").ToList();
        Assert.Contains(failures, e => e.GetProperty("actor").GetString() == "admin"
            && e.GetProperty("details").GetProperty("outcome").GetString() == "failure"
            && e.GetProperty("details").GetProperty("method").GetString() == "basic"
            && e.GetProperty("sourceIp").GetString() == "203.0.113.44");
        Assert.Contains(failures, e => e.GetProperty("actor").GetString() == "(unknown account)");
        Assert.Contains(logins, e => e.GetProperty("action").GetString() == "login.local" && e.GetProperty("actor").GetString() == "admin");
        Assert.Equal(0L, await App.Db.CountAsync("SELECT count(*) FROM audit_events WHERE concat(actor, target, details::text) LIKE '%MySecretPassw0rd%'",
            App.Db.MetadataDatabase));
        Assert.Equal(0L, await App.Db.CountAsync("SELECT count(*) FROM audit_events WHERE details::text LIKE '%wrong-password%'", App.Db.MetadataDatabase));
    }

    [Fact]
    public async Task Export_filters_like_the_list_and_refuses_bad_times_listing_each()
    {
        await App.Db.InsertActiveSiteAsync("export-a.example.com", App.Time.GetUtcNow());
        await (await App.Admin.PostAsync("/api/sites/export-a.example.com/suspend", null)).Json(HttpStatusCode.Accepted);
        var all = await ExportAsync();
        Assert.Equal(all.Select(e => e.GetProperty("id").GetInt64()).Order(), all.Select(e => e.GetProperty("id").GetInt64()));
        Assert.Equal(["site.suspend"], (await ExportAsync("?site=export-a.example.com")).Select(e => e.GetProperty("action").GetString()));
        Assert.Empty(await ExportAsync($"?from={Uri.EscapeDataString(App.Time.GetUtcNow().AddMinutes(1).ToString("O"))}"));

        var bad = await (await App.Admin.GetAsync("/api/audit/export?from=yesterday&to=soon")).Json(HttpStatusCode.BadRequest);
        Assert.Equal(["from", "to"], bad.GetProperty("errors").EnumerateObject().Select(e => e.Name).Order());
    }
}

/// <summary>The audit page: an admin verifies the chain on request; an operator sees no button and is refused.</summary>
public sealed class AuditPageTests(PressAppWithoutWorker fixture) : IClassFixture<PressAppWithoutWorker>
{
    [Fact]
    public async Task An_admin_verifies_the_chain_from_the_audit_page_and_an_operator_may_not()
    {
        var app = fixture.App;
        var browser = app.BrowserClient();
        Assert.Equal(HttpStatusCode.Redirect, (await LoginForm.PostLocalAsync(browser, "admin", app.Db.AdminPassword)).StatusCode);
        var page = await (await browser.GetAsync("/audit")).Content.ReadAsStringAsync();
        Assert.Contains("id=\"verify-chain\"", page);
        var verified = await browser.GetAsync("/audit?verify=true");
        Assert.Equal(HttpStatusCode.OK, verified.StatusCode);
        Assert.Contains("Hash chain intact: ", await verified.Content.ReadAsStringAsync());

        var created = await (await app.Admin.PostAsJsonAsync("/api/users", new { name = "audit-operator", role = "operator" })).Json(HttpStatusCode.Created);
        var operatorBrowser = app.BrowserClient();
        Assert.Equal(HttpStatusCode.Redirect, (await LoginForm.PostLocalAsync(operatorBrowser, "audit-operator", created.GetProperty("password").GetString()!)).StatusCode);
        Assert.DoesNotContain("verify-chain", await (await operatorBrowser.GetAsync("/audit")).Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Forbidden, (await operatorBrowser.GetAsync("/audit?verify=true")).StatusCode);
    }
}

/// <summary>Its own installation: the tampering below breaks the chain for good.</summary>
public sealed class AuditVerifyTamperTests(PressAppWithoutWorker fixture) : IClassFixture<PressAppWithoutWorker>
{
    [Fact]
    public async Task A_row_changed_by_the_superuser_is_named_by_verify_and_only_admins_may_verify()
    {
        var app = fixture.App;
        await app.Db.InsertActiveSiteAsync("tampered.example.com", app.Time.GetUtcNow());
        await (await app.Admin.PostAsync("/api/sites/tampered.example.com/suspend", null)).Json(HttpStatusCode.Accepted);
        await (await app.Admin.PutAsJsonAsync("/api/settings/backups.retentionDays", new { value = "33" })).Json(HttpStatusCode.OK);
        Assert.True((await app.Admin.GetJsonAsync("/api/audit/verify")).GetProperty("intact").GetBoolean());

        await using (var su = await app.Db.OpenAsSuperuserAsync(app.Db.MetadataDatabase))
        await using (var cmd = new Npgsql.NpgsqlCommand(
            "SET session_replication_role = replica; UPDATE audit_events SET site_name = 'elsewhere.example.com' WHERE action = 'site.suspend' AND site_name = 'tampered.example.com' RETURNING id", su))
        {
            var id = (long)(await cmd.ExecuteScalarAsync())!;
            var verify = await app.Admin.GetJsonAsync("/api/audit/verify");
            Assert.False(verify.GetProperty("intact").GetBoolean());
            Assert.Equal(id, verify.GetProperty("firstBrokenId").GetInt64());
            Assert.Contains($"entry {id} was changed", verify.GetProperty("problem").GetString());
        }

        var @operator = await app.ClientWithTokenAsync("operator");
        await (await @operator.GetAsync("/api/audit/verify")).Json(HttpStatusCode.Forbidden);
    }
}
