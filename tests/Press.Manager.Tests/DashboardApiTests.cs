using System.Net;
using Press.Manager.Tests.Harness;

namespace Press.Manager.Tests;

/// <summary>What the dashboard needed from the API (added to the API first): the overview, site search with backup age, job filters.</summary>
public sealed class DashboardApiTests(PressApp app) : IClassFixture<PressApp>
{
    [Fact]
    public async Task The_overview_reports_components_sites_per_state_stale_backups_and_jobs()
    {
        var api = app.Admin;
        await api.RunAsync(api.CreateSiteAsync("overview.example.com"));

        var overview = await api.GetJsonAsync("/api/overview");
        var components = overview.GetProperty("components").EnumerateArray()
            .ToDictionary(c => c.GetProperty("name").GetString()!, c => c.GetProperty("status").GetString());
        Assert.Equal(["manager", "worker", "postgres", "redis", "runtime", "object-store"], components.Keys);
        Assert.All(components.Values, status => Assert.Equal("Healthy", status));
        Assert.True(overview.GetProperty("sitesByState").GetProperty("Active").GetInt64() >= 1);
        Assert.Contains(overview.GetProperty("latestJobs").EnumerateArray(), j => j.GetProperty("site").GetString() == "overview.example.com");
        Assert.Equal(26, overview.GetProperty("staleAfterHours").GetInt32());
    }

    [Fact]
    public async Task Sites_are_searched_by_part_of_the_name_and_carry_their_newest_backup()
    {
        var api = app.Admin;
        await api.RunAsync(api.CreateSiteAsync("needle-one.example.com"));
        await api.RunAsync(api.CreateSiteAsync("other.example.com"));
        await api.RunAsync(api.PostAsync("/api/sites/needle-one.example.com/backups", HttpStatusCode.Accepted));

        var found = await api.GetJsonAsync("/api/sites?q=needle");
        var site = Assert.Single(found.GetProperty("items").EnumerateArray());
        Assert.Equal("needle-one.example.com", site.GetProperty("name").GetString());
        Assert.Equal(System.Text.Json.JsonValueKind.String, site.GetProperty("newestBackupAt").ValueKind);
        Assert.False(site.GetProperty("backupStale").GetBoolean());
        // Plain text, not a pattern: '%' and '_' match only themselves.
        Assert.Empty((await api.GetJsonAsync("/api/sites?q=%25")).GetProperty("items").EnumerateArray());
        Assert.Equal(HttpStatusCode.BadRequest, (await api.GetAsync("/api/sites?q=" + new string('a', 300))).StatusCode);
    }

    [Fact]
    public async Task Jobs_are_filtered_by_state_kind_and_time_and_bad_filters_are_named()
    {
        var api = app.Admin;
        await api.RunAsync(api.CreateSiteAsync("filtered.example.com"));
        await api.RunAsync(api.PostAsync("/api/sites/filtered.example.com/suspend", HttpStatusCode.Accepted));

        var suspends = await api.GetJsonAsync("/api/jobs?site=filtered.example.com&kind=SuspendSite&state=Succeeded");
        Assert.Equal(["SuspendSite"], suspends.GetProperty("items").EnumerateArray().Select(j => j.GetProperty("kind").GetString()));
        Assert.Empty((await api.GetJsonAsync("/api/jobs?site=filtered.example.com&state=Failed")).GetProperty("items").EnumerateArray());
        Assert.Empty((await api.GetJsonAsync($"/api/jobs?site=filtered.example.com&since={DateTimeOffset.UtcNow.AddHours(1):O}".Replace("+", "%2B")))
            .GetProperty("items").EnumerateArray());

        var bad = await (await api.GetAsync("/api/jobs?state=Exploded&kind=1&since=soon")).Json(HttpStatusCode.BadRequest);
        Assert.Equal(["kind", "since", "state"], bad.GetProperty("errors").EnumerateObject().Select(e => e.Name).Order());
    }
}
