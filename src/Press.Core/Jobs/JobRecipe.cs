using Press.Core.Sites;

namespace Press.Core.Jobs;

/// <summary>
/// An operation as a recipe of named steps. Names are declared here, in one place, so the job row lists its
/// pending steps from the start and the UI can show them before they run.
/// </summary>
/// <param name="WhileRunning">Site state shown while the job runs; null keeps the current state.</param>
/// <param name="OnSuccess">Site state set in the same transaction that marks the job Succeeded; null keeps it.</param>
/// <param name="OnFailure">Site state set when the job fails at or after <see cref="FirstMutatingStep"/>; null keeps it.</param>
public sealed record JobRecipe(
    JobKind Kind,
    IReadOnlyList<string> Steps,
    SiteState? WhileRunning,
    SiteState? OnSuccess,
    SiteState? OnFailure = SiteState.Broken)
{
    /// <summary>
    /// The first step that changes the live site. A failure before it (a backup taken first, a check) leaves the
    /// site's state as it was; null: every step may change the site.
    /// </summary>
    public string? FirstMutatingStep { get; init; }

    /// <summary>
    /// Steps run, in order and best effort, when the job fails for good, to put the site back as it was before the job
    /// (each is idempotent and does nothing when there is nothing to undo). A job with undo steps is retried from its
    /// first step, because after the undo its earlier steps' effects are gone too.
    /// </summary>
    public IReadOnlyList<string> Undo { get; init; } = [];

    public bool RetryFromStart => Undo.Count > 0;

    /// <summary>The site state a failure at <paramref name="failedStep"/> leaves; null keeps the current one.</summary>
    public SiteState? FailureState(string failedStep)
    {
        if (FirstMutatingStep is null) return OnFailure;
        var first = Steps.ToList().IndexOf(FirstMutatingStep);
        var failed = Steps.ToList().IndexOf(failedStep);
        return failed >= 0 && failed < first ? null : OnFailure;
    }
}
