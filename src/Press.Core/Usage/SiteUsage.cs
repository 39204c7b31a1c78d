namespace Press.Core.Usage;

/// <summary>What one site uses, as the newest sample recorded it (docs/architecture.md §15). A null measure has its
/// reason beside it (the driver runs no runner, the folder could not be read, …).</summary>
/// <param name="CpuRatio">CPUs in use between the last two samples (0.5 = half a CPU), runner and sidecars together.</param>
/// <param name="Requests">Requests the embedded proxy forwarded to the site since it was created (not through Traefik).</param>
/// <param name="Errors5xx">Of those, the ones answered with a 5xx (by the runner, or by the proxy when the runner failed).</param>
public sealed record SiteUsage(
    string Site,
    DateTimeOffset? SampledAt,
    long? DatabaseBytes,
    string? DatabaseReason,
    long? FilesBytes,
    string? FilesReason,
    double? CpuRatio,
    long? MemoryBytes,
    string? RunnerReason,
    long Requests,
    long Errors5xx,
    DateTimeOffset? TrafficAt,
    SiteLimits Limits)
{
    /// <summary>Whether the database is larger than the site's cap (an alert, never a block).</summary>
    public bool DatabaseOverCap => Limits.DatabaseCapBytes is { } cap && DatabaseBytes > cap;
}

/// <summary>One measure of a site's runner: CPU time used so far and memory in use, summed over the runner and its
/// sidecars (containers) or its process tree; or why there is none.</summary>
public sealed record RunnerUsage(double? CpuSeconds, long? MemoryBytes, string? Reason)
{
    public static RunnerUsage Unmeasured(string reason) => new(null, null, reason);
}

/// <summary>The size of a site's files (public and private), or why there is none.</summary>
public sealed record FilesUsage(long? Bytes, string? Reason)
{
    public static FilesUsage Unmeasured(string reason) => new(null, reason);
}

/// <summary>One site's sample as the collector records it.</summary>
public sealed record UsageSample(Guid SiteId, DateTimeOffset SampledAt, long? DatabaseBytes, string? DatabaseReason,
    FilesUsage Files, RunnerUsage Runner, double? CpuRatio);
