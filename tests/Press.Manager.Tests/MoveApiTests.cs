using System.Net;
using System.Net.Http.Json;
using System.Text;
using Press.Manager.Tests.Harness;

namespace Press.Manager.Tests;

/// <summary>POST /api/sites/{name}/move without running the job (docs/architecture.md §16): what it refuses and records.</summary>
public sealed class MoveApiTests(PressAppWithoutWorker fixture) : IClassFixture<PressAppWithoutWorker>
{
    private PressApp App => fixture.App;
    private string Second => App.Db.SitesDatabase + "_002";

    private async Task<long> JobCount() => await App.Db.CountAsync("SELECT count(*) FROM jobs", App.Db.MetadataDatabase);

    private async Task<string> ActiveSiteAsync(string label)
    {
        var site = $"move-{label}.example.com";
        await App.Db.InsertActiveSiteAsync(site, App.Time.GetUtcNow());
        await App.Db.CountAsync($"WITH made AS (INSERT INTO site_databases (name) VALUES ('{Second}') ON CONFLICT DO NOTHING RETURNING 1) SELECT count(*) FROM made",
            App.Db.MetadataDatabase);
        return site;
    }

    /// <summary>(label, body, the field, a word its message must contain).</summary>
    public static TheoryData<string, string, string, string> BadBodies() => new()
    {
        { "empty object", "{}", "database", "'database' is required" },
        { "null database", "{\"database\":null}", "database", "'database' is required" },
        { "number database", "{\"database\":2}", "database", "must be a string" },
        { "unknown database", "{\"database\":\"press_sites_nope\"}", "database", "is not a site database of this installation" },
        { "unknown field", "{\"database\":\"x\",\"force\":true}", "force", "Unknown field 'force'" },
    };

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task Bad_bodies_get_400_naming_each_problem_and_change_nothing(string label, string body, string field, string expected)
    {
        var site = await ActiveSiteAsync(label.Replace(' ', '-'));
        var jobs = await JobCount();

        var response = await App.Admin.PostAsync($"/api/sites/{site}/move", new StringContent(body, Encoding.UTF8, "application/json"));

        var problem = await response.Json(HttpStatusCode.BadRequest);
        var messages = problem.GetProperty("errors").GetProperty(field).EnumerateArray().Select(m => m.GetString()!).ToList();
        Assert.True(messages.Any(m => m.Contains(expected, StringComparison.Ordinal)), $"[{label}] {string.Join(" | ", messages)}");
        Assert.Equal(jobs, await JobCount());
    }

    [Fact]
    public async Task The_site_s_own_database_a_closed_one_and_a_full_one_get_409_and_a_good_move_is_queued_and_audited()
    {
        var site = await ActiveSiteAsync("ok");
        var jobs = await JobCount();

        var same = await (await App.Admin.PostAsJsonAsync($"/api/sites/{site}/move", new { database = App.Db.SitesDatabase })).Json(HttpStatusCode.Conflict);
        Assert.Contains("already in database", same.GetProperty("detail").GetString());
        await App.Db.CountAsync($"WITH c AS (UPDATE site_databases SET state = 'closed' WHERE name = '{Second}' RETURNING 1) SELECT count(*) FROM c", App.Db.MetadataDatabase);
        var closed = await (await App.Admin.PostAsJsonAsync($"/api/sites/{site}/move", new { database = Second })).Json(HttpStatusCode.Conflict);
        Assert.Contains("closed by an operator", closed.GetProperty("detail").GetString());
        await App.Db.CountAsync($"WITH c AS (UPDATE site_databases SET state = 'open', site_count = 12 WHERE name = '{Second}' RETURNING 1) SELECT count(*) FROM c", App.Db.MetadataDatabase);
        var full = await (await App.Admin.PostAsJsonAsync($"/api/sites/{site}/move", new { database = Second })).Json(HttpStatusCode.Conflict);
        Assert.Contains("is full: it holds 12 site(s)", full.GetProperty("detail").GetString());
        Assert.Equal(jobs, await JobCount());
        await App.Db.CountAsync($"WITH c AS (UPDATE site_databases SET site_count = 0 WHERE name = '{Second}' RETURNING 1) SELECT count(*) FROM c", App.Db.MetadataDatabase);

        var job = await (await App.Admin.PostAsJsonAsync($"/api/sites/{site}/move", new { database = Second })).Json(HttpStatusCode.Accepted);

        Assert.Equal("MoveSite", job.GetProperty("kind").GetString());
        var id = job.GetProperty("id").GetGuid();
        Assert.Equal(1, await App.Db.CountAsync(
            $"SELECT count(*) FROM jobs WHERE id = '{id}' AND args->>'database' = '{Second}' AND args->>'fromDatabase' = '{App.Db.SitesDatabase}'", App.Db.MetadataDatabase));
        Assert.Equal(1, await App.Db.CountAsync($"SELECT count(*) FROM backups WHERE id = '{id}' AND trigger = 'PreMove'", App.Db.MetadataDatabase));
        Assert.Equal(1, await App.Db.CountAsync(
            $"SELECT count(*) FROM audit_events WHERE action = 'site.move' AND site_name = '{site}' AND details->>'database' = '{Second}'", App.Db.MetadataDatabase));
        var second = await App.Admin.PostAsJsonAsync($"/api/sites/{site}/move", new { database = Second });
        Assert.Equal(HttpStatusCode.Conflict, second.StatusCode);
    }
}
