using System.Net;
using System.Net.Http.Json;
using System.Text;
using Press.Manager.Tests.Harness;

namespace Press.Manager.Tests;

/// <summary>POST /api/sites/{name}/upgrade without running the job (docs/architecture.md §18): what it refuses and records.</summary>
public sealed class UpgradeApiTests(PressAppWithoutWorker fixture) : IClassFixture<PressAppWithoutWorker>
{
    private PressApp App => fixture.App;

    /// <summary>(label, body, the field, a word its message must contain).</summary>
    public static TheoryData<string, string, string, string> BadBodies() => new()
    {
        { "empty object", "{}", "image", "'image' is required" },
        { "null image", "{\"image\":null}", "image", "'image' is required" },
        { "number image", "{\"image\":16}", "image", "must be a string" },
        { "blank image", "{\"image\":\"  \"}", "image", "'image' is required" },
        { "uppercase name", "{\"image\":\"Frappe/ERPNext:v16\"}", "image", "not an image reference" },
        { "option smuggled in", "{\"image\":\"erpnext:v16 --privileged\"}", "image", "not an image reference" },
        { "too long", $"{{\"image\":\"{new string('a', 300)}\"}}", "image", "at most 255" },
        { "unknown field", "{\"image\":\"erpnext:v16\",\"force\":true}", "force", "Unknown field 'force'" },
    };

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task Bad_bodies_get_400_naming_each_problem_and_change_nothing(string label, string body, string field, string expected)
    {
        var site = $"upgrade-{label.Replace(' ', '-')}.example.com";
        await App.Db.InsertActiveSiteAsync(site, App.Time.GetUtcNow());
        var jobs = await JobCount();

        var response = await App.Admin.PostAsync($"/api/sites/{site}/upgrade", new StringContent(body, Encoding.UTF8, "application/json"));

        var problem = await response.Json(HttpStatusCode.BadRequest);
        var messages = problem.GetProperty("errors").GetProperty(field).EnumerateArray().Select(m => m.GetString()!).ToList();
        Assert.True(messages.Any(m => m.Contains(expected, StringComparison.Ordinal)), $"[{label}] {string.Join(" | ", messages)}");
        Assert.Equal(jobs, await JobCount());
    }

    [Fact]
    public async Task An_upgrade_of_an_active_site_is_queued_with_its_image_and_audited()
    {
        await App.Db.InsertActiveSiteAsync("upgrade-ok.example.com", App.Time.GetUtcNow());

        var job = await (await App.Admin.PostAsJsonAsync("/api/sites/upgrade-ok.example.com/upgrade", new { image = "ghcr.io/acme/erpnext:v16.1.0" }))
            .Json(HttpStatusCode.Accepted);

        Assert.Equal("UpgradeSite", job.GetProperty("kind").GetString());
        Assert.Equal("backup-database", job.GetProperty("steps")[0].GetProperty("name").GetString());
        var id = job.GetProperty("id").GetGuid();
        Assert.Equal(1, await App.Db.CountAsync($"SELECT count(*) FROM jobs WHERE id = '{id}' AND args->>'image' = 'ghcr.io/acme/erpnext:v16.1.0' AND args->>'previousImage' = ''",
            App.Db.MetadataDatabase));
        Assert.Equal(1, await App.Db.CountAsync($"SELECT count(*) FROM backups WHERE id = '{id}' AND trigger = 'PreUpgrade'", App.Db.MetadataDatabase));
        Assert.Equal(1, await App.Db.CountAsync("SELECT count(*) FROM audit_events WHERE action = 'site.upgrade' AND site_name = 'upgrade-ok.example.com'",
            App.Db.MetadataDatabase));
        // One mutating job per site: a second upgrade while this one is queued is a conflict naming it.
        var second = await App.Admin.PostAsJsonAsync("/api/sites/upgrade-ok.example.com/upgrade", new { image = "ghcr.io/acme/erpnext:v16.2.0" });
        Assert.Equal(HttpStatusCode.Conflict, second.StatusCode);
    }

    [Fact]
    public async Task Unknown_sites_are_404_and_viewers_are_refused()
    {
        var missing = await App.Admin.PostAsJsonAsync("/api/sites/upgrade-nosuch.example.com/upgrade", new { image = "erpnext:v16" });
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);

        await App.Db.InsertActiveSiteAsync("upgrade-viewed.example.com", App.Time.GetUtcNow());
        var viewer = await App.ClientWithTokenAsync("viewer");
        var jobs = await JobCount();
        var refused = await viewer.PostAsJsonAsync("/api/sites/upgrade-viewed.example.com/upgrade", new { image = "erpnext:v16" });
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal(jobs, await JobCount());
    }

    private Task<long> JobCount() => App.Db.CountAsync("SELECT count(*) FROM jobs", App.Db.MetadataDatabase);
}
