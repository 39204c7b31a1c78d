using System.Globalization;
using Npgsql;
using Press.Core.Ports;
using Press.Infrastructure.Health;
using Press.Infrastructure.Postgres;

namespace Press.Infrastructure.Metrics;

/// <summary>
/// Metrics read from the metadata store at scrape time, so every manager and worker reports the same truth:
/// sites by state, jobs by kind and state, histograms of job and step durations, and backup staleness and verification.
/// </summary>
public sealed class PressMetrics(PressDataSources sources, SiteQueries queries, IBackupStore backups, ISettingsStore settings, TimeProvider time)
{
    private static readonly double[] Buckets = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800];

    public async Task WriteAsync(PrometheusText text, CancellationToken ct)
    {
        text.Family("press_sites", "gauge", "Sites by lifecycle state.");
        foreach (var (state, n) in await queries.CountSitesByStateAsync(ct))
            text.Sample("press_sites", n, ("state", state));

        text.Family("press_jobs", "gauge", "Jobs by kind and state.");
        foreach (var (key, n) in await queries.CountJobsByKindAndStateAsync(ct))
        {
            var parts = key.Split('|');
            text.Sample("press_jobs", n, ("kind", parts[0]), ("state", parts[1]));
        }

        await Histogram(text, "press_job_duration_seconds", "Duration of finished jobs.", ["kind", "state"],
            "SELECT kind, state, extract(epoch FROM finished_at - started_at)::float8 AS d FROM jobs WHERE finished_at IS NOT NULL AND started_at IS NOT NULL", ct);
        await Histogram(text, "press_step_duration_seconds", "Duration of finished job steps.", ["kind", "step", "state"],
            """
            SELECT j.kind, s.name, s.state, extract(epoch FROM s.finished_at - s.started_at)::float8 AS d
            FROM job_steps s JOIN jobs j ON j.id = s.job_id
            WHERE s.finished_at IS NOT NULL AND s.started_at IS NOT NULL AND s.state IN ('Succeeded', 'Failed', 'Skipped')
            """, ct);
        await BackupsAsync(text, ct);
    }

    /// <summary>Backup freshness per watched site (Active, Suspended, Broken) by the rule of <see cref="BackupStaleness"/>.</summary>
    private async Task BackupsAsync(PrometheusText text, CancellationToken ct)
    {
        var report = await BackupStaleness.ComputeAsync(backups, settings, time, ct);
        text.Family("press_backup_stale_sites", "gauge",
            "Sites whose newest good backup (or, without one, whose creation) is older than backups.staleAfterHours.");
        text.Sample("press_backup_stale_sites", report.Stale.Count);

        text.Family("press_backup_last_good_age_seconds", "gauge", "Seconds since the site's newest good backup finished.");
        foreach (var s in report.Sites)
            if (s.NewestGoodAt is { } at)
                text.Sample("press_backup_last_good_age_seconds", Math.Max(0, (report.Now - at).TotalSeconds), ("site", s.SiteName));

        text.Family("press_backup_verification_ok", "gauge",
            "1 when the last verification (a test restore) of the site's newest good backup passed, 0 when it failed; absent when never verified.");
        foreach (var s in report.Sites)
            if (s.LastVerificationOk is { } ok)
                text.Sample("press_backup_verification_ok", ok ? 1 : 0, ("site", s.SiteName));

        text.Family("press_backup_verification_failed_sites", "gauge", "Sites whose newest good backup failed its last verification.");
        text.Sample("press_backup_verification_failed_sites", report.Sites.Count(s => s.LastVerificationOk == false));
    }

    private async Task Histogram(PrometheusText text, string name, string help, string[] labels, string source, CancellationToken ct)
    {
        text.Family(name, "histogram", help);
        var keys = string.Join(", ", labels.Select((_, i) => $"k{i}"));
        var aliased = $"SELECT * FROM ({source}) src";
        var bucketSql = string.Join(", ", Buckets.Select(b => $"count(*) FILTER (WHERE d <= {b.ToString(CultureInfo.InvariantCulture)})"));
        var sql = $"SELECT {keys}, {bucketSql}, count(*), coalesce(sum(d), 0) FROM ({aliased}) AS x({keys}, d) GROUP BY {keys} ORDER BY {keys}";
        await using var conn = await sources.Metadata.OpenConnectionAsync(ct);
        await using var cmd = new NpgsqlCommand(sql, conn);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            var labelValues = labels.Select((l, i) => (l, r.GetString(i))).ToArray();
            for (var b = 0; b < Buckets.Length; b++)
                text.Sample(name + "_bucket", r.GetInt64(labels.Length + b), [.. labelValues, ("le", Buckets[b].ToString(CultureInfo.InvariantCulture))]);
            var count = r.GetInt64(labels.Length + Buckets.Length);
            text.Sample(name + "_bucket", count, [.. labelValues, ("le", "+Inf")]);
            text.Sample(name + "_count", count, labelValues);
            text.Sample(name + "_sum", r.GetDouble(labels.Length + Buckets.Length + 1), labelValues);
        }
    }
}
