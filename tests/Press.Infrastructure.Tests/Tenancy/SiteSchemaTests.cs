using Press.Core.Jobs;
using Press.Infrastructure.Postgres;

namespace Press.Infrastructure.Tests.Tenancy;

/// <summary>
/// The install state read from the site's schema, and emptying a half-installed schema before new-site runs again
/// (docs/architecture.md §9), on a real PostgreSQL, as the site's own helper login.
/// </summary>
public sealed class SiteSchemaTests(InfraFixture f) : IClassFixture<InfraFixture>
{
    private SiteSchema Schema => new(f.Sources);

    [Fact]
    public async Task An_empty_schema_then_a_half_install_then_a_completed_one_are_told_apart()
    {
        var site = await f.ProvisionSiteAsync();
        Assert.Equal(new Core.Ports.SchemaInstall(0, null), await Schema.InspectInstallAsync(site.Site, CancellationToken.None));

        await using var conn = await f.OpenAsSiteAsync(site);
        await conn.ExecAsync("""CREATE TABLE "tabDocType" (name text PRIMARY KEY)""");
        await conn.ExecAsync("""CREATE TABLE "tabInstalled Application" (name text PRIMARY KEY, app_name text NOT NULL)""");
        var half = await Schema.InspectInstallAsync(site.Site, CancellationToken.None);
        Assert.Equal(2, half.Objects);
        Assert.Equal([], half.InstalledApps);
        Assert.False(half.Holds(["frappe"]));

        await conn.ExecAsync("""INSERT INTO "tabInstalled Application" VALUES ('a1', 'frappe')""");
        var done = await Schema.InspectInstallAsync(site.Site, CancellationToken.None);
        Assert.True(done.Holds(["frappe"]));
        Assert.False(done.Holds(["frappe", "erpnext"]));
    }

    [Fact]
    public async Task Emptying_drops_every_kind_of_object_the_site_made_and_keeps_the_schema_owner_and_grants()
    {
        var site = await f.ProvisionSiteAsync();
        await using (var conn = await f.OpenAsSiteAsync(site))
        {
            await conn.ExecAsync("""
                CREATE TYPE mood AS ENUM ('ok', 'bad');
                CREATE DOMAIN positive AS int CHECK (VALUE > 0);
                CREATE TYPE pair AS (a int, b int);
                CREATE SEQUENCE free_counter;
                CREATE TABLE "tabDocType" (name text PRIMARY KEY, m mood, n positive, id serial);
                CREATE TABLE parted (k int) PARTITION BY RANGE (k);
                CREATE TABLE parted_1 PARTITION OF parted FOR VALUES FROM (0) TO (10);
                CREATE VIEW v AS SELECT name FROM "tabDocType";
                CREATE MATERIALIZED VIEW mv AS SELECT 1 AS one;
                CREATE FUNCTION f(x int) RETURNS int LANGUAGE sql AS 'SELECT x';
                CREATE PROCEDURE p() LANGUAGE sql AS 'SELECT 1';
                CREATE AGGREGATE agg(int) (SFUNC = int4pl, STYPE = int);
                """);
        }

        var said = await Schema.EmptyAsync(site.Site, CancellationToken.None);

        Assert.StartsWith($"emptied schema {site.Schema} as the site (", said);
        Assert.Equal(new Core.Ports.SchemaInstall(0, null), await Schema.InspectInstallAsync(site.Site, CancellationToken.None));
        await using var after = await f.OpenAsSiteAsync(site);
        Assert.Equal(site.Schema, await after.ScalarAsync<string>("SELECT current_schema()"));
        Assert.Equal(site.Role, await after.ScalarAsync<string>(
            "SELECT pg_catalog.pg_get_userbyid(nspowner) FROM pg_catalog.pg_namespace WHERE nspname = current_schema()"));
        await after.ExecAsync("CREATE TABLE again (x int)"); // the site can still create in its schema
    }

    [Fact]
    public async Task Emptying_runs_as_the_site_so_another_sites_objects_are_out_of_reach()
    {
        var a = await f.ProvisionSiteAsync();
        var b = await f.ProvisionSiteAsync();
        await using (var conn = await f.OpenAsSiteAsync(b)) await conn.ExecAsync("CREATE TABLE keep_me (x int)");

        await Schema.EmptyAsync(a.Site, CancellationToken.None);

        Assert.Equal(1, (await Schema.InspectInstallAsync(b.Site, CancellationToken.None)).Objects);
    }
}
