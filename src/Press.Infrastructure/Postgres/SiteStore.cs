using Press.Core.Ports;
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

    public async Task<IReadOnlyList<Site>> ListExpiredDeletedAsync(DateTimeOffset now, CancellationToken ct)
    {
        await using var conn = await sources.Metadata.OpenConnectionAsync(ct);
        await using var cmd = Sql.Command(conn, $"""
            SELECT {Rows.SiteColumns} FROM sites s
            WHERE s.state = 'Deleted' AND s.purge_after <= @now
              AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.site_id = s.id AND j.state IN ('Queued', 'Running', 'Waiting'))
            ORDER BY s.purge_after
            LIMIT 100
            """, ("now", now));
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var sites = new List<Site>();
        while (await r.ReadAsync(ct)) sites.Add(Rows.Site(r));
        return sites;
    }
}
