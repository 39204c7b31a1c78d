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
        // updated_at moves on every state change, port allocation and domain change; the counts catch deletions.
        return await conn.ScalarAsync<string>("""
            SELECT coalesce(max(updated_at)::text, '') || '|' || count(*)::text || '|' || (SELECT count(*) FROM site_domains)::text
            FROM sites
            """, ct) ?? "";
    }

    public async Task<IReadOnlyList<SiteRouting>> LoadAsync(CancellationToken ct)
    {
        await using var conn = await sources.Metadata.OpenConnectionAsync(ct);
        await using var cmd = Sql.Command(conn, """
            SELECT s.name, s.state, s.runner_port,
                   coalesce(array_agg(d.domain ORDER BY d.domain) FILTER (WHERE d.domain IS NOT NULL), '{}')
            FROM sites s LEFT JOIN site_domains d ON d.site_id = s.id
            WHERE s.state <> 'Purged'
            GROUP BY s.id
            """);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var served = runtime.Driver != "none";
        var list = new List<SiteRouting>();
        while (await r.ReadAsync(ct))
            list.Add(new SiteRouting(r.GetString(0), Enum.Parse<SiteState>(r.GetString(1)), r.IsDBNull(2) ? null : r.GetInt32(2),
                served, r.GetFieldValue<string[]>(3)));
        return list;
    }
}
