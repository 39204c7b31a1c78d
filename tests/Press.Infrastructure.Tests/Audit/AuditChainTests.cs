using Microsoft.Extensions.Logging.Abstractions;
using Press.Core.Audit;
using Press.Infrastructure.Postgres;

namespace Press.Infrastructure.Tests.Audit;

/// <summary>
/// docs/architecture.md §14: every audit entry carries the previous entry's hash and its own; verify walks the chain and
/// names the first entry a superuser changed, removed or wrote around it. Each test gets its own installation, so
/// its chain holds only what it wrote.
/// </summary>
public sealed class AuditChainTests : IAsyncLifetime
{
    private readonly InfraFixture f = new(); // one installation per test: each chain holds only its test's entries
    public Task InitializeAsync() => f.InitializeAsync();
    public Task DisposeAsync() => f.DisposeAsync();

    private AuditLog Log => new(f.Sources, TimeProvider.System);
    private AuditChainReader Reader => new(f.Sources);

    private async Task<long[]> WriteAsync(int count, string actor = "alice")
    {
        for (var i = 0; i < count; i++)
            await Log.WriteAsync(new AuditEntry(actor, "settings.set", null, $"key{i}",
                new Dictionary<string, string> { ["value"] = i.ToString(), ["previous"] = "x" }, "198.51.100.4"), CancellationToken.None);
        return await IdsAsync();
    }

    private async Task<long[]> IdsAsync()
    {
        var ids = new List<long>();
        await foreach (var link in Reader.ExportAsync(new AuditFilter(), CancellationToken.None)) ids.Add(link.Record.Id);
        return ids.ToArray();
    }

    /// <summary>As a superuser with triggers off (session_replication_role = replica), the way an intruder with the
    /// server's keys would edit the table.</summary>
    private Task<int> TamperAsync(string sql, params (string, object)[] args) =>
        f.SuperExecAsync("SET session_replication_role = replica; " + sql, args);

    [Fact]
    public async Task Entries_link_to_their_predecessor_and_verify_accepts_the_chain()
    {
        var ids = await WriteAsync(4);

        var report = await Reader.VerifyAsync(CancellationToken.None);

        Assert.True(report.Intact, report.FirstBroken?.Reason);
        Assert.Equal(4, report.Entries);
        Assert.Equal(0, report.LegacyEntries);
        Assert.Equal(ids[^1], report.HeadId);
        Assert.Equal(AuditChain.Hex(AuditChain.Genesis.Span),
            AuditChain.Hex(await f.SuperScalarAsync<byte[]>("SELECT prev_hash FROM audit_events WHERE id = @id", ("id", ids[0]))));
        for (var i = 1; i < ids.Length; i++)
            Assert.True(await f.SuperScalarAsync<bool>(
                "SELECT (SELECT prev_hash FROM audit_events WHERE id = @b) = (SELECT hash FROM audit_events WHERE id = @a)",
                ("a", ids[i - 1]), ("b", ids[i])));
        Assert.Equal(report.HeadHash, AuditChain.Hex(await f.SuperScalarAsync<byte[]>("SELECT hash FROM audit_events WHERE id = @id", ("id", ids[^1]))));
    }

    [Fact]
    public async Task A_row_changed_by_the_superuser_with_triggers_off_is_named()
    {
        var ids = await WriteAsync(5);

        Assert.Equal(1, await TamperAsync("UPDATE audit_events SET actor = 'mallory' WHERE id = @id", ("id", ids[2])));

        var report = await Reader.VerifyAsync(CancellationToken.None);
        Assert.False(report.Intact);
        Assert.Equal(ids[2], report.FirstBroken!.Id);
        Assert.Contains($"entry {ids[2]} was changed after it was written", report.FirstBroken.Reason);
        Assert.Equal(2, report.Entries);
    }

    [Fact]
    public async Task A_row_changed_with_its_trigger_disabled_and_its_hash_recomputed_breaks_the_next_link()
    {
        var ids = await WriteAsync(4);
        // Rewrite entry 2 completely, hash included, as a careful intruder would; the next entry still points at the old hash.
        var links = new List<AuditLink>();
        await foreach (var l in Reader.ExportAsync(new AuditFilter(), CancellationToken.None)) links.Add(l);
        var forged = links[1].Record with { Actor = "mallory" };
        var forgedHash = AuditChain.Hash(links[1].PrevHash, forged);
        await f.SuperExecAsync($"""
            ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_change;
            UPDATE audit_events SET actor = 'mallory', hash = @h WHERE id = @id;
            ALTER TABLE audit_events ENABLE TRIGGER audit_events_no_change;
            """, ("h", forgedHash), ("id", ids[1]));

        var report = await Reader.VerifyAsync(CancellationToken.None);
        Assert.Equal(ids[2], report.FirstBroken!.Id);
        Assert.Contains($"is not the hash of entry {ids[1]}", report.FirstBroken.Reason);
    }

    [Fact]
    public async Task A_deleted_row_and_a_row_inserted_around_the_log_are_named()
    {
        var ids = await WriteAsync(4);
        await TamperAsync("DELETE FROM audit_events WHERE id = @id", ("id", ids[1]));
        var report = await Reader.VerifyAsync(CancellationToken.None);
        Assert.Equal(ids[2], report.FirstBroken!.Id);
        Assert.Contains("an entry between them was removed", report.FirstBroken.Reason);

        var g = new InfraFixture();
        await g.InitializeAsync();
        try
        {
            await new AuditLog(g.Sources, TimeProvider.System).WriteAsync(InfraFixture.Audit("site.create"), CancellationToken.None);
            // Press's role may INSERT; a row written without the chain is caught.
            await using var conn = g.ConnectAsPress(g.Db.MetadataDatabase);
            await conn.OpenAsync();
            await conn.ExecAsync("INSERT INTO audit_events (at, actor, action) VALUES (now(), 'sneaky', 'test.insert')");
            var sneaky = await g.SuperScalarAsync<long>("SELECT id FROM audit_events WHERE actor = 'sneaky'");
            var second = await new AuditChainReader(g.Sources).VerifyAsync(CancellationToken.None);
            Assert.Equal(sneaky, second.FirstBroken!.Id);
            Assert.Contains("has no hash but comes after chained entries", second.FirstBroken.Reason);
        }
        finally { await g.DisposeAsync(); }
    }

    [Fact]
    public async Task The_owner_of_the_table_cannot_update_delete_or_truncate_either()
    {
        await WriteAsync(1);
        var owner = "\"" + AuditTable.OwnerFor(f.Db.PressRole) + "\"";
        foreach (var change in new[] { "UPDATE audit_events SET actor = 'x'", "DELETE FROM audit_events", "TRUNCATE audit_events" })
        {
            await using var conn = await f.Db.OpenAsSuperuserAsync(f.Db.MetadataDatabase);
            await conn.ExecAsync($"SET ROLE {owner}");
            await PgAssert.FailsAsync("P0001", () => conn.ExecAsync(change), "audit_events is append-only");
        }
        Assert.True((await Reader.VerifyAsync(CancellationToken.None)).Intact);
    }

    [Fact]
    public async Task Concurrent_writers_inside_other_transactions_form_one_chain()
    {
        var sites = Enumerable.Range(0, 6).Select(_ => InfraFixture.NewSiteName("chain")).ToArray();
        await Concurrently.RunAsync(24, async i =>
        {
            if (i < sites.Length) await f.CreateSiteRowAsync(sites[i]); // audit inside SiteCommandStore' own transaction
            else await Log.WriteAsync(InfraFixture.Audit("concurrent.write", actor: $"writer{i}"), CancellationToken.None);
            return i;
        });

        var report = await Reader.VerifyAsync(CancellationToken.None);
        Assert.True(report.Intact, report.FirstBroken?.Reason);
        Assert.Equal(24, report.Entries);
        Assert.Equal(24L, await f.SuperScalarAsync<long>("SELECT count(DISTINCT prev_hash) FROM audit_events"));
    }

    [Fact]
    public async Task Entries_from_before_the_chain_get_a_chain_start_that_verify_accepts_and_that_covers_them()
    {
        // Rows as an installation before migration 0014 had them: no hashes.
        await f.SuperExecAsync("""
            INSERT INTO audit_events (at, actor, action, site_name, details) VALUES
              ('2026-01-01T00:00:00.123456Z', 'old-admin', 'site.create', 'old.example.com', '{"b": "2", "a": "1"}'),
              ('2026-01-02T00:00:00Z', 'old-admin', 'site.suspend', 'old.example.com', NULL)
            """);
        var ids = await WriteAsync(2);

        var report = await Reader.VerifyAsync(CancellationToken.None);
        Assert.True(report.Intact, report.FirstBroken?.Reason);
        Assert.Equal(4, report.Entries);
        Assert.Equal(2, report.LegacyEntries);

        await TamperAsync("UPDATE audit_events SET action = 'site.resume' WHERE action = 'site.suspend'");
        var broken = await Reader.VerifyAsync(CancellationToken.None);
        Assert.Equal(ids[2], broken.FirstBroken!.Id);
        Assert.Contains("written before the chain existed", broken.FirstBroken.Reason);
    }

    [Fact]
    public async Task Bootstrap_upgrades_a_secured_installation_from_before_the_chain()
    {
        // Put the installation back to before migration 0014, with the table already handed to the audit role.
        await f.SuperExecAsync("""
            ALTER TABLE audit_events DROP COLUMN prev_hash, DROP COLUMN hash;
            DELETE FROM schema_migrations WHERE version = 14;
            INSERT INTO audit_events (at, actor, action) VALUES ('2026-01-01T00:00:00Z', 'old-admin', 'site.create');
            """);
        await using var sources = new PressDataSources(f.Db.Options);
        var migrations = new MigrationRunner(sources, NullLogger<MigrationRunner>.Instance);
        // Press alone cannot add the columns to a table it no longer owns: the manager says what to do.
        var refused = await PgAssert.FailsAsync("P0001", () => migrations.ApplyAsync(CancellationToken.None));
        Assert.Contains("run `press-manager bootstrap`", refused.MessageText);

        await InfraFixture.OneAtATimeAsync(() => new Bootstrapper(f.Db.Options, migrations, NullLogger<Bootstrapper>.Instance)
            .RunAsync(f.Db.Superuser, CancellationToken.None));

        Assert.Equal(1L, await f.SuperScalarAsync<long>("SELECT count(*) FROM schema_migrations WHERE version = 14"));
        await WriteAsync(1);
        var report = await Reader.VerifyAsync(CancellationToken.None);
        Assert.True(report.Intact, report.FirstBroken?.Reason);
        Assert.Equal(1, report.LegacyEntries);
    }
}
