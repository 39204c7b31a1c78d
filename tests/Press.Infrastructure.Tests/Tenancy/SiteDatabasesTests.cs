using Press.Core.Backups;
using Press.Core.Jobs;
using Press.Core.Ports;
using Press.Core.Sites;
using Press.Core.Tenancy;
using Press.Infrastructure.Postgres;
using Press.Infrastructure.Postgres.Archive;
using Press.Testing;

namespace Press.Infrastructure.Tests.Tenancy;

/// <summary>
/// Sites spread over several site databases (docs/architecture.md §16), on the real PostgreSQL: placement fills a
/// database up to the cap and names the next, the create-site-database step makes it once however many jobs race, and
/// a site's data moves between databases through the backup archive (restore as a new site) and is purged where it lives.
/// </summary>
public sealed class SiteDatabasesTests(InfraFixture f) : IClassFixture<InfraFixture>
{
    private static readonly CancellationToken Ct = CancellationToken.None;

    private SitePlacement TwoPerDatabase => new(f.Db.SitesDatabase, SitesPerDatabase: 2);

    private async Task<string> CreateAsync(SitePlacement placement)
    {
        var name = InfraFixture.NewSiteName("placed");
        var record = NewSiteRecord.For(name, [], placement, f.Secrets);
        await f.Commands().CreateSiteAsync(record, Recipes.NewSite, InfraFixture.Audit("site.create", name), Ct);
        return (await f.Store().GetAsync(record.Id, Ct))!.Location.Database;
    }

    private Task<long> CountAsync(string database) =>
        f.SuperScalarAsync<long>("SELECT coalesce((SELECT site_count FROM site_databases WHERE name = @n), 0)::bigint", ("n", database));

    [Fact]
    public async Task Placement_fills_each_database_to_the_cap_and_two_racing_creates_name_one_new_database()
    {
        // The other test of this class adds a site to the first database: fill it from whatever it holds.
        var first = f.Db.SitesDatabase;
        while (await CountAsync(first) < 2) await CreateAsync(TwoPerDatabase);
        Assert.Equal(2L, await CountAsync(first));

        // Both find every database full, one after the other: the same next database, and it is then full.
        var raced = await Concurrently.RunAsync(2, _ => CreateAsync(TwoPerDatabase with { First = first }));
        var second = first + "_002";
        Assert.Equal([second, second], raced);
        Assert.Equal(2L, await CountAsync(second));
        Assert.Equal("full", await f.SuperScalarAsync<string>("SELECT state FROM site_databases WHERE name = @n", ("n", second)));
        Assert.Equal(first + "_003", await CreateAsync(TwoPerDatabase));

        // An operator closes a database: no new site goes there; a purged site frees its place in the count.
        await f.SuperExecAsync("UPDATE site_databases SET state = 'closed' WHERE name = @n", ("n", first + "_003"));
        Assert.Equal(first + "_004", await CreateAsync(TwoPerDatabase));
        await f.SuperExecAsync("UPDATE sites SET state = 'Purged', purged_at = now() WHERE db_name = @n", ("n", first + "_004"));
        Assert.Equal(0L, await CountAsync(first + "_004"));
        Assert.Equal(first + "_004", await CreateAsync(TwoPerDatabase));

        // The jobs of those sites both ask for the new database: one CREATE DATABASE, both succeed.
        var made = await Concurrently.RunAsync(3, _ => new SiteDatabases(f.Sources).EnsureAsync(second, Ct));
        Assert.Single(made, m => m.StartsWith($"created database {second}", StringComparison.Ordinal));
        Assert.Equal(2, made.Count(m => m.StartsWith($"database {second} already existed", StringComparison.Ordinal)));
        Assert.Equal(1L, await f.SuperScalarInAsync<long>("postgres", "SELECT count(*) FROM pg_database WHERE datname = @d", ("d", second)));
        Assert.Equal(f.Db.PressRole, await f.SuperScalarInAsync<string>("postgres",
            "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = @d", ("d", second)));
        // Hardened as bootstrap hardens the first: PUBLIC holds nothing on it, nor on its schema public.
        Assert.False(await f.SuperScalarInAsync<bool>("postgres", "SELECT has_database_privilege('public', @d, 'CONNECT')", ("d", second)));
        Assert.False(await f.SuperScalarInAsync<bool>("postgres", "SELECT has_database_privilege('public', @d, 'TEMPORARY')", ("d", second)));
        Assert.False(await f.SuperScalarInAsync<bool>(second, "SELECT has_schema_privilege('public', 'public', 'USAGE')"));
    }

    [Fact]
    public async Task A_backup_of_a_site_in_one_database_restores_as_a_new_site_in_another_and_each_is_purged_where_it_lives()
    {
        // Not in placement's sequence, so the placement test never puts a site here.
        var other = f.Db.SitesDatabase + "_other";
        var source = await f.ProvisionSiteAsync(database: other);
        await using (var conn = await f.OpenAsSiteAsync(source))
            await conn.ExecAsync("CREATE TABLE items (id int PRIMARY KEY, note text); INSERT INTO items SELECT i, md5(i::text) FROM generate_series(1, 500) i");
        var archive = new PgSchemaArchive(new BackupOptions { ToolsFolder = TestServices.PgTools }, f.Sources);
        var parts = new Dictionary<string, byte[]>();
        var (info, _) = await archive.DumpAsync(source.Site, async (part, stream, ct) =>
        {
            var copy = new MemoryStream();
            await stream.CopyToAsync(copy, ct);
            parts[part] = copy.ToArray();
            return new UploadedObject("test", copy.Length, "-");
        }, Ct);
        Assert.Equal(500L, info.Tables["items"]);

        // Restore as a new site: the copy lives in the first database, under its own schema and role.
        var copy = await f.ProvisionSiteAsync();
        Assert.Equal(f.Db.SitesDatabase, copy.Site.Location.Database);
        await f.Tenant.DropSchemaAsync(copy.Site, Ct); // the restore makes the schema itself
        var restored = await archive.RestoreAsync((part, _) => Task.FromResult<Stream>(new MemoryStream(parts[part])), info.Layout!,
            copy.Site.Location.Database, source.Schema, copy.Schema,
            copy.Schema, copy.Role, Ct);
        Assert.Contains(copy.Schema, restored, StringComparison.Ordinal);
        Assert.Equal(500L, (await archive.CountRowsAsync(copy.Site.Location.Database, copy.Schema, copy.Role, Ct))["items"]);
        await using (var conn = await f.OpenAsSiteAsync(copy))
            Assert.Equal(md5(7), await conn.ScalarAsync<string>("SELECT note FROM items WHERE id = 7"));

        // Purge drops each schema in its own database, and the roles with them.
        await f.Tenant.DropSchemaAsync(source.Site, Ct);
        Assert.Equal(0L, await f.SuperScalarInAsync<long>(other, "SELECT count(*) FROM pg_namespace WHERE nspname = @s", ("s", source.Schema)));
        Assert.StartsWith("dropped role", await f.Tenant.DropRoleAsync(source.Site, Ct), StringComparison.Ordinal);
        Assert.Equal(1L, await f.SuperScalarInAsync<long>(copy.Site.Location.Database, "SELECT count(*) FROM pg_namespace WHERE nspname = @s", ("s", copy.Schema)));
    }

    private static string md5(int i) =>
        Convert.ToHexStringLower(System.Security.Cryptography.MD5.HashData(System.Text.Encoding.UTF8.GetBytes(i.ToString(System.Globalization.CultureInfo.InvariantCulture))));
}
