using Press.Core.Sites;

namespace Press.Core.Jobs;

/// <summary>
/// An operation as a recipe of named steps. Names are declared here, in one place, so the job row lists its
/// pending steps from the start and the UI can show them before they run.
/// </summary>
/// <param name="WhileRunning">Site state shown while the job runs; null keeps the current state.</param>
/// <param name="OnSuccess">Site state set in the same transaction that marks the job Succeeded.</param>
/// <param name="OnFailure">Site state set when the job fails.</param>
public sealed record JobRecipe(
    JobKind Kind,
    IReadOnlyList<string> Steps,
    SiteState? WhileRunning,
    SiteState OnSuccess,
    SiteState OnFailure = SiteState.Broken);
