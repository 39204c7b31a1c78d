using Press.Core.Tenancy;
using Press.Core.Usage;
using Press.Infrastructure.Postgres;

namespace Press.Infrastructure.Tests.Usage;

/// <summary>
/// A site's database size read by Press from the catalog (docs/architecture.md §15), on a real PostgreSQL, against the
/// sum of <c>pg_total_relation_size</c> over the schema's relations as the superuser reads it.
/// </summary>
public sealed class DatabaseSizesTests(InfraFixture f) : IClassFixture<InfraFixture>
{
    /// <summary>What the superuser counts: every table, materialized view and sequence of the schema, each with its
    /// indexes and TOAST (pg_total_relation_size), listed through the pg_tables/pg_matviews/pg_sequences views.</summary>
    private const string Expected = """
        SELECT sum(pg_total_relation_size(format('%I.%I', s, r)::regclass))::bigint FROM (
            SELECT schemaname, tablename FROM pg_tables WHERE schemaname = @s
            UNION ALL SELECT schemaname, matviewname FROM pg_matviews WHERE schemaname = @s
            UNION ALL SELECT schemaname, sequencename FROM pg_sequences WHERE schemaname = @s) AS x (s, r)
        """;

    [Fact]
    public async Task The_size_is_the_sum_of_pg_total_relation_size_over_the_schema_tables_indexes_and_toast_included()
    {
        var big = await f.ProvisionSiteAsync();
        var empty = await f.ProvisionSiteAsync();
        await using (var conn = await f.OpenAsSiteAsync(big))
        {
            // Random text that does not compress: kept out of line in the table's TOAST relation.
            await conn.ExecAsync("""
                CREATE TABLE "tabNote" (name text PRIMARY KEY, content text);
                CREATE INDEX note_content_prefix ON "tabNote" (left(content, 20));
                INSERT INTO "tabNote" SELECT 'n' || i, (SELECT string_agg(md5(random()::text || i || j), '') FROM generate_series(1, 2000) j)
                    FROM generate_series(1, 50) i;
                CREATE SEQUENCE counter;
                CREATE MATERIALIZED VIEW note_names AS SELECT name FROM "tabNote";
                """);
        }

        var report = await new DatabaseSizes(f.Sources).MeasureAsync([big.Site.Location, empty.Site.Location], CancellationToken.None);

        var expected = await f.SuperScalarInAsync<long>(f.Db.SitesDatabase, Expected, ("s", big.Schema));
        var toast = await f.SuperScalarInAsync<long>(f.Db.SitesDatabase, """
            SELECT pg_total_relation_size(reltoastrelid) FROM pg_class WHERE oid = format('%I.%I', @s::text, 'tabNote')::regclass
            """, ("s", big.Schema));
        Assert.Equal(expected, report.Bytes[big.Site.Location]);
        Assert.True(toast > 3_000_000, $"the TOAST relation holds the notes ({toast} bytes) and is counted");
        Assert.True(report.Bytes[big.Site.Location] > toast);
        Assert.Equal(0, report.Bytes[empty.Site.Location]);
        Assert.Empty(report.Reasons);
    }

    [Fact]
    public async Task A_schema_that_does_not_exist_has_a_reason_and_does_not_cost_the_others_their_figure()
    {
        var site = await f.ProvisionSiteAsync();
        var missing = new TenantLocation(f.Db.SitesDatabase, TenantIdentifier.NewId());
        var elsewhere = new TenantLocation("no_such_database_" + Guid.NewGuid().ToString("N")[..8], TenantIdentifier.NewId());

        var report = await new DatabaseSizes(f.Sources).MeasureAsync([site.Site.Location, missing, elsewhere], CancellationToken.None);

        Assert.Equal(0, report.Bytes[site.Site.Location]);
        Assert.Equal($"schema {missing.Schema} does not exist in {f.Db.SitesDatabase}", report.Reasons[missing]);
        Assert.StartsWith($"database {elsewhere.Database} could not be read: ", report.Reasons[elsewhere]);
    }

    [Fact]
    public async Task Reading_sizes_runs_no_tenant_code_even_with_hooks_planted_in_the_schema()
    {
        var site = await f.ProvisionSiteAsync();
        await using (var conn = await f.OpenAsSiteAsync(site))
        {
            // A shadowing function and an event table the hooks would write to if anything of the site's ran as Press.
            await conn.ExecAsync("""
                CREATE TABLE hook_calls (who text);
                CREATE FUNCTION pg_total_relation_size(regclass) RETURNS bigint LANGUAGE sql
                    AS $$ INSERT INTO hook_calls VALUES (current_user); SELECT 1::bigint $$;
                CREATE FUNCTION sum(bigint) RETURNS bigint LANGUAGE sql AS $$ SELECT 1::bigint $$;
                """);
        }

        var report = await new DatabaseSizes(f.Sources).MeasureAsync([site.Site.Location], CancellationToken.None);

        Assert.Equal(await f.SuperScalarInAsync<long>(f.Db.SitesDatabase, Expected, ("s", site.Schema)), report.Bytes[site.Site.Location]);
        Assert.Equal(0L, await f.SuperScalarInAsync<long>(f.Db.SitesDatabase, $"SELECT count(*) FROM \"{site.Schema}\".hook_calls"));
    }
}
