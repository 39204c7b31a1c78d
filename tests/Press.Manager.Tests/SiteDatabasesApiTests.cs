using System.Net;
using System.Net.Http.Json;
using Press.Manager.Tests.Harness;

namespace Press.Manager.Tests;

/// <summary>
/// docs/architecture.md §16 through the REST API with a real worker (runtime none): tenancy.sitesPerDatabase sends the
/// third site to a second database, which its job creates; and the 1,101st served site is refused before any job.
/// </summary>
public sealed class SiteDatabasesApiTests(PressApp app) : IClassFixture<PressApp>
{
    [Fact]
    public async Task The_cap_sends_new_sites_to_a_new_database_and_the_host_s_runner_capacity_refuses_one_more_site()
    {
        var api = app.Admin;
        await (await api.PutAsJsonAsync("/api/settings/tenancy.sitesPerDatabase", new { value = "2" })).Json(HttpStatusCode.OK);
        var bad = await (await api.PutAsJsonAsync("/api/settings/tenancy.sitesPerDatabase", new { value = "0" })).Json(HttpStatusCode.BadRequest);
        Assert.Contains("between 1 and 1000", bad.ToString());

        string[] names = ["one.db.example.com", "two.db.example.com", "three.db.example.com"];
        foreach (var name in names)
        {
            var job = await api.RunAsync(api.CreateSiteAsync(name));
            Assert.Equal("Succeeded", job.GetProperty("steps").EnumerateArray().Single(s => s.GetProperty("name").GetString() == "create-site-database").State());
        }
        var databases = new List<string>();
        foreach (var name in names)
            databases.Add((await api.GetJsonAsync($"/api/sites/{name}")).GetProperty("location").GetProperty("database").GetString()!);
        var first = app.Db.SitesDatabase;
        Assert.Equal([first, first, first + "_002"], databases);
        var facts = await app.Db.InspectAsync("three.db.example.com");
        Assert.True(facts is { RoleExists: true, CanLogin: true }, facts.ToString());
        Assert.Equal(1L, await app.Db.CountAsync(
            $"SELECT count(*) FROM pg_namespace n JOIN pg_roles r ON r.oid = n.nspowner WHERE r.rolname LIKE 't\\_%'", first + "_002"));

        // The host's runner ports all taken (rows as 1,100 served sites would leave them): the next create is refused.
        await app.Db.CountAsync("""
            WITH taken AS (
              INSERT INTO sites (id, name, state, db_name, schema_name, role_name, password_enc, apps, created_at, updated_at, runner_port)
              SELECT gen_random_uuid(), 'full' || p || '.example.com', 'Active', 'press_sites_elsewhere', 't_full' || p, 't_full' || p,
                     '\x00'::bytea, '{}', now(), now(), p
              FROM generate_series(48600, 49699) p
              RETURNING 1)
            SELECT count(*) FROM taken
            """, app.Db.MetadataDatabase);
        var refused = await (await api.PostAsJsonAsync("/api/sites", new { name = "one-more.db.example.com", apps = Array.Empty<string>() }))
            .Json(HttpStatusCode.Conflict);
        var detail = refused.GetProperty("detail").GetString()!;
        Assert.Contains("already serves 1,100 sites", detail);
        Assert.Contains("48600–49699", detail);
        Assert.Contains("Purge soft-deleted sites", detail);
        Assert.Equal(0L, await app.Db.CountAsync("SELECT count(*) FROM sites WHERE name = 'one-more.db.example.com'", app.Db.MetadataDatabase));
        Assert.Equal(0L, await app.Db.CountAsync("SELECT count(*) FROM jobs j JOIN sites s ON s.id = j.site_id WHERE s.name = 'one-more.db.example.com'",
            app.Db.MetadataDatabase));
        await app.Db.CountAsync("WITH gone AS (DELETE FROM sites WHERE db_name = 'press_sites_elsewhere' RETURNING 1) SELECT count(*) FROM gone",
            app.Db.MetadataDatabase);
    }
}
