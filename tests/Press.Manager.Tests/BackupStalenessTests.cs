using Press.Testing;
using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Press.Manager.Tests.Harness;

namespace Press.Manager.Tests;

/// <summary>Backup staleness on a fake clock: in the site's backup list, in /metrics and in /readyz (Degraded, never
/// Unhealthy). Its own installation, since moving the clock makes every site of it stale.</summary>
public sealed class BackupStalenessTests(PressAppWithoutWorker fixture) : IClassFixture<PressAppWithoutWorker>
{
    private PressApp App => fixture.App;

    [Fact]
    public async Task A_site_goes_stale_without_a_good_backup_and_fresh_with_one()
    {
        const string site = "stale.example.com";
        var api = App.Admin;
        var siteId = await App.Db.InsertActiveSiteAsync(site, App.Time.GetUtcNow());

        // Young site without a backup: not stale yet.
        var list = await api.GetJsonAsync($"/api/sites/{site}/backups");
        Assert.False(list.GetProperty("stale").GetBoolean());
        var metrics = await MetricsAsync();
        Assert.Contains("# TYPE press_backup_stale_sites gauge", metrics);
        Assert.Matches(Exposition.Line("press_backup_stale_sites", "0"), metrics);
        Assert.DoesNotMatch($@"(?m)^press_backup_last_good_age_seconds\{{site=""{Regex.Escape(site)}""\}}", metrics);
        var ready = await (await App.Admin.GetAsync("/readyz")).Json(HttpStatusCode.OK);
        Assert.Equal("Healthy", ready.GetProperty("checks").GetProperty("backups").GetProperty("status").GetString());

        // 27 h later, still no backup: stale (default 26 h).
        App.Time.Advance(TimeSpan.FromHours(27));
        list = await api.GetJsonAsync($"/api/sites/{site}/backups");
        Assert.True(list.GetProperty("stale").GetBoolean());
        Assert.Matches(Exposition.Line("press_backup_stale_sites", "1"), await MetricsAsync());
        await AssertDegradedNaming(site);

        // A good backup (verified) finishing now: fresh. (On a whole second: PostgreSQL keeps microseconds.)
        App.Time.Advance(TimeSpan.FromTicks(TimeSpan.TicksPerSecond - App.Time.GetUtcNow().Ticks % TimeSpan.TicksPerSecond));
        var goodAt = App.Time.GetUtcNow();
        var backupId = await App.Db.InsertGoodBackupAsync(siteId, site, goodAt, verifiedOk: true);
        list = await api.GetJsonAsync($"/api/sites/{site}/backups");
        Assert.False(list.GetProperty("stale").GetBoolean());
        Assert.Equal(goodAt, list.GetProperty("newestGoodAt").GetDateTimeOffset());
        Assert.Equal(backupId, list.GetProperty("items")[0].GetProperty("id").GetGuid());
        metrics = await MetricsAsync();
        Assert.Matches(Exposition.Line("press_backup_stale_sites", "0"), metrics);
        Assert.Matches($@"(?m)^press_backup_last_good_age_seconds\{{site=""{Regex.Escape(site)}""\}} 0$", metrics);
        Assert.Matches($@"(?m)^press_backup_verification_ok\{{site=""{Regex.Escape(site)}""\}} 1$", metrics);
        Assert.Matches(Exposition.Line("press_backup_verification_failed_sites", "0"), metrics);
        ready = await (await App.Admin.GetAsync("/readyz")).Json(HttpStatusCode.OK);
        Assert.Equal("Healthy", ready.GetProperty("status").GetString());

        // 27 h after that backup: stale again; a failed verification shows too.
        App.Time.Advance(TimeSpan.FromHours(27));
        await App.Db.ExecAsync($"UPDATE backups SET verify_ok = false, verify_detail = 'row counts differ' WHERE id = '{backupId}'");
        list = await api.GetJsonAsync($"/api/sites/{site}/backups");
        Assert.True(list.GetProperty("stale").GetBoolean());
        metrics = await MetricsAsync();
        Assert.Matches(Exposition.Line("press_backup_stale_sites", "1"), metrics);
        Assert.Matches($@"(?m)^press_backup_last_good_age_seconds\{{site=""{Regex.Escape(site)}""\}} 97200$", metrics);
        Assert.Matches($@"(?m)^press_backup_verification_ok\{{site=""{Regex.Escape(site)}""\}} 0$", metrics);
        Assert.Matches(Exposition.Line("press_backup_verification_failed_sites", "1"), metrics);
        await AssertDegradedNaming(site);

        // The threshold is the runtime setting.
        await (await api.PutAsJsonAsync("/api/settings/backups.staleAfterHours", new { value = "48" })).Json(HttpStatusCode.OK);
        Assert.False((await api.GetJsonAsync($"/api/sites/{site}/backups")).GetProperty("stale").GetBoolean());
        Assert.Matches(Exposition.Line("press_backup_stale_sites", "0"), await MetricsAsync());
        await (await api.PutAsJsonAsync("/api/settings/backups.staleAfterHours", new { value = "26" })).Json(HttpStatusCode.OK);
    }

    private async Task AssertDegradedNaming(string site)
    {
        var response = await App.Admin.GetAsync("/readyz");
        var ready = await response.Json(HttpStatusCode.OK); // Degraded keeps the manager in rotation
        Assert.Equal("Degraded", ready.GetProperty("status").GetString());
        var backups = ready.GetProperty("checks").GetProperty("backups");
        Assert.Equal("Degraded", backups.GetProperty("status").GetString());
        Assert.Contains(site, backups.GetProperty("detail").GetString());
        Assert.Contains(site, backups.GetProperty("data").GetProperty("staleSites").EnumerateArray().Select(e => e.GetString()));
    }

    private async Task<string> MetricsAsync()
    {
        var response = await App.Admin.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }
}
