namespace Press.Core.Rollouts;

/// <summary>A rollout's states; the names are part of the API (docs/architecture.md §19).</summary>
public enum RolloutState { Running, Paused, Cancelled, Completed }

/// <summary>One site's part in a rollout.</summary>
/// <remarks>Rehearsing: with <see cref="Rollout.Rehearse"/>, the site's rehearsal on a scratch copy runs before its
/// upgrade (docs/architecture.md §20); a failed rehearsal makes the site Failed, not upgraded.</remarks>
public enum RolloutSiteState { Pending, Upgrading, Succeeded, Failed, Skipped, Rehearsing }

/// <summary>
/// A fleet rollout of a runner image (docs/architecture.md §19): data, driven by the worker's rollout loop one tick at a
/// time, so it survives restarts of manager and worker. Wave 0 holds the canary sites.
/// </summary>
public sealed record Rollout(
    Guid Id,
    string Image,
    RolloutState State,
    int Canary,
    int WaveSize,
    int MaxFailures,
    string CreatedBy,
    DateTimeOffset CreatedAt,
    string? Reason,
    IReadOnlyList<RolloutSite> Sites)
{
    /// <summary>Failures an operator accepted by resuming; the budget counts only the ones after.</summary>
    public int AcceptedFailures { get; init; }

    /// <summary>Each site is rehearsed on a scratch copy first (docs/architecture.md §20); a failed rehearsal is that
    /// site's failure and the site is not upgraded.</summary>
    public bool Rehearse { get; init; }

    public int Failures => Sites.Count(s => s.State == RolloutSiteState.Failed);
}

/// <param name="Wave">0: the canary; then 1, 2, … in order.</param>
/// <param name="JobId">The site's UpgradeSite job, once started (while Rehearsing: its RehearseUpgrade job).</param>
public sealed record RolloutSite(Guid SiteId, string SiteName, int Wave, RolloutSiteState State, Guid? JobId, string? Detail);

/// <summary>What to start a rollout with (validated by <see cref="RolloutRules"/>).</summary>
/// <param name="Sites">Site names; empty with <paramref name="All"/>.</param>
public sealed record RolloutRequest(string? Image, IReadOnlyList<string> Sites, bool All, int? Canary, int? WaveSize, int? MaxFailures, bool Rehearse);
