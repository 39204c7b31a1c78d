namespace Press.Cli.Api;

public sealed record Job(
    Guid Id,
    string Kind,
    string State,
    string? Site,
    string? CreatedBy,
    DateTimeOffset CreatedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt,
    string? FailedStep,
    string? Error,
    IReadOnlyList<JobStep>? Steps)
{
    public bool IsTerminal => JobStates.IsTerminal(State);
    public bool Succeeded => Is(State, JobStates.Succeeded);

    internal static bool Is(string? actual, string expected) =>
        string.Equals(actual, expected, StringComparison.OrdinalIgnoreCase);
}

/// <summary>A job step; SSE <c>step</c> events carry the same shape plus <c>jobId</c>.</summary>
public sealed record JobStep(
    int Ordinal,
    string Name,
    string State,
    int Attempts,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt,
    double? DurationMs,
    string? Output,
    string? Error,
    Guid? JobId)
{
    /// <summary>Server duration if given, else derived from the timestamps.</summary>
    public TimeSpan? Duration =>
        DurationMs is { } ms ? TimeSpan.FromMilliseconds(ms)
        : StartedAt is { } start && FinishedAt is { } end ? end - start
        : null;
}

public sealed record JobList(IReadOnlyList<Job> Items);

public static class JobStates
{
    public const string Waiting = "Waiting";
    public const string Succeeded = "Succeeded";
    public const string Failed = "Failed";
    public const string Cancelled = "Cancelled";

    public static bool IsTerminal(string? state) =>
        Job.Is(state, Succeeded) || Job.Is(state, Failed) || Job.Is(state, Cancelled);
}

public static class StepStates
{
    public const string Pending = "Pending";
    public const string Running = "Running";
    public const string Succeeded = "Succeeded";
    public const string Failed = "Failed";
    public const string Skipped = "Skipped";
}
