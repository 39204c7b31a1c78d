using Npgsql;
using Press.Core.Audit;
using Press.Core.Jobs;
using Press.Core.Sites;
using NotFoundException = Press.Core.Sites.NotFoundException;

namespace Press.Infrastructure.Postgres;

/// <summary>Read side for the API: sites, jobs and the audit log, filtered and paged with parameters only.</summary>
public sealed class SiteQueries(PressDataSources sources)
{
    /// <param name="Domains">The site's custom domains (extra host names), sorted.</param>
    /// <param name="NewestBackupAt">When the site's newest good backup (not pruned) finished, if any.</param>
    public sealed record SiteView(Site Site, Guid? ActiveJobId, IReadOnlyList<string> Domains, DateTimeOffset? NewestBackupAt = null);

    /// <param name="search">Part of the name (plain text: matched with strpos, so no pattern characters to escape).</param>
    public async Task<(IReadOnlyList<SiteView> Items, long Total)> ListSitesAsync(SiteState? state, int page, int pageSize, CancellationToken ct,
        string? search = null)
    {
        await using var conn = await sources.Metadata.OpenConnectionAsync(ct);
        // Purged sites are history (kept for audit); they are listed only when asked for by state.
        // Standby sites are Press's, not customers' (docs/architecture.md §17): GET /api/standby shows them. So are a
        // rehearsal's scratch copies (§20): GET /api/sites/{name}/rehearsals shows them.
        var filter = (state is null ? StateSql.SiteNotPurged("s") : "s.state = @state") + " AND NOT s.standby AND s.rehearsal_of IS NULL" + (string.IsNullOrEmpty(search) ? "" : " AND strpos(s.name, @q) > 0");
        (string, object?)[] args = [("state", state?.ToString()), ("q", search), ("limit", pageSize), ("offset", (long)(page - 1) * pageSize)];
        var total = await conn.ScalarAsync<long>($"SELECT count(*) FROM sites s WHERE {filter}", ct, args);
        var items = await ReadSites(conn, $"{filter} ORDER BY s.name, s.created_at LIMIT @limit OFFSET @offset", ct, args);
        return (items, total);
    }

    /// <summary>Every site that is not purged, for reconciling runtimes with what the metadata says.</summary>
    public async Task<IReadOnlyList<Site>> ListLiveSitesAsync(CancellationToken ct)
    {
        await using var conn = await sources.Metadata.OpenConnectionAsync(ct);
        return (await ReadSites(conn, $"{StateSql.SiteNotPurged("s")} ORDER BY s.name", ct)).Select(v => v.Site).ToList();
    }

    /// <summary>The live site of that name, else the most recently purged one (kept for audit).</summary>
    public async Task<SiteView?> GetSiteAsync(string name, CancellationToken ct)
    {
        await using var conn = await sources.Metadata.OpenConnectionAsync(ct);
        var found = await ReadSites(conn, "s.name = @n ORDER BY (s.state = 'Purged'), s.created_at DESC LIMIT 1", ct, ("n", name));
        return found.SingleOrDefault();
    }

    /// <summary>
    /// Hands out the site's sealed Administrator password exactly once: the first call stamps it as shown and returns
    /// it; later calls get null with the time it was shown.
    /// </summary>
    public async Task<(byte[]? Sealed, DateTimeOffset? ShownAt)> TakeAdminPasswordAsync(string name, DateTimeOffset now, CancellationToken ct)
    {
        await using var conn = await sources.Metadata.OpenConnectionAsync(ct);
        await using var cmd = Sql.Command(conn, $"""
            WITH target AS (SELECT id, admin_password_shown_at FROM sites WHERE name = @n AND {StateSql.SiteNotPurged()} FOR UPDATE),
                 taken AS (UPDATE sites s SET admin_password_shown_at = @now FROM target t
                           WHERE s.id = t.id AND t.admin_password_shown_at IS NULL RETURNING s.admin_password_enc)
            SELECT (SELECT admin_password_enc FROM taken), (SELECT admin_password_shown_at FROM target), EXISTS (SELECT 1 FROM target)
            """, ("n", name), ("now", now));
        await using var r = await cmd.ExecuteReaderAsync(ct);
        await r.ReadAsync(ct);
        if (!r.GetBoolean(2)) throw SiteErrors.NotFound(name);
        return (r.IsDBNull(0) ? null : r.GetFieldValue<byte[]>(0), Rows.NullableTime(r, 1));
    }

    public async Task<Job?> GetJobAsync(Guid id, CancellationToken ct)
    {
        await using var conn = await sources.Metadata.OpenConnectionAsync(ct);
        return await Rows.ReadJobAsync(conn, id, ct);
    }

    /// <summary>Recent jobs, newest first; each filter applies when given.</summary>
    public async Task<IReadOnlyList<Job>> ListJobsAsync(string? siteName, int limit, CancellationToken ct,
        JobState? state = null, JobKind? kind = null, DateTimeOffset? since = null)
    {
        await using var conn = await sources.Metadata.OpenConnectionAsync(ct);
        return await Rows.ReadJobsAsync(conn, """
            (@n::text IS NULL OR s.name = @n) AND (@state::text IS NULL OR j.state = @state)
            AND (@kind::text IS NULL OR j.kind = @kind) AND (@since::timestamptz IS NULL OR j.created_at >= @since)
            """, "ORDER BY j.created_at DESC LIMIT @l", ct,
            ("n", siteName), ("state", state?.ToString()), ("kind", kind?.ToString()), ("since", since), ("l", limit));
    }

    /// <summary>How many jobs have waited to start (Queued, due) longer than <paramref name="waiting"/>, and the oldest's wait.</summary>
    public async Task<(long Count, DateTimeOffset? OldestDueAt)> OverdueJobsAsync(DateTimeOffset now, TimeSpan waiting, CancellationToken ct)
    {
        await using var conn = await sources.Metadata.OpenConnectionAsync(ct);
        await using var cmd = Sql.Command(conn, "SELECT count(*), min(run_after) FROM jobs WHERE state = 'Queued' AND run_after < @t",
            ("t", now - waiting));
        await using var r = await cmd.ExecuteReaderAsync(ct);
        await r.ReadAsync(ct);
        return (r.GetInt64(0), Rows.NullableTime(r, 1));
    }

    public async Task<IReadOnlyList<AuditRecord>> ListAuditAsync(string? site, string? actor, DateTimeOffset? from,
        DateTimeOffset? to, int limit, CancellationToken ct)
    {
        await using var conn = await sources.Metadata.OpenConnectionAsync(ct);
        await using var cmd = Sql.Command(conn, """
            SELECT id, at, actor, action, site_name, target, details::text, source_ip FROM audit_events
            WHERE (@site::text IS NULL OR site_name = @site) AND (@actor::text IS NULL OR actor = @actor)
              AND (@from::timestamptz IS NULL OR at >= @from) AND (@to::timestamptz IS NULL OR at < @to)
            ORDER BY at DESC, id DESC LIMIT @limit
            """, ("site", site), ("actor", actor), ("from", from), ("to", to), ("limit", limit));
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var list = new List<AuditRecord>();
        while (await r.ReadAsync(ct))
            list.Add(new AuditRecord(r.GetInt64(0), r.GetFieldValue<DateTimeOffset>(1), r.GetString(2), r.GetString(3),
                Rows.NullableString(r, 4), Rows.NullableString(r, 5), Rows.NullableString(r, 6), Rows.NullableString(r, 7)));
        return list;
    }

    /// <summary>Sites per state (purged ones included: they are history), without rehearsals' scratch copies (§20): a
    /// rehearsal would otherwise show as a site Installing, then one more Purged.</summary>
    public async Task<IReadOnlyDictionary<string, long>> CountSitesByStateAsync(CancellationToken ct) =>
        await CountBy("SELECT state, count(*) FROM sites WHERE rehearsal_of IS NULL GROUP BY state", ct);

    public async Task<IReadOnlyDictionary<string, long>> CountJobsByKindAndStateAsync(CancellationToken ct) =>
        await CountBy("SELECT kind || '|' || state, count(*) FROM jobs GROUP BY kind, state", ct);

    private async Task<Dictionary<string, long>> CountBy(string sql, CancellationToken ct)
    {
        await using var conn = await sources.Metadata.OpenConnectionAsync(ct);
        await using var cmd = new NpgsqlCommand(sql, conn);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var counts = new Dictionary<string, long>();
        while (await r.ReadAsync(ct)) counts[r.GetString(0)] = r.GetInt64(1);
        return counts;
    }

    private static async Task<List<SiteView>> ReadSites(NpgsqlConnection conn, string whereOrderLimit, CancellationToken ct,
        params (string, object?)[] args)
    {
        await using var cmd = Sql.Command(conn, $"""
            SELECT {Rows.SiteColumns},
                   (SELECT j.id FROM jobs j WHERE j.site_id = s.id AND {StateSql.JobUnfinished("j")}),
                   array(SELECT d.domain FROM site_domains d WHERE d.site_id = s.id ORDER BY d.domain COLLATE "C"),
                   (SELECT max(b.good_at) FROM backups b WHERE b.site_id = s.id AND b.good_at IS NOT NULL AND b.pruned_at IS NULL)
            FROM sites s WHERE {whereOrderLimit}
            """, args);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var list = new List<SiteView>();
        while (await r.ReadAsync(ct))
            list.Add(new SiteView(Rows.Site(r), r.IsDBNull(Rows.SiteColumnCount) ? null : r.GetGuid(Rows.SiteColumnCount),
                r.GetFieldValue<string[]>(Rows.SiteColumnCount + 1), Rows.NullableTime(r, Rows.SiteColumnCount + 2)));
        return list;
    }
}
