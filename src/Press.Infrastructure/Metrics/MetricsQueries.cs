using Npgsql;
using Press.Core.Jobs;
using Press.Core.Sites;
using Press.Infrastructure.Postgres;

namespace Press.Infrastructure.Metrics;

/// <summary>What a scrape reads from the metadata store: three queries, each bounded by the live fleet (sites that are
/// not purged, jobs that have not ended) through an index, never by the job or backup history
/// (docs/architecture.md §13; <c>MetricsQueryPlanTests</c> checks their plans against 10,000 old jobs).</summary>
public sealed class MetricsQueries(PressDataSources sources)
{
    /// <summary>Sites per state, Purged excluded (purged rows are history): an index-only count on <c>sites_state</c>.</summary>
    public const string SitesByState = "SELECT state, count(*) FROM sites WHERE state = ANY(@states) GROUP BY state";

    /// <summary>Unfinished jobs per kind and state, with the oldest start among the running ones: the partial index
    /// <c>jobs_runnable</c> holds only unfinished jobs.</summary>
    public static readonly string ActiveJobs = $"""
        SELECT kind, state, count(*), min(started_at) FILTER (WHERE state = 'Running')
        FROM jobs WHERE {StateSql.JobUnfinished()} GROUP BY kind, state
        """;

    /// <summary>Per watched site: its newest good backup (<c>backups_site_good</c>) and whether its newest backup
    /// attempt failed (<c>backups_site</c>, one row).</summary>
    public const string Backups = """
        SELECT s.name, s.state, s.created_at, g.good_at, g.verify_ok, a.state
        FROM sites s
        LEFT JOIN LATERAL (SELECT b.good_at, b.verify_ok FROM backups b
                           WHERE b.site_id = s.id AND b.good_at IS NOT NULL AND b.pruned_at IS NULL
                           ORDER BY b.good_at DESC LIMIT 1) g ON true
        LEFT JOIN LATERAL (SELECT j.state FROM backups b JOIN jobs j ON j.id = b.id
                           WHERE b.site_id = s.id ORDER BY b.created_at DESC LIMIT 1) a ON true
        WHERE s.state = ANY(@watched) AND NOT s.standby AND s.rehearsal_of IS NULL
        """;

    public static readonly string[] LiveStates = Enum.GetNames<SiteState>().Where(s => s != nameof(SiteState.Purged)).ToArray();

    public static readonly string[] WatchedStates =
        Enum.GetValues<SiteState>().Where(Health.BackupStaleness.IsWatched).Select(s => s.ToString()).ToArray();

    public sealed record ActiveJob(string Kind, string State, long Count, DateTimeOffset? OldestRunningStart);

    public sealed record SiteBackups(string Site, SiteState State, DateTimeOffset CreatedAt, DateTimeOffset? NewestGoodAt,
        bool? VerificationOk, bool NewestAttemptFailed);

    public async Task<IReadOnlyDictionary<string, long>> SitesByStateAsync(CancellationToken ct)
    {
        var counts = new Dictionary<string, long>();
        await foreach (var r in ReadAsync(SitesByState, ("states", LiveStates), ct))
            counts[r.GetString(0)] = r.GetInt64(1);
        return counts;
    }

    public async Task<IReadOnlyList<ActiveJob>> ActiveJobsAsync(CancellationToken ct)
    {
        var list = new List<ActiveJob>();
        await foreach (var r in ReadAsync(ActiveJobs, null, ct))
            list.Add(new ActiveJob(r.GetString(0), r.GetString(1), r.GetInt64(2), Rows.NullableTime(r, 3)));
        return list;
    }

    public async Task<IReadOnlyList<SiteBackups>> BackupsAsync(CancellationToken ct)
    {
        var list = new List<SiteBackups>();
        await foreach (var r in ReadAsync(Backups, ("watched", WatchedStates), ct))
            list.Add(new SiteBackups(r.GetString(0), Enum.Parse<SiteState>(r.GetString(1)), r.GetFieldValue<DateTimeOffset>(2),
                Rows.NullableTime(r, 3), r.IsDBNull(4) ? null : r.GetBoolean(4),
                !r.IsDBNull(5) && r.GetString(5) is nameof(JobState.Failed) or nameof(JobState.Cancelled)));
        return list;
    }

    private async IAsyncEnumerable<NpgsqlDataReader> ReadAsync(string sql, (string, object?)? arg,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        await using var conn = await sources.Metadata.OpenConnectionAsync(ct);
        await using var cmd = arg is { } a ? Sql.Command(conn, sql, a) : Sql.Command(conn, sql);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) yield return r;
    }
}
