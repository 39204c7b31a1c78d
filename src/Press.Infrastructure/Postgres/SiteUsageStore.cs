using Npgsql;
using NpgsqlTypes;
using Press.Core.Ports;
using Press.Core.Sites;
using Press.Core.Usage;

namespace Press.Infrastructure.Postgres;

/// <summary>Per-site usage and limits (migration 0017, docs/architecture.md §15). One row per site in each table: what a
/// read costs is bounded by the fleet, never by history.</summary>
public sealed class SiteUsageStore(PressDataSources sources, TimeProvider time) : ISiteUsageStore
{
    private const string UsageSelect = """
        SELECT s.name, u.sampled_at, u.database_bytes, u.database_reason, u.files_bytes, u.files_reason, u.cpu_ratio,
               u.memory_bytes, u.runner_reason, coalesce(u.requests, 0), coalesce(u.errors_5xx, 0), u.traffic_at,
               l.memory_mb, l.cpus, l.database_cap_mb
        FROM sites s
        LEFT JOIN site_usage u ON u.site_id = s.id
        LEFT JOIN site_limits l ON l.site_id = s.id
        """;

    public async Task<SiteLimits> GetLimitsAsync(Guid siteId, CancellationToken ct)
    {
        await using var conn = await sources.Metadata.OpenConnectionAsync(ct);
        await using var cmd = Sql.Command(conn, "SELECT memory_mb, cpus, database_cap_mb FROM site_limits WHERE site_id = @id", ("id", siteId));
        await using var r = await cmd.ExecuteReaderAsync(ct);
        return await r.ReadAsync(ct) ? Limits(r, 0) : SiteLimits.None;
    }

    public async Task SaveLimitsAsync(Guid siteId, SiteLimits limits, CancellationToken ct)
    {
        await using var conn = await sources.Metadata.OpenConnectionAsync(ct);
        await conn.ExecAsync("""
            INSERT INTO site_limits (site_id, memory_mb, cpus, database_cap_mb, updated_at) VALUES (@id, @m, @c, @cap, @now)
            ON CONFLICT (site_id) DO UPDATE SET memory_mb = excluded.memory_mb, cpus = excluded.cpus,
                database_cap_mb = excluded.database_cap_mb, updated_at = excluded.updated_at
            """, ct, ("id", siteId), ("m", limits.MemoryMb), ("c", limits.Cpus), ("cap", limits.DatabaseCapMb), ("now", time.GetUtcNow()));
    }

    public async Task SaveSamplesAsync(IReadOnlyList<UsageSample> samples, CancellationToken ct)
    {
        if (samples.Count == 0) return;
        // One statement for the whole pass: arrays of the columns, unnested side by side.
        await using var conn = await sources.Metadata.OpenConnectionAsync(ct);
        await using var cmd = new NpgsqlCommand($"""
            INSERT INTO site_usage (site_id, sampled_at, database_bytes, database_reason, files_bytes, files_reason,
                                    cpu_seconds, cpu_ratio, memory_bytes, runner_reason)
            SELECT * FROM unnest(@id, @at, @db, @dbr, @files, @filesr, @cpu, @ratio, @mem, @runr)
            ON CONFLICT (site_id) DO UPDATE SET sampled_at = excluded.sampled_at, database_bytes = excluded.database_bytes,
                database_reason = excluded.database_reason, files_bytes = excluded.files_bytes, files_reason = excluded.files_reason,
                cpu_seconds = excluded.cpu_seconds, cpu_ratio = excluded.cpu_ratio, memory_bytes = excluded.memory_bytes,
                runner_reason = excluded.runner_reason
            """, conn);
        Add(cmd, "id", NpgsqlDbType.Uuid, samples.Select(s => (object?)s.SiteId));
        Add(cmd, "at", NpgsqlDbType.TimestampTz, samples.Select(s => (object?)s.SampledAt));
        Add(cmd, "db", NpgsqlDbType.Bigint, samples.Select(s => (object?)s.DatabaseBytes));
        Add(cmd, "dbr", NpgsqlDbType.Text, samples.Select(s => (object?)s.DatabaseReason));
        Add(cmd, "files", NpgsqlDbType.Bigint, samples.Select(s => (object?)s.Files.Bytes));
        Add(cmd, "filesr", NpgsqlDbType.Text, samples.Select(s => (object?)s.Files.Reason));
        Add(cmd, "cpu", NpgsqlDbType.Double, samples.Select(s => (object?)s.Runner.CpuSeconds));
        Add(cmd, "ratio", NpgsqlDbType.Double, samples.Select(s => (object?)s.CpuRatio));
        Add(cmd, "mem", NpgsqlDbType.Bigint, samples.Select(s => (object?)s.Runner.MemoryBytes));
        Add(cmd, "runr", NpgsqlDbType.Text, samples.Select(s => (object?)s.Runner.Reason));
        await cmd.ExecuteNonQueryAsync(ct);
    }

    public async Task AddTrafficAsync(IReadOnlyDictionary<string, (long Requests, long Errors5xx)> counts, DateTimeOffset at, CancellationToken ct)
    {
        if (counts.Count == 0) return;
        await using var conn = await sources.Metadata.OpenConnectionAsync(ct);
        await using var cmd = new NpgsqlCommand($"""
            INSERT INTO site_usage (site_id, requests, errors_5xx, traffic_at)
            SELECT s.id, c.requests, c.errors, @at
            FROM unnest(@names, @requests, @errors) AS c (name, requests, errors)
            JOIN sites s ON s.name = c.name AND {StateSql.SiteNotPurged("s")}
            ON CONFLICT (site_id) DO UPDATE SET requests = site_usage.requests + excluded.requests,
                errors_5xx = site_usage.errors_5xx + excluded.errors_5xx, traffic_at = excluded.traffic_at
            """, conn);
        cmd.Parameters.AddWithValue("at", at);
        cmd.Parameters.AddWithValue("names", counts.Keys.ToArray());
        cmd.Parameters.AddWithValue("requests", counts.Values.Select(c => c.Requests).ToArray());
        cmd.Parameters.AddWithValue("errors", counts.Values.Select(c => c.Errors5xx).ToArray());
        await cmd.ExecuteNonQueryAsync(ct);
    }

    public async Task<SiteUsage?> GetAsync(string siteName, CancellationToken ct) =>
        (await ReadAsync($"{UsageSelect} WHERE s.name = @n AND {StateSql.SiteNotPurged("s")}", ("n", siteName), ct)).SingleOrDefault();

    public async Task<IReadOnlyList<SiteUsage>> ListAsync(CancellationToken ct) =>
        await ReadAsync($"{UsageSelect} WHERE {StateSql.SiteNotPurged("s")}", null, ct);

    public async Task<IReadOnlyList<Site>> ListSitesToMeasureAsync(CancellationToken ct)
    {
        await using var conn = await sources.Metadata.OpenConnectionAsync(ct);
        await using var cmd = Sql.Command(conn, $"SELECT {Rows.SiteColumns} FROM sites s WHERE {StateSql.SiteNotPurged("s")} ORDER BY s.name");
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var sites = new List<Site>();
        while (await r.ReadAsync(ct)) sites.Add(Rows.Site(r));
        return sites;
    }

    private async Task<List<SiteUsage>> ReadAsync(string sql, (string, object?)? arg, CancellationToken ct)
    {
        await using var conn = await sources.Metadata.OpenConnectionAsync(ct);
        await using var cmd = arg is { } a ? Sql.Command(conn, sql, a) : Sql.Command(conn, sql);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var list = new List<SiteUsage>();
        while (await r.ReadAsync(ct))
            list.Add(new SiteUsage(r.GetString(0), Rows.NullableTime(r, 1), Long(r, 2), Rows.NullableString(r, 3), Long(r, 4),
                Rows.NullableString(r, 5), r.IsDBNull(6) ? null : r.GetDouble(6), Long(r, 7), Rows.NullableString(r, 8),
                r.GetInt64(9), r.GetInt64(10), Rows.NullableTime(r, 11), Limits(r, 12)));
        return list;
    }

    private static SiteLimits Limits(NpgsqlDataReader r, int o) =>
        new(r.IsDBNull(o) ? null : r.GetInt32(o), r.IsDBNull(o + 1) ? null : r.GetDouble(o + 1), r.IsDBNull(o + 2) ? null : r.GetInt32(o + 2));

    private static long? Long(NpgsqlDataReader r, int i) => r.IsDBNull(i) ? null : r.GetInt64(i);

    private static void Add(NpgsqlCommand cmd, string name, NpgsqlDbType type, IEnumerable<object?> values) =>
        cmd.Parameters.Add(new NpgsqlParameter(name, NpgsqlDbType.Array | type) { Value = values.Select(v => v ?? DBNull.Value).ToArray() });
}
