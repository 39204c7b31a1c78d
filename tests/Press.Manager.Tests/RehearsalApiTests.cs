using System.Net;
using System.Net.Http.Json;
using System.Text;
using Press.Manager.Tests.Harness;

namespace Press.Manager.Tests;

/// <summary>
/// POST /api/sites/{name}/rehearsals and its reads without running the job (docs/architecture.md §20): bad bodies and a
/// site without a good backup change nothing; a rehearsal is queued on a scratch site that no list shows, with its
/// result readable at once and audited; viewers read, never start.
/// </summary>
public sealed class RehearsalApiTests(PressAppWithoutWorker fixture) : IClassFixture<PressAppWithoutWorker>
{
    private PressApp App => fixture.App;

    [Theory]
    [InlineData("{}", "image", "'image' is required")]
    [InlineData("{\"image\":\"Frappe/ERPNext:v16\"}", "image", "not an image reference")]
    [InlineData("{\"image\":\"erpnext:v16\",\"force\":true}", "force", "Unknown field 'force'")]
    public async Task Bad_bodies_get_400_naming_each_problem_and_change_nothing(string body, string field, string expected)
    {
        var site = $"reh-bad-{Math.Abs(body.GetHashCode()) % 100000}.example.com";
        await App.Db.InsertActiveSiteAsync(site, App.Time.GetUtcNow());
        var (jobs, sites) = (await JobCount(), await SiteCount());

        var response = await App.Admin.PostAsync($"/api/sites/{site}/rehearsals", new StringContent(body, Encoding.UTF8, "application/json"));

        var problem = await response.Json(HttpStatusCode.BadRequest);
        var messages = problem.GetProperty("errors").GetProperty(field).EnumerateArray().Select(m => m.GetString()!).ToList();
        Assert.True(messages.Any(m => m.Contains(expected, StringComparison.Ordinal)), string.Join(" | ", messages));
        Assert.Equal((jobs, sites), (await JobCount(), await SiteCount()));
    }

    [Fact]
    public async Task A_site_without_a_good_backup_or_no_site_at_all_is_refused_and_nothing_is_recorded()
    {
        await App.Db.InsertActiveSiteAsync("reh-nobackup.example.com", App.Time.GetUtcNow());
        var (jobs, sites) = (await JobCount(), await SiteCount());

        var conflict = await App.Admin.PostAsJsonAsync("/api/sites/reh-nobackup.example.com/rehearsals", new { image = "erpnext:v16" });
        var problem = await conflict.Json(HttpStatusCode.Conflict);
        Assert.Contains("no good backup", problem.GetProperty("detail").GetString());
        Assert.Equal(HttpStatusCode.NotFound,
            (await App.Admin.PostAsJsonAsync("/api/sites/reh-nosuch.example.com/rehearsals", new { image = "erpnext:v16" })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await App.Admin.GetAsync($"/api/rehearsals/{Guid.NewGuid()}")).StatusCode);
        Assert.Equal((jobs, sites), (await JobCount(), await SiteCount()));
    }

    [Fact]
    public async Task A_rehearsal_is_queued_on_an_unlisted_scratch_site_readable_at_once_and_audited()
    {
        var siteId = await App.Db.InsertActiveSiteAsync("reh-ok.example.com", App.Time.GetUtcNow());
        var backupId = await App.Db.InsertGoodBackupAsync(siteId, "reh-ok.example.com", App.Time.GetUtcNow().AddHours(-1));

        var job = await (await App.Admin.PostAsJsonAsync("/api/sites/reh-ok.example.com/rehearsals", new { image = "ghcr.io/acme/erpnext:v16.1.0" }))
            .Json(HttpStatusCode.Accepted);

        Assert.Equal("RehearseUpgrade", job.GetProperty("kind").GetString());
        var scratch = job.GetProperty("site").GetString()!;
        Assert.Matches("^rehearsal-[a-z2-7]{16}\\.invalid$", scratch);
        var id = job.GetProperty("id").GetGuid();
        var viewer = await App.ClientWithTokenAsync("viewer");
        var result = await (await viewer.GetAsync($"/api/rehearsals/{id}")).Json(HttpStatusCode.OK);
        Assert.Equal(("Running", "reh-ok.example.com", backupId, scratch), (result.GetProperty("outcome").GetString(),
            result.GetProperty("site").GetString(), result.GetProperty("backupId").GetGuid(), result.GetProperty("scratchSite").GetString()));
        var listed = await (await viewer.GetAsync("/api/sites/reh-ok.example.com/rehearsals")).Json(HttpStatusCode.OK);
        Assert.Equal([id], listed.EnumerateArray().Select(r => r.GetProperty("id").GetGuid()));
        var sites = await (await viewer.GetAsync("/api/sites?q=rehearsal-")).Json(HttpStatusCode.OK);
        Assert.Empty(sites.GetProperty("items").EnumerateArray());
        Assert.Equal(1, await App.Db.CountAsync(
            $"SELECT count(*) FROM audit_events WHERE action = 'site.rehearse' AND site_name = 'reh-ok.example.com' AND target = '{id}'", App.Db.MetadataDatabase));

        var refused = await viewer.PostAsJsonAsync("/api/sites/reh-ok.example.com/rehearsals", new { image = "erpnext:v16" });
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
    }

    private Task<long> JobCount() => App.Db.CountAsync("SELECT count(*) FROM jobs", App.Db.MetadataDatabase);
    private Task<long> SiteCount() => App.Db.CountAsync("SELECT count(*) FROM sites", App.Db.MetadataDatabase);
}
