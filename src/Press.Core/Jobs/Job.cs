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
    IReadOnlyList<JobStep> Steps);

public sealed record JobStep(
    int Ordinal,
    string Name,
    StepState State,
    int Attempts,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt,
    string? Output,
    string? Error);
