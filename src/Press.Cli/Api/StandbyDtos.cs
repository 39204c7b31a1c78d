namespace Press.Cli.Api;

/// <summary>GET /api/standby: the standby pool (docs/architecture.md §17).</summary>
public sealed record StandbyStatus(int Target, bool Enabled, string? Reason, IReadOnlyList<StandbyAppSet> AppSets, IReadOnlyList<StandbySite> Sites);

public sealed record StandbyAppSet(string Apps, int Target, int Ready, int Creating, int Broken);

public sealed record StandbySite(string Name, string Apps, string State, string PoolState, DateTimeOffset CreatedAt);
