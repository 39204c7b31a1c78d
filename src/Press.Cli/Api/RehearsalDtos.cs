namespace Press.Cli.Api;

/// <summary>POST /api/sites/{name}/rehearsals (docs/architecture.md §20).</summary>
public sealed record RehearseSiteRequest(string Image);

/// <summary>An upgrade rehearsal on a scratch copy of a site.</summary>
public sealed record Rehearsal(Guid Id, string Site, string Image, Guid BackupId, string Outcome, string? FailedStep, double? MigrateSeconds,
    bool? MigrateSucceeded, string? MigrateOutput, string ScratchSite, string ScratchState, string CreatedBy, DateTimeOffset CreatedAt,
    DateTimeOffset? FinishedAt)
{
    public bool Passed => string.Equals(Outcome, "Passed", StringComparison.OrdinalIgnoreCase);
}
