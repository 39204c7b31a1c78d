using Press.Core.Sites;
using static Press.Core.Jobs.StepNames;

namespace Press.Core.Jobs;

/// <summary>The site operations of docs/architecture.md §5 as recipes.</summary>
public static class Recipes
{
    /// <summary>The scheduler is enabled once Frappe is installed (new sites start with it off, docs/frappe.md §7), unless the
    /// setting <c>runtime.scheduler</c> is off.</summary>
    public static readonly JobRecipe NewSite = new(JobKind.NewSite,
        [CreateRole, CreateSiteDatabase, CreateSchema, ConfigureRole, VerifyLogin, AllocateRunner, WriteSiteConfig, StartRuntime, InstallSite, EnableScheduler, WaitHealthy,
         SaveSiteConfig, RecordVersions, RegisterSsoClient, ConfigureSiteSso],
        WhileRunning: SiteState.Installing, OnSuccess: SiteState.Active);

    public static readonly JobRecipe SuspendSite = new(JobKind.SuspendSite,
        [SaveSiteConfig, StopRuntime, DisableLogin, TerminateConnections],
        WhileRunning: null, OnSuccess: SiteState.Suspended);

    /// <summary>
    /// Resume (and undelete) bring the runner back through the same idempotent steps as a new site: each finds its
    /// work already done for a site that was served before, and serves a site created while no runtime was set.
    /// </summary>
    public static readonly JobRecipe ResumeSite = new(JobKind.ResumeSite,
        [EnableLogin, AllocateRunner, WriteSiteConfig, StartRuntime, InstallSite, WaitHealthy, RecordVersions],
        WhileRunning: null, OnSuccess: SiteState.Active);

    /// <summary>
    /// Soft delete: the runner stops and is removed, the role loses LOGIN; data and site files are kept for the
    /// retention window.
    /// </summary>
    public static readonly JobRecipe DeleteSite = new(JobKind.DeleteSite,
        [.. TakeBackup, StopRuntime, RemoveRunner, DisableLogin, TerminateConnections, DisableSsoClient, MarkDeleted],
        WhileRunning: null, OnSuccess: SiteState.Deleted) { FirstMutatingStep = StopRuntime };

    public static readonly JobRecipe UndeleteSite = new(JobKind.UndeleteSite,
        [CheckRetention, EnableLogin, AllocateRunner, WriteSiteConfig, StartRuntime, InstallSite, WaitHealthy, RecordVersions,
         RegisterSsoClient, ConfigureSiteSso, ClearDeletion],
        WhileRunning: null, OnSuccess: SiteState.Active, OnFailure: SiteState.Deleted);

    /// <summary>
    /// Purge removes the files and the site's own Redis with its data (cache, sessions, queued jobs) before its runner
    /// port is freed. A failed purge leaves the site Deleted so the retention scheduler or an operator can retry it.</summary>
    public static readonly JobRecipe PurgeSite = new(JobKind.PurgeSite,
        [RemoveSsoClient, DeleteBackups, RemoveSiteFiles, RemoveSiteRedis, DiscardRestore, DropSchema, DropRole],
        WhileRunning: null, OnSuccess: SiteState.Purged, OnFailure: SiteState.Deleted);

    /// <summary>A backup on its own (manual or scheduled): changes nothing on the site, whatever happens.</summary>
    public static readonly JobRecipe BackupSite = new(JobKind.BackupSite, TakeBackup,
        WhileRunning: null, OnSuccess: null, OnFailure: null);

    /// <summary>
    /// Restore in place. Everything that can fail on the backup's side (checksums, the restore itself, its row counts,
    /// the files) happens before the site is touched, into a fresh schema and a staging folder; the swap is one
    /// transaction. A failure after it runs the undo, which swaps the previous state back: the live site ends as it
    /// was. The previous schema and files are kept for the rollback window. The site role cannot log in from just before
    /// its sessions are ended until the swap is done, so no web worker — whose cached config may not show maintenance
    /// mode yet (docs/frappe.md §7) — can open a transaction that would write to the old schema after the swap.
    /// </summary>
    public static readonly JobRecipe RestoreSite = new(JobKind.RestoreSite,
        [CheckBackup, .. TakeBackup, RestoreDatabase, CheckRestore, StageFiles,
         EnterMaintenance, DisableLogin, TerminateConnections, SwapSchema, EnableLogin, SwapFiles, Migrate, LeaveMaintenance, WaitHealthy,
         RecordVersions],
        WhileRunning: null, OnSuccess: SiteState.Active, OnFailure: null) { Undo = [UndoRestore] };

    /// <summary>Puts back the schema and files a restore replaced, inside its rollback window.</summary>
    public static readonly JobRecipe RollbackRestore = new(JobKind.RollbackRestore,
        [EnterMaintenance, DisableLogin, TerminateConnections, RollbackSchema, EnableLogin, RollbackFiles, LeaveMaintenance, WaitHealthy,
         DiscardRestore],
        WhileRunning: null, OnSuccess: SiteState.Active);

    /// <summary>Drops what a restore kept for its rollback once the window has passed; the live site is not touched.</summary>
    public static readonly JobRecipe DiscardRestoreData = new(JobKind.DiscardRestore, [DiscardRestore],
        WhileRunning: null, OnSuccess: null, OnFailure: null);

    /// <summary>Restores the newest good backup into a scratch schema, compares it with its manifest, drops it.</summary>
    public static readonly JobRecipe VerifyBackup = new(JobKind.VerifyBackup, [VerifyRestore],
        WhileRunning: null, OnSuccess: null, OnFailure: null);

    /// <summary>A new site whose schema is restored from a backup (any site's, a soft-deleted one's included) and
    /// owned by the new site's role; Frappe is migrated, not installed. The role is configured (CONNECT) before the
    /// restore, which runs logged in with the new role's powers.</summary>
    /// <summary>The scheduler is enabled once Frappe is installed (new sites start with it off, docs/frappe.md §7), unless the
    /// setting <c>runtime.scheduler</c> is off.</summary>
    public static readonly JobRecipe NewSiteFromBackup = new(JobKind.NewSiteFromBackup,
        [CheckBackup, CreateRole, CreateSiteDatabase, ConfigureRole, RestoreDatabase, VerifyLogin, AllocateRunner, RestoreConfig, WriteSiteConfig, StartRuntime,
         StageFiles, SwapFiles, Migrate, WaitHealthy, RecordVersions, RegisterSsoClient, ConfigureSiteSso],
        WhileRunning: SiteState.Installing, OnSuccess: SiteState.Active);

    /// <summary>
    /// Single sign-on for a site that has none (or a fresh client for one restored from another site's backup): its
    /// client at the issuer, then its Social Login Key. A failure leaves the site as it was (Frappe's local logins work).
    /// </summary>
    public static readonly JobRecipe EnableSso = new(JobKind.EnableSso, [RegisterSsoClient, ConfigureSiteSso],
        WhileRunning: null, OnSuccess: null, OnFailure: null);

    /// <summary>
    /// A site's memory and CPU override and its database cap (docs/architecture.md §15): saved first, then the runner
    /// and its sidecars are recreated, since an engine applies a container's limits when it creates it. The site's files
    /// and its Redis data stay in their volumes. A failure after the runner went away leaves the site Broken (retry).
    /// </summary>
    public static readonly JobRecipe ChangeLimits = new(JobKind.ChangeLimits,
        [SaveLimits, RemoveRunner, StartRuntime, WaitHealthy],
        WhileRunning: null, OnSuccess: SiteState.Active) { FirstMutatingStep = RemoveRunner };

    /// <summary>
    /// Upgrade one site to another runner image (docs/architecture.md §18): a backup first (a failure there leaves the
    /// site alone), maintenance on, the runner and its workers remade from the new image, <c>bench migrate</c>, maintenance
    /// off, then the health check (Frappe answers 503 in maintenance mode, docs/frappe.md §3) and the new versions. Any
    /// failure runs the undo: the old image back and, once migrate has started, the pre-upgrade backup restored with the
    /// atomic restore's steps, so the site ends exactly as before (same rows, same image, Active).
    /// </summary>
    public static readonly JobRecipe UpgradeSite = new(JobKind.UpgradeSite,
        [.. TakeBackup, EnterMaintenance, SwitchImage, Migrate, LeaveMaintenance, WaitHealthy, RecordVersions],
        WhileRunning: null, OnSuccess: SiteState.Active, OnFailure: null) { FirstMutatingStep = EnterMaintenance, Undo = [UndoUpgrade] };

    /// <summary>
    /// An app onto a running site (docs/architecture.md §19): the site's schema and bench checked, a backup, then <c>bench install-app</c>, then the
    /// versions. A failure before install-app leaves the site as it was; a failed install-app leaves it Active (Frappe
    /// records an app as installed only once its install completed, and a retry runs the step again).
    /// </summary>
    public static readonly JobRecipe InstallApp = new(JobKind.InstallApp, [CheckApp, .. TakeBackup, StepNames.InstallApp, RecordVersions],
        WhileRunning: null, OnSuccess: SiteState.Active, OnFailure: null) { FirstMutatingStep = StepNames.InstallApp };

    /// <summary>
    /// An app off a running site: the schema checked (Frappe's uninstall-app does nothing and exits 0 for an app not
    /// installed or needed by another, docs/frappe.md §8), a backup (Frappe's own backup would dump the whole shared database, so bench
    /// gets <c>--no-backup</c>), then <c>bench uninstall-app</c>, which drops the app's tables and is not
    /// transactional. A failure there leaves the site Broken, and its undo is the restore of the backup this job took
    /// (the step's error names it).
    /// </summary>
    public static readonly JobRecipe UninstallApp = new(JobKind.UninstallApp, [CheckApp, .. TakeBackup, StepNames.UninstallApp, RecordVersions],
        WhileRunning: null, OnSuccess: SiteState.Active) { FirstMutatingStep = StepNames.UninstallApp };

    /// <summary>
    /// A standby (an installed site under an opaque name) becomes the requested site (docs/architecture.md §17): its
    /// runtime is renamed (site folder, runner, Redis), its site_config rewritten for the new host name, its runner
    /// started, its Administrator password rotated; it is routed once Active. When it fails for good the undo discards
    /// the standby and creates the requested site cold (a NewSite job), so the site still comes; the failed claim's
    /// state change is the undo's, not the recipe's.
    /// </summary>
    public static readonly JobRecipe ClaimStandby = new(JobKind.ClaimStandby,
        [RenameSite, WriteSiteConfig, StartRuntime, RotateAdminPassword, WaitHealthy, RegisterSsoClient, ConfigureSiteSso],
        WhileRunning: SiteState.Installing, OnSuccess: SiteState.Active, OnFailure: null) { Undo = [FallBackToColdCreate] };

    /// <summary>
    /// A site to another site database (docs/architecture.md §16), built from the restore's steps: a backup, the target
    /// database made sure of and opened to the site's role, the backup restored there into a fresh schema as that role
    /// and its row counts checked — the live site untouched so far — then maintenance on, the role's LOGIN taken away,
    /// its sessions ended, and the switch: the site's recorded database, the restored schema under the live name, the
    /// old schema kept beside the old database's for the rollback window and the role's CONNECT there revoked. Then
    /// LOGIN back, site_config.json's <c>db_name</c> rewritten and the runner restarted (Frappe caches site_config),
    /// maintenance off, health. Any failure runs the undo, which takes back whatever was done, switch included: the site
    /// ends where and as it was. The site's files do not move.
    /// </summary>
    public static readonly JobRecipe MoveSite = new(JobKind.MoveSite,
        [.. TakeBackup, CreateSiteDatabase, GrantConnect, RestoreDatabase, CheckRestore,
         EnterMaintenance, DisableLogin, TerminateConnections, SwitchDatabase, EnableLogin, WriteSiteConfig, StopRuntime, StartRuntime,
         LeaveMaintenance, WaitHealthy],
        WhileRunning: null, OnSuccess: SiteState.Active, OnFailure: null) { Undo = [UndoMove] };
    /// An upgrade rehearsed on a scratch copy (docs/architecture.md §20). The job's site is the scratch: a site row made
    /// for it under an opaque name, never routed nor listed. The live site's newest good backup is restored into the
    /// scratch's own schema and role (as a new site from a backup), its runner made from the new image
    /// (<c>switch-image</c>), <c>bench migrate</c> run and timed, the health checked, the outcome recorded — then the
    /// scratch is dropped: runner, files, Redis, schema, role. Any failure runs the undo, which records the failure and
    /// drops the scratch the same way; the live site is never touched. The scratch's state is the undo's, not the recipe's.
    /// </summary>
    public static readonly JobRecipe RehearseUpgrade = new(JobKind.RehearseUpgrade,
        [CheckRehearsal, CheckBackup, CreateRole, CreateSiteDatabase, ConfigureRole, RestoreDatabase, VerifyLogin, AllocateRunner, RestoreConfig,
         WriteSiteConfig, SwitchImage, StageFiles, SwapFiles, RehearseMigrate, WaitHealthy, RecordRehearsal,
         RemoveRunner, RemoveSiteFiles, RemoveSiteRedis, DropSchema, DropRole],
        WhileRunning: SiteState.Installing, OnSuccess: SiteState.Purged, OnFailure: null) { Undo = [DropScratch] };

    /// <summary>The steps that drop a rehearsal's scratch site, in order: the end of <see cref="RehearseUpgrade"/> and its undo.</summary>
    public static IReadOnlyList<string> DropScratchSteps { get; } = [RemoveRunner, RemoveSiteFiles, RemoveSiteRedis, DropSchema, DropRole];

    public static IReadOnlyList<JobRecipe> All { get; } =
        [NewSite, SuspendSite, ResumeSite, DeleteSite, UndeleteSite, PurgeSite,
         BackupSite, RestoreSite, RollbackRestore, DiscardRestoreData, VerifyBackup, NewSiteFromBackup, EnableSso,
         ChangeLimits, UpgradeSite, InstallApp, UninstallApp, ClaimStandby, MoveSite, RehearseUpgrade];

    public static JobRecipe For(JobKind kind) => All.Single(r => r.Kind == kind);
}
