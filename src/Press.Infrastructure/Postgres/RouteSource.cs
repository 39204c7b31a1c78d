using Press.Core.Ports;
using Press.Core.Routing;
using Press.Core.Sites;

namespace Press.Infrastructure.Postgres;

/// <summary>Sites with their runner ports and domains, for the route table; the stamp is one cheap aggregate.</summary>
public sealed class RouteSource(PressDataSources sources, ISiteRuntime runtime) : IRouteSource
{
    public async Task<string> StampAsync(CancellationToken ct)
    {
        await using var conn = await sources.Metadata.OpenConnectionAsync(ct);
        // A sum of per-row hashes, not max(updated_at): jobs commit in any order, so a transaction that took its "now"
        // first can commit after one that took a later "now" — its row changes while max(updated_at) does not, and the
        // change would go unrouted until the next one. Every row's routing fields are in its hash; the counts catch
        // deletions. About a millisecond for 1,000 sites.
        return await conn.ScalarAsync<string>("""
            SELECT count(*)::text || '|' || coalesce(sum(hashtext(concat_ws('|', id, state, runner_port, updated_at))::bigint), 0)::text
                   || '|' || (SELECT count(*)::text || '|' || coalesce(sum(hashtext(domain || '|' || site_id)::bigint), 0)::text FROM site_domains)
            FROM sites
            """, ct) ?? "";
    }

    public async Task<IReadOnlyList<SiteRouting>> LoadAsync(CancellationToken ct)
    {
        await using var conn = await sources.Metadata.OpenConnectionAsync(ct);
        await using var cmd = Sql.Command(conn, $$"""
            SELECT s.name, s.state, s.runner_port,
                   coalesce(array_agg(d.domain ORDER BY d.domain) FILTER (WHERE d.domain IS NOT NULL), '{}'),
                   s.standby OR s.rehearsal_of IS NOT NULL
            FROM sites s LEFT JOIN site_domains d ON d.site_id = s.id
            WHERE {{StateSql.SiteNotPurged("s")}}
            GROUP BY s.id
            """);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var served = runtime.Driver != "none";
        var list = new List<SiteRouting>();
        while (await r.ReadAsync(ct))
            list.Add(new SiteRouting(r.GetString(0), Enum.Parse<SiteState>(r.GetString(1)), r.IsDBNull(2) ? null : r.GetInt32(2),
                served, r.GetFieldValue<string[]>(3), r.GetBoolean(4)));
        return list;
    }
}
