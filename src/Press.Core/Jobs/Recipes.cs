using Press.Core.Sites;
using static Press.Core.Jobs.StepNames;

namespace Press.Core.Jobs;

/// <summary>The site operations of architecture §5 as recipes.</summary>
public static class Recipes
{
    public static readonly JobRecipe NewSite = new(JobKind.NewSite,
        [CreateRole, CreateSchema, ConfigureRole, VerifyLogin, AllocateRunner, WriteSiteConfig, StartRuntime, InstallSite, WaitHealthy],
        WhileRunning: SiteState.Installing, OnSuccess: SiteState.Active);

    public static readonly JobRecipe SuspendSite = new(JobKind.SuspendSite,
        [StopRuntime, DisableLogin, TerminateConnections],
        WhileRunning: null, OnSuccess: SiteState.Suspended);

    /// <summary>
    /// Resume (and undelete) bring the runner back through the same idempotent steps as a new site: each finds its
    /// work already done for a site that was served before, and serves a site created while no runtime was set.
    /// </summary>
    public static readonly JobRecipe ResumeSite = new(JobKind.ResumeSite,
        [EnableLogin, AllocateRunner, WriteSiteConfig, StartRuntime, InstallSite, WaitHealthy],
        WhileRunning: null, OnSuccess: SiteState.Active);

    /// <summary>
    /// Soft delete: the runner stops and is removed, the role loses LOGIN; data and site files are kept for the
    /// retention window.
    /// </summary>
    public static readonly JobRecipe DeleteSite = new(JobKind.DeleteSite,
        [StopRuntime, RemoveRunner, DisableLogin, TerminateConnections, MarkDeleted],
        WhileRunning: null, OnSuccess: SiteState.Deleted);

    public static readonly JobRecipe UndeleteSite = new(JobKind.UndeleteSite,
        [CheckRetention, EnableLogin, AllocateRunner, WriteSiteConfig, StartRuntime, InstallSite, WaitHealthy, ClearDeletion],
        WhileRunning: null, OnSuccess: SiteState.Active, OnFailure: SiteState.Deleted);

    /// <summary>
    /// Purge removes the files and empties the site's cache database before its runner port (and with it that
    /// database) is freed. A failed purge leaves the site Deleted so the retention scheduler or an operator can retry it.</summary>
    public static readonly JobRecipe PurgeSite = new(JobKind.PurgeSite,
        [RemoveSiteFiles, FlushSiteCache, DropSchema, DropRole],
        WhileRunning: null, OnSuccess: SiteState.Purged, OnFailure: SiteState.Deleted);

    public static IReadOnlyList<JobRecipe> All { get; } =
        [NewSite, SuspendSite, ResumeSite, DeleteSite, UndeleteSite, PurgeSite];

    public static JobRecipe For(JobKind kind) => All.Single(r => r.Kind == kind);
}
