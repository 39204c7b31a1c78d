using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using Press.Core.Ports;
using Press.Core.Sites;
using Press.Core.Usage;
using Press.Infrastructure.Health;

namespace Press.Infrastructure.Metrics;

/// <summary>
/// The series that must read the metadata store (sites by state, unfinished jobs, backup freshness and verification),
/// so every manager and worker reports the same truth. OpenTelemetry reads observable gauges synchronously while it
/// collects, so the database is read once per scrape, asynchronously, just before (<see cref="RefreshAsync"/>, run by
/// the scrape endpoint's pipeline) and the gauges report that snapshot. A snapshot that could not be read reports
/// nothing: the alert rules treat a missing series as such (docs/architecture.md §13).
/// </summary>
public sealed partial class PressGauges
{
    public const string MeterName = "Press";

    private readonly MetricsQueries _queries;
    private readonly ISettingsStore _settings;
    private readonly ISiteUsageStore _usage;
    private readonly IStandbyPool _standby;
    private readonly TimeProvider _time;
    private readonly ILogger<PressGauges> _logger;
    private readonly SemaphoreSlim _refresh = new(1, 1);
    private volatile Snapshot? _snapshot;

    private sealed record Snapshot(DateTimeOffset Now, int StaleAfterHours, IReadOnlyDictionary<string, long> Sites,
        IReadOnlyList<MetricsQueries.ActiveJob> Jobs, IReadOnlyList<MetricsQueries.SiteBackups> Backups,
        IReadOnlyList<SiteUsage> Usage, int TopSites, IReadOnlyList<Core.Standby.StandbyCount> Standby);

    public PressGauges(IMeterFactory meters, MetricsQueries queries, ISettingsStore settings, ISiteUsageStore usage, IStandbyPool standby,
        TimeProvider time, ILogger<PressGauges> logger)
    {
        (_queries, _settings, _usage, _standby, _time, _logger) = (queries, settings, usage, standby, time, logger);
        var meter = meters.Create(MeterName);
        meter.CreateObservableGauge("press_sites", () => From(s => s.Sites.Select(p => M(p.Value, ("state", p.Key)))),
            description: "Sites by lifecycle state (Purged ones are not counted).");
        meter.CreateObservableGauge("press_jobs", () => From(s => s.Jobs.Select(j => M(j.Count, ("kind", j.Kind), ("state", j.State)))),
            description: "Unfinished jobs (Queued, Running, Waiting) by kind and state; finished ones are press_jobs_finished_total.");
        meter.CreateObservableGauge("press_job_oldest_running_age_seconds", () => From(s => s.Jobs
                .Where(j => j.OldestRunningStart is not null)
                .Select(j => M(Math.Max(0, (s.Now - j.OldestRunningStart!.Value).TotalSeconds), ("kind", j.Kind)))),
            description: "Seconds since the oldest job still Running (per kind) started: a stuck job keeps growing it.");
        meter.CreateObservableGauge("press_backup_stale_sites", () => From(s => [M(Stale(s).Count())]),
            description: "Sites whose newest good backup (or, without one, whose creation) is older than backups.staleAfterHours.");
        meter.CreateObservableGauge("press_backup_last_good_age_seconds", () => From(s => s.Backups
                .Where(b => b.NewestGoodAt is not null)
                .Select(b => M(Math.Max(0, (s.Now - b.NewestGoodAt!.Value).TotalSeconds), ("site", b.Site)))),
            description: "Seconds since the site's newest good backup finished.");
        meter.CreateObservableGauge("press_backup_verification_ok", () => From(s => s.Backups
                .Where(b => b.VerificationOk is not null)
                .Select(b => M(b.VerificationOk == true ? 1 : 0, ("site", b.Site)))),
            description: "1 when the last verification (a test restore) of the site's newest good backup passed, 0 when it failed; absent when never verified.");
        meter.CreateObservableGauge("press_backup_verification_failed_sites", () => From(s => [M(s.Backups.Count(b => b.VerificationOk == false))]),
            description: "Sites whose newest good backup failed its last verification.");
        meter.CreateObservableGauge("press_backup_failed_sites", () => From(s => [M(s.Backups.Count(b => b.NewestAttemptFailed))]),
            description: "Sites whose newest backup attempt failed (a later good backup clears it).");
        UsageGauges(meter);
        meter.CreateObservableGauge("press_standby_sites", () => From(s => s.Standby.SelectMany(c => new[]
            {
                M(c.Ready, ("apps", c.Apps.Key), ("state", "ready")), M(c.Creating, ("apps", c.Apps.Key), ("state", "creating")),
                M(c.Broken, ("apps", c.Apps.Key), ("state", "broken")),
            })),
            description: "Standby sites per app set and pool state (ready, creating, broken); docs/architecture.md §17.");
    }

    /// <summary>
    /// Per-site usage (docs/architecture.md §15): each per-site series only for the usage.metricsSites largest sites by
    /// that measure, so /metrics stays bounded whatever the fleet's size; fleet totals beside them.
    /// </summary>
    private void UsageGauges(Meter meter)
    {
        meter.CreateObservableGauge("press_site_database_bytes", () => Top(u => u.DatabaseBytes),
            description: "Database size (its schema: tables with indexes and TOAST, materialized views, sequences) of the largest sites (usage.metricsSites of them).");
        meter.CreateObservableGauge("press_site_files_bytes", () => Top(u => u.FilesBytes),
            description: "Size of public and private files of the largest sites by files (usage.metricsSites of them).");
        meter.CreateObservableGauge("press_site_memory_bytes", () => Top(u => u.MemoryBytes),
            description: "Memory in use by the runner and its sidecars of the sites using most (usage.metricsSites of them).");
        meter.CreateObservableGauge("press_site_cpu_ratio", () => Top(u => u.CpuRatio),
            description: "CPUs in use by the runner and its sidecars (1 = one CPU) of the busiest sites (usage.metricsSites of them).");
        meter.CreateObservableGauge("press_site_database_cap_ratio", () => Top(UsageRules.CapRatio),
            description: "Database size over the site's cap (above 1: over it) of the sites nearest or over their caps (usage.metricsSites of them); only sites with a cap.");
        meter.CreateObservableGauge("press_sites_database_bytes", () => From(s => [M(s.Usage.Sum(u => u.DatabaseBytes ?? 0))]),
            description: "Database size of every live site together.");
        meter.CreateObservableGauge("press_sites_files_bytes", () => From(s => [M(s.Usage.Sum(u => u.FilesBytes ?? 0))]),
            description: "Files of every live site together.");
        meter.CreateObservableGauge("press_sites_database_over_cap", () => From(s => [M(s.Usage.Count(u => u.DatabaseOverCap))]),
            description: "Sites whose database is larger than their cap (an alert, never a block).");
    }

    private IEnumerable<Measurement<double>> Top(Func<SiteUsage, double?> value) =>
        From(s => UsageRules.Top(s.Usage, s.TopSites, value).Select(p => M(p.Value, ("site", p.Site))));

    /// <summary>Reads the database once for the scrape that follows; concurrent scrapes share one read.</summary>
    public async Task RefreshAsync(CancellationToken ct)
    {
        await _refresh.WaitAsync(ct);
        try
        {
            var settings = await _settings.GetAsync(ct);
            var standby = settings.StandbySize > 0 ? settings.StandbyAppSets : [];
            _snapshot = new Snapshot(_time.GetUtcNow(), settings.BackupStaleAfterHours,
                await _queries.SitesByStateAsync(ct), await _queries.ActiveJobsAsync(ct), await _queries.BackupsAsync(ct),
                await _usage.ListAsync(ct), settings.UsageMetricsSites, Core.Standby.StandbyCount.Of(standby, await _standby.ListAsync(ct)));
        }
        catch (Exception ex) when (!ct.IsCancellationRequested)
        {
            _snapshot = null;
            LogReadFailed(ex.Message);
        }
        finally
        {
            _refresh.Release();
        }
    }

    private static IEnumerable<MetricsQueries.SiteBackups> Stale(Snapshot s) =>
        s.Backups.Where(b => BackupStaleness.IsStale(b.State, b.CreatedAt, b.NewestGoodAt, s.Now, s.StaleAfterHours));

    private IEnumerable<Measurement<double>> From(Func<Snapshot, IEnumerable<Measurement<double>>> read) =>
        _snapshot is { } s ? read(s).ToList() : [];

    private static Measurement<double> M(double value, params (string Key, string Value)[] tags) =>
        new(value, tags.Select(t => new KeyValuePair<string, object?>(t.Key, t.Value)).ToArray());

    [LoggerMessage(LogLevel.Warning, "Metrics: the metadata store could not be read; this scrape has no database series: {Error}")]
    private partial void LogReadFailed(string error);
}
