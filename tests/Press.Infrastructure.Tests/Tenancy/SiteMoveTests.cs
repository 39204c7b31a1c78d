using Npgsql;
using Press.Core.Backups;
using Press.Core.Jobs;
using Press.Core.Ports;
using Press.Core.Sites;
using Press.Infrastructure.Postgres;
using Press.Infrastructure.Postgres.Archive;
using Press.Testing;

namespace Press.Infrastructure.Tests.Tenancy;

/// <summary>
/// What a site's move (Recipes.MoveSite, docs/architecture.md §16) asks of PostgreSQL, on the real server: the recorded
/// database switches with the counts and never past the cap (two switches racing for the last place), the role's
/// CONNECT follows the site from one database to the other, the kept schema's database is recorded, and a role left
/// with schemas or CONNECT in a database it left is still found and dropped by purge.
/// </summary>
public sealed class SiteMoveTests(InfraFixture f) : IClassFixture<InfraFixture>
{
    private static readonly CancellationToken Ct = CancellationToken.None;

    private Task<long> CountAsync(string database) =>
        f.SuperScalarAsync<long>("SELECT coalesce((SELECT site_count FROM site_databases WHERE name = @n), 0)::bigint", ("n", database));

    [Fact]
    public async Task The_switch_moves_the_count_and_two_switches_racing_for_the_last_place_of_a_database_take_it_once()
    {
        // Outside placement's sequence, so no create of another test lands here.
        var (a, b) = (f.Db.SitesDatabase + "_mva", f.Db.SitesDatabase + "_mvb");
        var one = await f.CreateSiteRowAsync(database: a);
        var two = await f.CreateSiteRowAsync(database: a);
        await f.CreateSiteRowAsync(database: b);
        Assert.Equal((2L, 1L), (await CountAsync(a), await CountAsync(b)));

        var store = f.Store();
        var switched = await Concurrently.RunAsync(2, i => store.SwitchDatabaseAsync((i == 0 ? one : two).Site.Id, a, b, cap: 2, Ct));

        Assert.Single(switched, s => s);
        Assert.Equal((1L, 2L), (await CountAsync(a), await CountAsync(b)));
        Assert.Equal("full", await f.SuperScalarAsync<string>("SELECT state FROM site_databases WHERE name = @n", ("n", b)));
        var moved = switched[0] ? one : two;
        var stayed = switched[0] ? two : one;
        Assert.Equal(b, (await store.GetAsync(moved.Site.Id, Ct))!.Location.Database);
        Assert.Equal(a, (await store.GetAsync(stayed.Site.Id, Ct))!.Location.Database);

        // Run again (a killed worker's retry): already there. The undo puts it back whatever the cap says.
        Assert.True(await store.SwitchDatabaseAsync(moved.Site.Id, a, b, cap: 2, Ct));
        Assert.Equal(2L, await CountAsync(b));
        Assert.True(await store.SwitchDatabaseAsync(moved.Site.Id, b, a, cap: null, Ct));
        Assert.Equal((2L, 1L), (await CountAsync(a), await CountAsync(b)));
        await Assert.ThrowsAsync<InvalidOperationException>(() => store.SwitchDatabaseAsync(moved.Site.Id, b, a + "_x", cap: null, Ct));

        var listed = await new SiteDatabases(f.Sources).ListAsync(Ct);
        Assert.Contains(listed, d => d.Name == a && d.Sites == 2 && !d.Closed);
        Assert.Contains(listed, d => d.Name == b && d.Sites == 1);
    }

    [Fact]
    public async Task Connect_follows_the_site_and_purge_finds_what_it_left_in_the_database_it_moved_from()
    {
        var site = await f.ProvisionSiteAsync();
        var first = site.Site.Location.Database;
        var second = f.Db.SitesDatabase + "_mvc";
        await new SiteDatabases(f.Sources).EnsureAsync(second, Ct);

        // Before: no CONNECT on the second database (PUBLIC's is revoked there too).
        var refused = await PgAssert.FailsAsync("42501", async () => { await using var _ = await f.OpenAsSiteAsync(site, second); });
        Assert.Contains("permission denied for database", refused.MessageText);

        Assert.Equal($"{site.Role} may connect to {second}", await f.Tenant.SetConnectAsync(site.Site, second, canConnect: true, Ct));
        Assert.StartsWith("already:", await f.Tenant.SetConnectAsync(site.Site, second, canConnect: true, Ct));
        await using (var conn = await f.OpenAsSiteAsync(site, second))
            Assert.Equal(second, await conn.ScalarAsync<string>("SELECT current_database()"));
        Assert.Equal($"{site.Role} may not connect to {first}", await f.Tenant.SetConnectAsync(site.Site, first, canConnect: false, Ct));
        await PgAssert.FailsAsync("42501", async () => { await using var _ = await f.OpenAsSiteAsync(site, first); });
        await f.WaitForNoSessionsAsync(site.Role);

        // A schema of the role in each database: the cluster's shared catalog names both.
        var there = site.Site with { Location = site.Site.Location with { Database = second } };
        await f.Tenant.EnsureSchemaAsync(there, Ct);
        var archive = new PgSchemaArchive(new BackupOptions { ToolsFolder = TestServices.PgTools }, f.Sources);
        Assert.Equal([first, second], (await archive.DatabasesOwnedInAsync(site.Role, Ct)).Order(StringComparer.Ordinal));

        // Purge as it runs for a site recorded in the first database: the schema in the second is dropped there, and the
        // role goes although it could still connect to the second (granted above).
        await f.Tenant.SetConnectAsync(site.Site, first, canConnect: true, Ct);
        await archive.DropSchemaAsync(second, site.Schema, site.Role, Ct);
        await f.Tenant.DropSchemaAsync(site.Site, Ct);
        Assert.Empty(await archive.DatabasesOwnedInAsync(site.Role, Ct));
        Assert.StartsWith("dropped role", await f.Tenant.DropRoleAsync(site.Site, Ct));
        Assert.Equal(0L, await f.SuperScalarAsync<long>("SELECT count(*) FROM pg_roles WHERE rolname = @r", ("r", site.Role)));
    }

    [Fact]
    public async Task A_kept_schema_s_database_is_recorded_the_site_s_own_unless_a_move_names_the_one_it_left()
    {
        var site = await f.CreateSiteRowAsync();
        await f.FinishJobAsync(site.Job.Id, JobState.Succeeded, SiteState.Active);
        var restores = new BackupStore(f.Sources);

        async Task<Guid> BackupJobAsync()
        {
            var job = await f.Commands().EnqueueAsync(site.Name, Recipes.MoveSite, [SiteState.Active], InfraFixture.Audit("site.move", site.Name), Ct,
                new Dictionary<string, string> { [JobArgs.Database] = "elsewhere", [JobArgs.FromDatabase] = site.Site.Location.Database },
                BackupTrigger.PreMove);
            Assert.Equal("PreMove", await f.SuperScalarAsync<string>("SELECT trigger FROM backups WHERE id = @id", ("id", job.Id)));
            await f.FinishJobAsync(job.Id, JobState.Succeeded, SiteState.Active);
            return job.Id;
        }

        var inPlace = await BackupJobAsync();
        var now = DateTimeOffset.UtcNow;
        await restores.RecordSwapAsync(new SiteRestore(inPlace, site.Site.Id, inPlace, "aaaaaaaaaaaa", "t_x_paaaaaaaaaaaa", now, now.AddHours(1), null, null), Ct);
        Assert.Equal(site.Site.Location.Database, (await restores.ForJobAsync(inPlace, Ct))!.PreviousDatabase);

        var move = await BackupJobAsync();
        await restores.RecordSwapAsync(new SiteRestore(move, site.Site.Id, move, "bbbbbbbbbbbb", "t_x_pbbbbbbbbbbbb", now.AddSeconds(1), now.AddHours(1), null, null)
            { PreviousDatabase = "press_sites_left" }, Ct);
        var current = (await restores.CurrentAsync(site.Site.Id, Ct))!;
        Assert.Equal((move, "press_sites_left"), (current.JobId, current.PreviousDatabase));
        Assert.True(current.IsMoveFrom(site.Site.Location.Database));
        Assert.Contains(await restores.ListExpiredAsync(now.AddHours(2), Ct), r => r.JobId == move && r.PreviousDatabase == "press_sites_left");
    }
}
