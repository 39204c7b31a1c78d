using Press.Core.Usage;

namespace Press.Core.Ports;

/// <summary>Per-site usage and limits in the metadata store (docs/architecture.md §15).</summary>
public interface ISiteUsageStore
{
    /// <summary>The site's override, <see cref="SiteLimits.None"/> when it has none.</summary>
    Task<SiteLimits> GetLimitsAsync(Guid siteId, CancellationToken ct);

    /// <summary>Replaces the site's override (idempotent).</summary>
    Task SaveLimitsAsync(Guid siteId, SiteLimits limits, CancellationToken ct);

    /// <summary>Overwrites each site's newest sample; the request counters are left alone.</summary>
    Task SaveSamplesAsync(IReadOnlyList<UsageSample> samples, CancellationToken ct);

    /// <summary>Adds requests and 5xx answers counted by the proxy since its last flush, per site name.</summary>
    Task AddTrafficAsync(IReadOnlyDictionary<string, (long Requests, long Errors5xx)> counts, DateTimeOffset at, CancellationToken ct);

    /// <summary>The site's usage (not purged), or null when there is no such site.</summary>
    Task<SiteUsage?> GetAsync(string siteName, CancellationToken ct);

    /// <summary>The sites whose usage is sampled: every site that is not purged.</summary>
    Task<IReadOnlyList<Sites.Site>> ListSitesToMeasureAsync(CancellationToken ct);

    /// <summary>Every live site's usage (bounded by the fleet, not by history): what /metrics picks its top sites from.</summary>
    Task<IReadOnlyList<SiteUsage>> ListAsync(CancellationToken ct);
}

/// <summary>Database size per site, read from the catalog only — never a statement that runs tenant code.</summary>
public interface IDatabaseSizes
{
    /// <summary>Bytes per schema (tables with their indexes and TOAST, materialized views, sequences), for each
    /// (database, schema) asked; a schema missing from the answer has its reason in <see cref="SizeReport.Reasons"/>.</summary>
    Task<SizeReport> MeasureAsync(IReadOnlyList<Tenancy.TenantLocation> locations, CancellationToken ct);
}

public sealed record SizeReport(IReadOnlyDictionary<Tenancy.TenantLocation, long> Bytes, IReadOnlyDictionary<Tenancy.TenantLocation, string> Reasons);
