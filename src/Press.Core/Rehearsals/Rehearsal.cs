namespace Press.Core.Rehearsals;

/// <summary>What a rehearsal found (docs/architecture.md §20); the names are part of the API.</summary>
public enum RehearsalOutcome { Running, Passed, Failed }

/// <summary>
/// An upgrade rehearsed on a scratch copy of a site (docs/architecture.md §20): the site's newest good backup restored as
/// a never-routed scratch site, migrated under <see cref="Image"/>, health-checked, then dropped. Its id is its
/// RehearseUpgrade job's id.
/// </summary>
/// <param name="SiteId">The live site rehearsed (never touched).</param>
/// <param name="ScratchSiteId">The scratch site the job runs on; Purged once dropped.</param>
/// <param name="BackupId">The backup the scratch was restored from.</param>
public sealed record Rehearsal(
    Guid Id,
    Guid SiteId,
    string SiteName,
    Guid ScratchSiteId,
    string ScratchName,
    string Image,
    Guid BackupId,
    RehearsalOutcome Outcome,
    string CreatedBy,
    DateTimeOffset CreatedAt,
    DateTimeOffset? FinishedAt)
{
    /// <summary>The step the rehearsal failed at (its job's), when it failed.</summary>
    public string? FailedStep { get; init; }

    /// <summary>How long <c>bench migrate</c> took on the scratch copy, once it ran (failed or not).</summary>
    public TimeSpan? MigrateDuration { get; init; }

    /// <summary>The end of migrate's output (<see cref="RehearsalRules.Tail"/>): the patches it ran, or its traceback.</summary>
    public string? MigrateOutput { get; init; }

    /// <summary>Whether migrate itself succeeded; null until it ran.</summary>
    public bool? MigrateSucceeded { get; init; }

    /// <summary>The scratch site's state: Purged once it was dropped.</summary>
    public Sites.SiteState ScratchState { get; init; }
}
