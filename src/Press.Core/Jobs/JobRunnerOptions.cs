namespace Press.Core.Jobs;

public sealed class JobRunnerOptions
{
    /// <summary>How long a claim holds without renewal; a crashed worker's job is resumed after this.</summary>
    public TimeSpan Lease { get; set; } = TimeSpan.FromSeconds(30);

    public RetryPolicy Retry { get; set; } = RetryPolicy.Default;

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
