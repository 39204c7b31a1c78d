namespace Press.Cli.Api;

/// <summary>GET /api/sites/{name}/usage (docs/architecture.md §15).</summary>
public sealed record SiteUsage(
    string Site, DateTimeOffset? SampledAt, long? DatabaseBytes, string? DatabaseReason, long? DatabaseCapBytes, bool DatabaseOverCap,
    long? FilesBytes, string? FilesReason, double? CpuRatio, long? MemoryBytes, string? RunnerReason, long Requests, long Errors5xx,
    DateTimeOffset? TrafficAt, SiteLimitsBody? Limits);

/// <summary>PUT /api/sites/{name}/limits; a null field takes the default.</summary>
public sealed record SiteLimitsBody(int? MemoryMb, double? Cpus, int? DatabaseCapMb);
