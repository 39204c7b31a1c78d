namespace Press.Core.Jobs;

public sealed class JobRunnerOptions
{
    /// <summary>How long a claim holds without renewal; a crashed worker's job is resumed after this.</summary>
    public TimeSpan Lease { get; set; } = TimeSpan.FromSeconds(30);

    public RetryPolicy Retry { get; set; } = RetryPolicy.Default;

    /// <summary>
    /// A job whose last this-many claims all ended without recording any outcome (their worker was killed, stopped, or
    /// cut off for longer than its lease, each time in the same step) fails at that step instead of being run again.
    /// 3, as Sidekiq Pro's reliable fetch treats a job orphaned three times as a poison pill: one or two deaths are an
    /// outage or a deploy, three in the same step are the step.
    /// </summary>
    public int MaxAbandonedClaims { get; set; } = 3;

    /// <summary>Refuses settings the runner cannot work with, naming each and how to fix it (at the worker's start).</summary>
    public JobRunnerOptions Validated()
    {
        var problems = new List<string>();
        if (Lease < TimeSpan.FromSeconds(1))
            problems.Add($"Press:Jobs:Lease is {Lease}; it must be at least 00:00:01 (the default 00:00:30 suits production)");
        if (MaxAbandonedClaims < 1)
            problems.Add($"Press:Jobs:MaxAbandonedClaims is {MaxAbandonedClaims}; it must be 1 or more (default 3)");
        return problems.Count == 0 ? this : throw new InvalidOperationException("Invalid job settings: " + string.Join("; ", problems) + ".");
    }

    /// <summary>
    /// Crash testing only: after this step's effect, before its success is recorded, the runner stops and waits
    /// forever, so a test can SIGKILL the worker at the worst moment. Never set in production.
    /// </summary>
    public string? CrashTestPauseAfterStep { get; set; }

    /// <summary>
    /// Failure testing only: after this step's effect, the runner reports it as failed for good, so a test can prove a
    /// failure at that point loses nothing (and, for a restore, that the undo puts the site back). Never set in production.
    /// </summary>
    public string? FailureTestFailAfterStep { get; set; }
}
