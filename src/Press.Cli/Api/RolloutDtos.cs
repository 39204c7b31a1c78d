namespace Press.Cli.Api;

/// <summary>POST /api/upgrades (docs/architecture.md §19).</summary>
public sealed record StartRolloutRequest(string Image, IReadOnlyList<string>? Sites, bool All, int? Canary, int? WaveSize, int? MaxFailures, bool Rehearse);

public sealed record RolloutSite(string Site, int Wave, string State, Guid? JobId, string? Detail);

public sealed record Rollout(Guid Id, string Image, string State, int Canary, int WaveSize, int MaxFailures, int Failures,
    int AcceptedFailures, string? Reason, string CreatedBy, DateTimeOffset CreatedAt, IReadOnlyList<RolloutSite> Sites, bool Rehearse = false);
