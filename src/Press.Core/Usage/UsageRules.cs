namespace Press.Core.Usage;

/// <summary>The rules of usage figures, as pure functions (docs/architecture.md §15).</summary>
public static class UsageRules
{
    /// <summary>
    /// CPUs in use between two samples of cumulative CPU time: null on the first sample, when time did not move, or
    /// when the counter went back (the runner was recreated or restarted, its count starts again).
    /// </summary>
    public static double? CpuRatio(double? previousSeconds, DateTimeOffset? previousAt, double? seconds, DateTimeOffset at)
    {
        if (previousSeconds is not { } before || previousAt is not { } then || seconds is not { } now) return null;
        var elapsed = (at - then).TotalSeconds;
        if (elapsed <= 0 || now < before) return null;
        return (now - before) / elapsed;
    }

    /// <summary>
    /// The sites a per-site series is exported for: the <paramref name="k"/> largest by <paramref name="value"/>
    /// (ties by name, so a scrape's set is stable), none without a value. This bounds /metrics' cardinality whatever
    /// the fleet's size.
    /// </summary>
    public static IReadOnlyList<(string Site, double Value)> Top(IEnumerable<SiteUsage> usage, int k, Func<SiteUsage, double?> value) =>
        usage.Select(u => (u.Site, Value: value(u)))
            .Where(p => p.Value is not null)
            .OrderByDescending(p => p.Value).ThenBy(p => p.Site, StringComparer.Ordinal)
            .Take(Math.Max(0, k))
            .Select(p => (p.Site, p.Value!.Value))
            .ToList();

    /// <summary>Database size over its cap (1 = at the cap); null for a site without a cap or a measure.</summary>
    public static double? CapRatio(SiteUsage usage) =>
        usage.Limits.DatabaseCapBytes is { } cap && usage.DatabaseBytes is { } bytes ? (double)bytes / cap : null;
}
