using Microsoft.Extensions.Diagnostics.HealthChecks;
using Press.Core.Ports;
using Press.Core.Sites;

namespace Press.Infrastructure.Health;

/// <summary>What the staleness rule found at one moment: every watched site's backup summary, and the stale ones.</summary>
public sealed record BackupStalenessReport(
    DateTimeOffset Now, int StaleAfterHours, IReadOnlyList<SiteBackupSummary> Sites, IReadOnlyList<SiteBackupSummary> Stale);

/// <summary>
/// A site that serves or may serve again (Active, Suspended, Broken) is stale when its newest good backup finished more
/// than <c>backups.staleAfterHours</c> ago, or it has none and was created more than that long ago. One rule for the
/// API, /metrics and /readyz.
/// </summary>
public static class BackupStaleness
{
    public static bool IsWatched(SiteState state) => state is SiteState.Active or SiteState.Suspended or SiteState.Broken;

    public static bool IsStale(SiteState state, DateTimeOffset siteCreatedAt, DateTimeOffset? newestGoodAt, DateTimeOffset now, int staleAfterHours) =>
        IsWatched(state) && now - (newestGoodAt ?? siteCreatedAt) > TimeSpan.FromHours(staleAfterHours);

    public static async Task<BackupStalenessReport> ComputeAsync(IBackupStore backups, ISettingsStore settings, TimeProvider time, CancellationToken ct)
    {
        var hours = (await settings.GetAsync(ct)).BackupStaleAfterHours;
        var summaries = (await backups.SummariesAsync(ct)).Where(s => IsWatched(s.State)).ToList();
        var now = time.GetUtcNow();
        var stale = summaries.Where(s => IsStale(s.State, s.SiteCreatedAt, s.NewestGoodAt, now, hours)).ToList();
        return new BackupStalenessReport(now, hours, summaries, stale);
    }
}

/// <summary>
/// <c>/readyz</c> check "backups": Healthy when no site's backups are stale, else Degraded (never Unhealthy: stale
/// backups are for an operator to fix, not a reason to take the manager out of rotation) with up to 20 site names.
/// </summary>
public sealed class BackupHealthCheck(IBackupStore backups, ISettingsStore settings, TimeProvider time) : IHealthCheck
{
    public const string Name = "backups";
    public const int MaxListed = 20;

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        BackupStalenessReport report;
        try
        {
            report = await BackupStaleness.ComputeAsync(backups, settings, time, ct);
        }
        catch (Exception ex) when (!ct.IsCancellationRequested)
        {
            // The postgres check reports an outage as Unhealthy; this one only says it could not look.
            return HealthCheckResult.Degraded($"could not check backup staleness: {ex.Message}");
        }
        if (report.Stale.Count == 0)
            return HealthCheckResult.Healthy($"no stale backups ({report.Sites.Count} site(s); stale after {report.StaleAfterHours} h)");
        var names = report.Stale.Select(s => s.SiteName).Order(StringComparer.Ordinal).Take(MaxListed).ToArray();
        var more = report.Stale.Count > names.Length ? $" and {report.Stale.Count - names.Length} more" : "";
        return HealthCheckResult.Degraded(
            $"{report.Stale.Count} site(s) without a good backup in the last {report.StaleAfterHours} h: {string.Join(", ", names)}{more}",
            data: new Dictionary<string, object>
            {
                ["staleSites"] = names,
                ["staleCount"] = report.Stale.Count,
                ["staleAfterHours"] = report.StaleAfterHours,
            });
    }
}
