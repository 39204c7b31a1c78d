using Npgsql;
using Press.Core.Audit;
using Press.Core.Jobs;
using Press.Core.Rollouts;
using Press.Core.Sites;

namespace Press.Infrastructure.Postgres;

/// <summary>Rollouts and their sites (migration 0020, docs/architecture.md §19).</summary>
public sealed class RolloutStore(PressDataSources sources, TimeProvider time) : IRolloutStore
{
    private const string Columns = "id, image, state, canary, wave_size, max_failures, accepted_failures, created_by, created_at, reason, rehearse";

    public async Task CreateAsync(Rollout r, AuditEntry audit, CancellationToken ct)
    {
        await using var conn = await sources.Metadata.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await conn.ExecAsync("""
            INSERT INTO rollouts (id, image, state, canary, wave_size, max_failures, created_by, created_at, updated_at, rehearse)
            VALUES (@id, @image, @state, @canary, @wave, @max, @by, @at, @at, @rehearse)
            """, ct, ("id", r.Id), ("image", r.Image), ("state", r.State.ToString()), ("canary", r.Canary), ("wave", r.WaveSize),
            ("max", r.MaxFailures), ("by", r.CreatedBy), ("at", r.CreatedAt), ("rehearse", r.Rehearse));
        var ordinal = 0;
        foreach (var s in r.Sites)
            await conn.ExecAsync("""
                INSERT INTO rollout_sites (rollout_id, site_id, site_name, ordinal, wave, state) VALUES (@r, @s, @n, @o, @w, @st)
                """, ct, ("r", r.Id), ("s", s.SiteId), ("n", s.SiteName), ("o", ordinal++), ("w", s.Wave), ("st", s.State.ToString()));
        await AuditLog.InsertAsync(conn, audit, r.CreatedAt, ct);
        await tx.CommitAsync(ct);
    }

    public async Task<Rollout?> GetAsync(Guid id, CancellationToken ct)
    {
        await using var conn = await sources.Metadata.OpenConnectionAsync(ct);
        return (await ReadAsync(conn, $"SELECT {Columns} FROM rollouts WHERE id = @id", ct, ("id", id))).SingleOrDefault();
    }

    public async Task<IReadOnlyList<Rollout>> ListAsync(int limit, CancellationToken ct)
    {
        await using var conn = await sources.Metadata.OpenConnectionAsync(ct);
        return await ReadAsync(conn, $"SELECT {Columns} FROM rollouts ORDER BY created_at DESC LIMIT @l", ct, ("l", limit));
    }

    public async Task<IReadOnlyList<Rollout>> LeaseDueAsync(TimeSpan lease, CancellationToken ct)
    {
        await using var conn = await sources.Metadata.OpenConnectionAsync(ct);
        return await ReadAsync(conn, $"""
            UPDATE rollouts SET lease_until = now() + @lease
            WHERE (state = 'Running' OR state IN ('Paused', 'Cancelled')
                   AND EXISTS (SELECT 1 FROM rollout_sites s WHERE s.rollout_id = rollouts.id AND s.state IN ('Upgrading', 'Rehearsing')))
              AND (lease_until IS NULL OR lease_until < now())
            RETURNING {Columns}
            """, ct, ("lease", lease));
    }

    public async Task ReleaseAsync(Guid id, CancellationToken ct)
    {
        await using var conn = await sources.Metadata.OpenConnectionAsync(ct);
        await conn.ExecAsync("UPDATE rollouts SET lease_until = NULL WHERE id = @id", ct, ("id", id));
    }

    public async Task SaveSiteAsync(Guid rolloutId, RolloutSite s, CancellationToken ct)
    {
        await using var conn = await sources.Metadata.OpenConnectionAsync(ct);
        await conn.ExecAsync("UPDATE rollout_sites SET state = @st, job_id = @j, detail = @d WHERE rollout_id = @r AND site_id = @s", ct,
            ("r", rolloutId), ("s", s.SiteId), ("st", s.State.ToString()), ("j", s.JobId), ("d", s.Detail));
    }

    public async Task<bool> SetStateAsync(Guid id, RolloutState to, string? reason, IReadOnlyList<RolloutState> from, AuditEntry? audit,
        CancellationToken ct, int? acceptFailures = null)
    {
        await using var conn = await sources.Metadata.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var now = time.GetUtcNow();
        var changed = await conn.ExecAsync("""
            UPDATE rollouts SET state = @to, reason = @reason, accepted_failures = coalesce(@accept, accepted_failures), updated_at = @now
            WHERE id = @id AND state = ANY(@from)
            """, ct, ("id", id), ("to", to.ToString()), ("reason", reason), ("accept", acceptFailures), ("now", now),
            ("from", from.Select(f => f.ToString()).ToArray())) == 1;
        if (changed && audit is not null) await AuditLog.InsertAsync(conn, audit, now, ct);
        await tx.CommitAsync(ct);
        return changed;
    }

    public async Task<Job?> FindUpgradeJobAsync(Guid siteId, string image, DateTimeOffset since, CancellationToken ct)
    {
        await using var conn = await sources.Metadata.OpenConnectionAsync(ct);
        var id = await conn.ScalarAsync<Guid?>("""
            SELECT id FROM jobs WHERE site_id = @s AND kind = 'UpgradeSite' AND created_at >= @since AND args ->> 'image' = @image
            ORDER BY created_at DESC LIMIT 1
            """, ct, ("s", siteId), ("since", since), ("image", image));
        return id is { } jobId ? await Rows.ReadJobAsync(conn, jobId, ct) : null;
    }

    public async Task<IReadOnlyList<Site>> ActiveSitesAsync(CancellationToken ct)
    {
        await using var conn = await sources.Metadata.OpenConnectionAsync(ct);
        await using var cmd = Sql.Command(conn, $"SELECT {Rows.SiteColumns} FROM sites s WHERE s.state = 'Active' ORDER BY s.name");
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var sites = new List<Site>();
        while (await r.ReadAsync(ct)) sites.Add(Rows.Site(r));
        return sites;
    }

    private static async Task<IReadOnlyList<Rollout>> ReadAsync(NpgsqlConnection conn, string sql, CancellationToken ct, params (string, object?)[] args)
    {
        var rollouts = new List<Rollout>();
        await using (var cmd = Sql.Command(conn, sql, args))
        await using (var r = await cmd.ExecuteReaderAsync(ct))
            while (await r.ReadAsync(ct))
                rollouts.Add(new Rollout(r.GetGuid(0), r.GetString(1), Enum.Parse<RolloutState>(r.GetString(2)), r.GetInt32(3), r.GetInt32(4),
                    r.GetInt32(5), r.GetString(7), r.GetFieldValue<DateTimeOffset>(8), r.IsDBNull(9) ? null : r.GetString(9), [])
                { AcceptedFailures = r.GetInt32(6), Rehearse = r.GetBoolean(10) });
        for (var i = 0; i < rollouts.Count; i++)
        {
            var sites = new List<RolloutSite>();
            await using (var cmd = Sql.Command(conn, """
                SELECT site_id, site_name, wave, state, job_id, detail FROM rollout_sites WHERE rollout_id = @r ORDER BY ordinal
                """, ("r", rollouts[i].Id)))
            await using (var r = await cmd.ExecuteReaderAsync(ct))
                while (await r.ReadAsync(ct))
                    sites.Add(new RolloutSite(r.GetGuid(0), r.GetString(1), r.GetInt32(2), Enum.Parse<RolloutSiteState>(r.GetString(3)),
                        r.IsDBNull(4) ? null : r.GetGuid(4), r.IsDBNull(5) ? null : r.GetString(5)));
            rollouts[i] = rollouts[i] with { Sites = sites };
        }
        return rollouts;
    }
}
