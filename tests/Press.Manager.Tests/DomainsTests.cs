using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Press.Manager.Tests.Harness;

namespace Press.Manager.Tests;

/// <summary>Custom domains: POST/DELETE /api/sites/{name}/domains, validated, unique, audited, shown on the site.</summary>
public sealed class DomainsTests(PressApp app) : IClassFixture<PressApp>
{
    private static async Task<JsonElement> AddAsync(HttpClient client, string site, string domain, HttpStatusCode expected) =>
        await (await client.PostAsJsonAsync($"/api/sites/{site}/domains", new { domain })).Json(expected);

    private static IEnumerable<string> Domains(JsonElement e) => e.GetProperty("domains").EnumerateArray().Select(d => d.GetString()!);

    private static string Detail(JsonElement problem) => problem.GetProperty("detail").GetString()!;

    private async Task<long> DomainRowsAsync() => await app.Db.CountAsync("SELECT count(*) FROM site_domains", app.Db.MetadataDatabase);

    [Fact]
    public async Task Added_domains_are_listed_sorted_on_the_site_and_audited()
    {
        var api = app.Admin;
        const string site = "shop.example.com";
        await api.RunAsync(api.CreateSiteAsync(site));
        Assert.Empty(Domains(await api.GetJsonAsync($"/api/sites/{site}")));
        var before = (await api.GetJsonAsync($"/api/sites/{site}")).GetProperty("updatedAt").GetDateTimeOffset();
        app.Time.Advance(TimeSpan.FromSeconds(1));

        var response = await api.PostAsJsonAsync($"/api/sites/{site}/domains", new { domain = "www.shop.example.org" });
        var added = await response.Json(HttpStatusCode.Created);
        Assert.Equal($"/api/sites/{site}", response.Headers.Location?.OriginalString);
        Assert.Equal(site, added.GetProperty("site").GetString());
        Assert.Equal(["www.shop.example.org"], Domains(added));
        Assert.Equal(["shop.example.org", "www.shop.example.org"], Domains(await AddAsync(api, site, "shop.example.org", HttpStatusCode.Created)));
        // Sorted by ordinal: '-' (0x2d) before '.' (0x2e), whatever the database's collation would say.
        Assert.Equal(["shop-eu.example.org", "shop.example.org", "www.shop.example.org"],
            Domains(await AddAsync(api, site, "shop-eu.example.org", HttpStatusCode.Created)));

        var shown = await api.GetJsonAsync($"/api/sites/{site}");
        Assert.Equal(["shop-eu.example.org", "shop.example.org", "www.shop.example.org"], Domains(shown));
        Assert.True(shown.GetProperty("updatedAt").GetDateTimeOffset() > before, "adding a domain moves the site's updated_at");
        var listed = (await api.GetJsonAsync("/api/sites")).GetProperty("items").EnumerateArray().Single(s => s.GetProperty("name").GetString() == site);
        Assert.Equal(Domains(shown), Domains(listed));

        var audit = await api.GetJsonAsync($"/api/audit?site={site}");
        var adds = audit.GetProperty("items").EnumerateArray().Where(e => e.GetProperty("action").GetString() == "site.domain.add").ToList();
        Assert.Equal(["shop-eu.example.org", "shop.example.org", "www.shop.example.org"],
            adds.Select(e => e.GetProperty("target").GetString()!).Order(StringComparer.Ordinal));
        Assert.All(adds, e => Assert.StartsWith("admin/token:", e.GetProperty("actor").GetString())); // the person and the token (docs/architecture.md §7)
    }

    [Fact]
    public async Task Removing_a_domain_answers_204_and_it_is_gone()
    {
        var api = app.Admin;
        const string site = "rm.example.com";
        await api.RunAsync(api.CreateSiteAsync(site));
        await AddAsync(api, site, "rm.example.org", HttpStatusCode.Created);
        await AddAsync(api, site, "keep.rm.example.org", HttpStatusCode.Created);

        var response = await api.DeleteAsync($"/api/sites/{site}/domains/rm.example.org");
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal(["keep.rm.example.org"], Domains(await api.GetJsonAsync($"/api/sites/{site}")));

        var again = await (await api.DeleteAsync($"/api/sites/{site}/domains/rm.example.org")).Json(HttpStatusCode.NotFound);
        Assert.Contains("rm.example.org", Detail(again));
        await (await api.DeleteAsync("/api/sites/nosuch.example.com/domains/keep.rm.example.org")).Json(HttpStatusCode.NotFound);

        var actions = (await api.GetJsonAsync($"/api/audit?site={site}")).GetProperty("items").EnumerateArray()
            .Select(e => (e.GetProperty("action").GetString(), e.GetProperty("target").GetString())).ToList();
        Assert.Equal(("site.domain.remove", "rm.example.org"), actions[0]);

        // Freed: another site may take it now.
        await api.RunAsync(api.CreateSiteAsync("rm2.example.com"));
        await AddAsync(api, "rm2.example.com", "rm.example.org", HttpStatusCode.Created);
    }

    [Fact]
    public async Task A_domain_of_another_site_is_refused_naming_the_owner()
    {
        var api = app.Admin;
        await api.RunAsync(api.CreateSiteAsync("one.example.com"));
        await api.RunAsync(api.CreateSiteAsync("two.example.com"));
        await AddAsync(api, "one.example.com", "taken.example.org", HttpStatusCode.Created);
        var rows = await DomainRowsAsync();

        Assert.Contains("'one.example.com'", Detail(await AddAsync(api, "two.example.com", "taken.example.org", HttpStatusCode.Conflict)));
        Assert.Contains("already a domain of site 'one.example.com'", Detail(await AddAsync(api, "one.example.com", "taken.example.org", HttpStatusCode.Conflict)));
        // Another site's own name, the site's own name, and Press's own host name.
        Assert.Contains("name of site 'two.example.com'", Detail(await AddAsync(api, "one.example.com", "two.example.com", HttpStatusCode.Conflict)));
        Assert.Contains("already the name of site 'one.example.com'", Detail(await AddAsync(api, "one.example.com", "one.example.com", HttpStatusCode.Conflict)));
        // Press's own host: the same answer as for a site's name (a 400 naming the field), one rule in Core (HostNames).
        Assert.Contains("Press's own host name", (await AddAsync(api, "one.example.com", "press.localhost", HttpStatusCode.BadRequest))
            .GetProperty("errors").GetProperty("domain")[0].GetString());

        Assert.Equal(rows, await DomainRowsAsync());
        Assert.Equal(["taken.example.org"], Domains(await api.GetJsonAsync("/api/sites/one.example.com")));
        Assert.Empty(Domains(await api.GetJsonAsync("/api/sites/two.example.com")));
    }

    [Fact]
    public async Task Concurrent_requests_for_one_domain_give_it_to_exactly_one_site()
    {
        var api = app.Admin;
        var sites = Enumerable.Range(0, 6).Select(i => $"race{i}.example.com").ToList();
        foreach (var site in sites) await api.RunAsync(api.CreateSiteAsync(site));

        var responses = await Task.WhenAll(sites.Select(s => api.PostAsJsonAsync($"/api/sites/{s}/domains", new { domain = "race.example.org" })));
        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.Created);
        Assert.Equal(sites.Count - 1, responses.Count(r => r.StatusCode == HttpStatusCode.Conflict));
        Assert.Equal(1, await app.Db.CountAsync("SELECT count(*) FROM site_domains WHERE domain = 'race.example.org'", app.Db.MetadataDatabase));
    }

    [Theory]
    [InlineData("Shop.Example.org", "uppercase")]
    [InlineData("shop_1.example.org", "underscore")]
    [InlineData("-shop.example.org", "hyphen")]
    [InlineData("shop..example.org", "empty label")]
    [InlineData("shop.example.org.", "trailing dot")]
    [InlineData("192.168.1.10", "IP address")]
    [InlineData("bücher.example.org", "punycode")]
    [InlineData(" shop.example.org", "whitespace")]
    [InlineData("", "empty")]
    [InlineData("www", "reserved")]
    public async Task Bad_domains_are_refused_with_a_message(string domain, string expected)
    {
        if ((await app.Admin.GetAsync("/api/sites/bad.example.com")).StatusCode == HttpStatusCode.NotFound)
            await app.Admin.RunAsync(app.Admin.CreateSiteAsync("bad.example.com"));
        var rows = await DomainRowsAsync();

        var problem = await AddAsync(app.Admin, "bad.example.com", domain, HttpStatusCode.BadRequest);
        var messages = problem.GetProperty("errors").GetProperty("domain").EnumerateArray().Select(m => m.GetString()!).ToList();
        Assert.True(messages.Any(m => m.Contains(expected, StringComparison.OrdinalIgnoreCase)), $"no message mentions '{expected}': {string.Join(" | ", messages)}");
        Assert.DoesNotContain(messages, m => m.StartsWith("The name", StringComparison.Ordinal));
        Assert.Equal(rows, await DomainRowsAsync());
    }

    [Fact]
    public async Task Every_problem_of_a_request_is_reported_at_once()
    {
        using var content = new StringContent("""{"domain": "Bad_Name..example.org.", "alias": true}""", Encoding.UTF8, "application/json");
        var problem = await (await app.Admin.PostAsync("/api/sites/any.example.com/domains", content)).Json(HttpStatusCode.BadRequest);
        var errors = problem.GetProperty("errors");
        Assert.True(errors.GetProperty("domain").GetArrayLength() >= 4, errors.ToString()); // uppercase, '_', '..', trailing dot
        Assert.Contains("Unknown field 'alias'", errors.GetProperty("alias")[0].GetString());

        var missing = await (await app.Admin.PostAsJsonAsync("/api/sites/any.example.com/domains", new { })).Json(HttpStatusCode.BadRequest);
        Assert.Contains("'domain' is required", missing.GetProperty("errors").GetProperty("domain")[0].GetString());
        var wrongType = await (await app.Admin.PostAsJsonAsync("/api/sites/any.example.com/domains", new { domain = 42 })).Json(HttpStatusCode.BadRequest);
        Assert.Contains("must be a string", wrongType.GetProperty("errors").GetProperty("domain")[0].GetString());
        using var text = new StringContent("shop.example.org", Encoding.UTF8, "text/plain");
        await (await app.Admin.PostAsync("/api/sites/any.example.com/domains", text)).Json(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Unknown_sites_are_404_and_viewers_may_not_change_domains()
    {
        Assert.Contains("nosuch.example.com", Detail(await AddAsync(app.Admin, "nosuch.example.com", "x.example.org", HttpStatusCode.NotFound)));

        await app.Admin.RunAsync(app.Admin.CreateSiteAsync("viewed.example.com"));
        var viewer = await app.ClientWithTokenAsync("viewer");
        await AddAsync(viewer, "viewed.example.com", "viewed.example.org", HttpStatusCode.Forbidden);
        await AddAsync(app.Admin, "viewed.example.com", "viewed.example.org", HttpStatusCode.Created);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.DeleteAsync("/api/sites/viewed.example.com/domains/viewed.example.org")).StatusCode);
        Assert.Equal(["viewed.example.org"], Domains(await viewer.GetJsonAsync("/api/sites/viewed.example.com")));
    }

    [Fact]
    public async Task Purged_sites_take_no_domains_and_release_theirs()
    {
        var api = app.Admin;
        const string site = "purge-me.example.com";
        await api.RunAsync(api.CreateSiteAsync(site));
        await AddAsync(api, site, "purge-me.example.org", HttpStatusCode.Created);
        await api.RunAsync((await api.DeleteAsync($"/api/sites/{site}")).Json(HttpStatusCode.Accepted));
        // A soft-deleted site keeps its domains (they answer 404 pages) and may still change them.
        await AddAsync(api, site, "also.purge-me.example.org", HttpStatusCode.Created);
        await api.RunAsync(api.PostAsync($"/api/sites/{site}/purge", HttpStatusCode.Accepted));

        Assert.Contains("purged", Detail(await AddAsync(api, site, "late.example.org", HttpStatusCode.Conflict)));
        await (await api.DeleteAsync($"/api/sites/{site}/domains/purge-me.example.org")).Json(HttpStatusCode.NotFound);

        await api.RunAsync(api.CreateSiteAsync("heir.example.com"));
        Assert.Equal(["purge-me.example.org"], Domains(await AddAsync(api, "heir.example.com", "purge-me.example.org", HttpStatusCode.Created)));
        // The purged site's name is free too, as a domain.
        await AddAsync(api, "heir.example.com", site, HttpStatusCode.Created);
    }

    [Fact]
    public async Task A_site_cannot_take_a_host_name_that_is_another_sites_domain_or_Presss_own()
    {
        var api = app.Admin;
        await api.RunAsync(api.CreateSiteAsync("owner.example.com"));
        await AddAsync(api, "owner.example.com", "owned-by-owner.example.org", HttpStatusCode.Created);

        var clash = await (await api.PostAsJsonAsync("/api/sites", new { name = "owned-by-owner.example.org" })).Json(HttpStatusCode.Conflict);
        Assert.Contains("custom domain of site 'owner.example.com'", Detail(clash));

        var press = await (await api.PostAsJsonAsync("/api/sites", new { name = "press.localhost" })).Json(HttpStatusCode.BadRequest);
        Assert.Contains("Press's own host name", press.GetProperty("errors").GetProperty("name")[0].GetString());
    }
}
