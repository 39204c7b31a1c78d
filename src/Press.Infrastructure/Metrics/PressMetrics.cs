using System.Globalization;
using Npgsql;
using Press.Infrastructure.Postgres;

namespace Press.Infrastructure.Metrics;

/// <summary>
/// Metrics read from the metadata store at scrape time, so every manager and worker reports the same truth:
/// sites by state, jobs by kind and state, and histograms of job and step durations.
/// </summary>
public sealed class PressMetrics(PressDataSources sources, SiteQueries queries)
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
