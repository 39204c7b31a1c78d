using Press.Core.Jobs;
using Press.Core.Usage;

namespace Press.Core.Sites;

public sealed partial class SiteOperations
{
    /// <summary>
    /// Replaces the site's limits override (null fields: the defaults) and returns the ChangeLimits job that applies it
    /// (docs/architecture.md §15). Only an Active site: a suspended one gets its limits when it resumes, from the saved row —
    /// but that row is written by the job, so the job needs a runner to restart.
    /// </summary>
    /// <exception cref="ValidationException">A value is out of bounds (every problem at once).</exception>
    public Task<Job> ChangeLimitsAsync(string name, SiteLimits limits, Audit.Actor actor, CancellationToken ct)
    {
        ValidationException.ThrowIfAny(limits.Problems());
        return Enqueue(name, Recipes.ChangeLimits, [SiteState.Active], actor, "site.limits", ct, limits.ToArgs());
    }
}
