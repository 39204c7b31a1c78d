using Npgsql;
using Press.Core.Jobs;
using Press.Core.Ports;
using Press.Core.Runtime;
using Press.Core.Sites;

namespace Press.Infrastructure.Postgres;

public sealed class SiteStore(PressDataSources sources, TimeProvider time) : ISiteStore
{
    public async Task<Site?> GetAsync(Guid siteId, CancellationToken ct)
    {
        await using var conn = await sources.Metadata.OpenConnectionAsync(ct);
        await using var cmd = Sql.Command(conn, $"SELECT {Rows.SiteColumns} FROM sites s WHERE s.id = @id", ("id", siteId));
        await using var r = await cmd.ExecuteReaderAsync(ct);
        return await r.ReadAsync(ct) ? Rows.Site(r) : null;
    }

    public async Task<Site?> FindByNameAsync(string name, CancellationToken ct)
    {
        await using var conn = await sources.Metadata.OpenConnectionAsync(ct);
        await using var cmd = Sql.Command(conn, $"SELECT {Rows.SiteColumns} FROM sites s WHERE s.name = @n AND {StateSql.SiteNotPurged("s")}", ("n", name));
        await using var r = await cmd.ExecuteReaderAsync(ct);
        return await r.ReadAsync(ct) ? Rows.Site(r) : null;
    }

    public async Task MarkDeletedAsync(Guid siteId, DateTimeOffset deletedAt, DateTimeOffset purgeAfter, CancellationToken ct)
    {
        await using var conn = await sources.Metadata.OpenConnectionAsync(ct);
        await conn.ExecAsync("""
            UPDATE sites SET deleted_at = coalesce(deleted_at, @d), purge_after = coalesce(purge_after, @p), updated_at = @now
            WHERE id = @id
            """, ct, ("id", siteId), ("d", deletedAt), ("p", purgeAfter), ("now", time.GetUtcNow()));
    }

    public async Task ClearDeletionAsync(Guid siteId, CancellationToken ct)
    {
        await using var conn = await sources.Metadata.OpenConnectionAsync(ct);
        await conn.ExecAsync("UPDATE sites SET deleted_at = NULL, purge_after = NULL, updated_at = @now WHERE id = @id",
            ct, ("id", siteId), ("now", time.GetUtcNow()));
    }

    public async Task MarkDiscardedAsync(Guid siteId, DateTimeOffset at, CancellationToken ct)
    {
        await using var conn = await sources.Metadata.OpenConnectionAsync(ct);
        await conn.ExecAsync($"""
            UPDATE sites SET state = 'Deleted', deleted_at = coalesce(deleted_at, @at), purge_after = @at, updated_at = @now
            WHERE id = @id AND {StateSql.SiteNotPurged()}
            """, ct, ("id", siteId), ("at", at), ("now", time.GetUtcNow()));
    }

    public async Task MarkPurgedAsync(Guid siteId, DateTimeOffset at, CancellationToken ct)
    {
        // As a purge job's end does (JobStore): the port is free again, and the host names with it.
        await using var conn = await sources.Metadata.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await conn.ExecAsync("DELETE FROM site_domains WHERE site_id = @id", ct, ("id", siteId));
        await conn.ExecAsync($"""
            UPDATE sites SET state = 'Purged', purged_at = @at, runner_port = NULL, updated_at = @at
            WHERE id = @id AND {StateSql.SiteNotPurged()}
            """, ct, ("id", siteId), ("at", at));
        await tx.CommitAsync(ct);
    }

    public async Task<int> AllocateRunnerPortAsync(Guid siteId, CancellationToken ct)
    {
        // The lowest free port; two sites racing for it meet on the unique index, and the loser tries the next.
        for (var attempt = 0; ; attempt++)
        {
            await using var conn = await sources.Metadata.OpenConnectionAsync(ct);
            try
            {
                var port = await conn.ScalarAsync<int?>($"""
                    UPDATE sites SET runner_port = coalesce(runner_port, (
                        SELECT p FROM generate_series(@first, @last) AS p
                        WHERE NOT EXISTS (SELECT 1 FROM sites o WHERE o.runner_port = p AND {StateSql.SiteNotPurged("o")})
                        ORDER BY p LIMIT 1)), updated_at = @now
                    WHERE id = @id
                    RETURNING runner_port
                    """, ct, ("id", siteId), ("first", RunnerPorts.First), ("last", RunnerPorts.Last), ("now", time.GetUtcNow()));
                return port ?? throw new StepFailedException(FailureKind.Permanent,
                    $"all {RunnerPorts.Last - RunnerPorts.First + 1} runner ports ({RunnerPorts.First}–{RunnerPorts.Last}) are in use; purge deleted sites to free some");
            }
            catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UniqueViolation && attempt < 20)
            {
                // Another site took that port between our read and write: look again.
            }
        }
    }

    public async Task<int> CountServedAsync(CancellationToken ct)
    {
        await using var conn = await sources.Metadata.OpenConnectionAsync(ct);
        return (int)await conn.ScalarAsync<long>($"""
            SELECT count(*) FROM sites WHERE {StateSql.SiteNotPurged()} AND (runner_port IS NOT NULL OR state IN ('Pending', 'Installing'))
            """, ct);
    }

    public async Task SaveSealedConfigAsync(Guid siteId, byte[] sealedConfig, CancellationToken ct)
    {
        await using var conn = await sources.Metadata.OpenConnectionAsync(ct);
        await conn.ExecAsync("UPDATE sites SET config_sealed = @c WHERE id = @id", ct, ("id", siteId), ("c", sealedConfig));
    }

    public async Task SaveAppsAsync(Guid siteId, IReadOnlyList<string> apps, CancellationToken ct)
    {
        await using var conn = await sources.Metadata.OpenConnectionAsync(ct);
        await conn.ExecAsync("UPDATE sites SET apps = @a, updated_at = @now WHERE id = @id", ct, ("id", siteId), ("a", apps.ToArray()), ("now", time.GetUtcNow()));
    }

    public async Task SaveAppVersionsAsync(Guid siteId, IReadOnlyDictionary<string, string> versions, CancellationToken ct)
    {
        await using var conn = await sources.Metadata.OpenConnectionAsync(ct);
        await conn.ExecAsync("UPDATE sites SET app_versions = @v::jsonb WHERE id = @id", ct, ("id", siteId),
            ("v", System.Text.Json.JsonSerializer.Serialize(versions)));
    }

    public async Task SaveRunnerImageAsync(Guid siteId, RunnerImage? image, CancellationToken ct)
    {
        await using var conn = await sources.Metadata.OpenConnectionAsync(ct);
        await conn.ExecAsync("UPDATE sites SET runner_image = @r, runner_image_id = @i WHERE id = @id", ct, ("id", siteId),
            ("r", (object?)image?.Reference ?? DBNull.Value), ("i", (object?)image?.Id ?? DBNull.Value));
    }

    public async Task<IReadOnlyList<Site>> ListExpiredDeletedAsync(DateTimeOffset now, CancellationToken ct)
    {
        await using var conn = await sources.Metadata.OpenConnectionAsync(ct);
        await using var cmd = Sql.Command(conn, $"""
            SELECT {Rows.SiteColumns} FROM sites s
            WHERE s.state = 'Deleted' AND s.purge_after <= @now
              AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.site_id = s.id AND {StateSql.JobUnfinished("j")})
            ORDER BY s.purge_after
            LIMIT 100
            """, ("now", now));
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var sites = new List<Site>();
        while (await r.ReadAsync(ct)) sites.Add(Rows.Site(r));
        return sites;
    }

    public async Task<bool> SwitchDatabaseAsync(Guid siteId, string from, string to, int? cap, CancellationToken ct)
    {
        await using var conn = await sources.Metadata.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        // The creates' turn (SitePlacements): a create placing a site in the target sees this site counted, or waits.
        await conn.ExecAsync("SELECT pg_advisory_xact_lock(@k)", ct, ("k", SitePlacements.LockKey));
        var at = await conn.ScalarAsync<string>("SELECT db_name FROM sites WHERE id = @id FOR UPDATE", ct, ("id", siteId))
                 ?? throw new InvalidOperationException($"Site {siteId} is missing.");
        if (at == to) return true;
        if (at != from) throw new InvalidOperationException($"Site {siteId} is in {at}, not {from}.");
        var count = await conn.ScalarAsync<int?>("SELECT site_count FROM site_databases WHERE name = @n", ct, ("n", to)) ?? 0;
        if (cap is { } max && count >= max) return false;
        // The trigger on sites moves the site from one database's count to the other's.
        await conn.ExecAsync("UPDATE sites SET db_name = @to, updated_at = @now WHERE id = @id", ct,
            ("to", to), ("now", time.GetUtcNow()), ("id", siteId));
        await conn.ExecAsync("""
            UPDATE site_databases SET state = CASE WHEN site_count >= @cap THEN 'full' ELSE 'open' END
            WHERE name IN (@from, @to) AND state <> 'closed' AND @cap > 0
            """, ct, ("cap", cap ?? 0), ("from", from), ("to", to));
        await tx.CommitAsync(ct);
        return true;
    }
}
