namespace Press.Core.Jobs;

public sealed record Job(
    Guid Id,
    JobKind Kind,
    JobState State,
    Guid SiteId,
    string SiteName,
    string CreatedBy,
    DateTimeOffset CreatedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt,
    string? FailedStep,
    string? Error,
    IReadOnlyList<JobStep> Steps)
{
    /// <summary>The operation's parameters (e.g. <c>backupId</c> of a restore), fixed when the job is created.</summary>
    public IReadOnlyDictionary<string, string> Args { get; init; } = JobArgs.None;

    public string? Arg(string name) => Args.TryGetValue(name, out var value) ? value : null;
}

/// <summary>The argument names jobs use.</summary>
public static class JobArgs
{
    public static readonly IReadOnlyDictionary<string, string> None = new Dictionary<string, string>();

    /// <summary>The backup a restore or a new-site-from-backup reads.</summary>
    public const string BackupId = "backupId";

    /// <summary>Why a backup job runs: a <see cref="Backups.BackupTrigger"/> name.</summary>
    public const string Trigger = "trigger";

    /// <summary>The restore (its job id, short form) a rollback or discard acts on.</summary>
    public const string RestoreId = "restoreId";

    /// <summary>"on": the job gives the site single sign-on (a new site while the setting is on, enable-sso).</summary>
    public const string Sso = "sso";

    /// <summary>The image an upgrade puts the site on (docs/architecture.md §18).</summary>
    public const string Image = "image";

    /// <summary>The image the site's runner was made from before an upgrade ("" when the default): what its undo goes
    /// back to.</summary>
    public const string PreviousImage = "previousImage";

    /// <summary>The app an install-app or uninstall-app job acts on.</summary>
    public const string App = "app";
    /// <summary>The standby a claim renames: its name before the claim (docs/architecture.md §17).</summary>
    public const string Standby = "standby";

    /// <summary>The live site a rehearsal's scratch copy stands for (docs/architecture.md §20).</summary>
    public const string RehearsalOf = "rehearsalOf";

    /// <summary>The failed claim a cold create stands in for.</summary>
    public const string FallbackFrom = "fallbackFrom";

    /// <summary>The site database a move puts the site in (docs/architecture.md §16).</summary>
    public const string Database = "database";

    /// <summary>The site database a move takes the site from: where its undo puts it back.</summary>
    public const string FromDatabase = "fromDatabase";
}

public sealed record JobStep(
    int Ordinal,
    string Name,
    StepState State,
    int Attempts,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt,
    string? Output,
    string? Error);
