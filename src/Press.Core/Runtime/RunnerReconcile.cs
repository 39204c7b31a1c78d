using Press.Core.Jobs;
using Press.Core.Sites;

namespace Press.Core.Runtime;

/// <summary>
/// When the reconciler may (re)start a site's runner that is not running. A site stays Active while its suspend or
/// delete job runs (the state changes when the job succeeds), so "Active and stopped" alone would undo the job's
/// stop-runtime step and leave a suspended or deleted site served.
/// </summary>
public static class RunnerReconcile
{
    /// <summary>Jobs that stop or remove the runner on purpose: while one is in progress the runner stays as the job left it.</summary>
    public static readonly IReadOnlySet<JobKind> StopsTheRunner = new HashSet<JobKind> { JobKind.SuspendSite, JobKind.DeleteSite, JobKind.PurgeSite };

    /// <returns>null when the runner should be started; otherwise why it is left alone.</returns>
    public static string? WhyNotStart(Site site, JobKind? jobInProgress) =>
        site.State != SiteState.Active ? $"the site is {site.State}"
        : site.RunnerPort is null ? "the site has no runner port"
        : jobInProgress is { } kind && StopsTheRunner.Contains(kind) ? $"a {kind} job is in progress"
        : null;
}
