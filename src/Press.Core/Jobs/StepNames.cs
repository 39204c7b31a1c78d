namespace Press.Core.Jobs;

/// <summary>Every step name, so recipes and step implementations cannot drift apart.</summary>
public static class StepNames
{
    public const string CreateRole = "create-role";
    public const string CreateSchema = "create-schema";
    public const string ConfigureRole = "configure-role";
    public const string VerifyLogin = "verify-login";
    public const string StartRuntime = "start-runtime";
    public const string StopRuntime = "stop-runtime";
    public const string DisableLogin = "disable-login";
    public const string EnableLogin = "enable-login";
    public const string TerminateConnections = "terminate-connections";
    public const string MarkDeleted = "mark-deleted";
    public const string CheckRetention = "check-retention";
    public const string ClearDeletion = "clear-deletion";
    public const string DropSchema = "drop-schema";
    public const string DropRole = "drop-role";
    public const string AllocateRunner = "allocate-runner";
    public const string WriteSiteConfig = "write-site-config";
    public const string InstallSite = "install-site";
    public const string WaitHealthy = "wait-healthy";
    public const string EnableScheduler = "enable-scheduler";
    public const string RemoveRunner = "remove-runner";
    public const string RemoveSiteFiles = "remove-site-files";
    public const string RemoveSiteRedis = "remove-site-redis";
    public const string SaveSiteConfig = "save-site-config";
    public const string RecordVersions = "record-versions";
    /// <summary>The purge step before each site had its own Redis; jobs queued then may still name it.</summary>
    public const string LegacyFlushSiteCache = "flush-site-cache";

    // Backups and restores (docs/architecture.md §6).
    public const string BackupDatabase = "backup-database";
    public const string BackupFiles = "backup-files";
    public const string BackupConfig = "backup-config";
    public const string RestoreConfig = "restore-config";
    public const string WriteManifest = "write-manifest";
    public const string VerifyBackup = "verify-backup";
    public const string CheckBackup = "check-backup";
    public const string RestoreDatabase = "restore-database";
    public const string CheckRestore = "check-restore";
    public const string StageFiles = "stage-files";
    public const string EnterMaintenance = "enter-maintenance";
    public const string LeaveMaintenance = "leave-maintenance";
    public const string SwapSchema = "swap-schema";
    public const string SwapFiles = "swap-files";
    public const string Migrate = "migrate";
    public const string UndoRestore = "undo-restore";
    public const string RollbackSchema = "rollback-schema";
    public const string RollbackFiles = "rollback-files";
    public const string DiscardRestore = "discard-restore";
    public const string VerifyRestore = "verify-restore";
    public const string DeleteBackups = "delete-backups";

    // A site's single sign-on (docs/architecture.md §7).
    public const string RegisterSsoClient = "register-sso-client";
    public const string ConfigureSiteSso = "configure-site-sso";
    public const string DisableSsoClient = "disable-sso-client";
    public const string RemoveSsoClient = "remove-sso-client";

    // A site's limits (docs/architecture.md §15).
    public const string SaveLimits = "save-limits";
    // Upgrades (docs/architecture.md §18).
    public const string SwitchImage = "switch-image";
    public const string UndoUpgrade = "undo-upgrade";
    // Upgrade rehearsals on a scratch copy (docs/architecture.md §20).
    public const string CheckRehearsal = "check-rehearsal";
    public const string RehearseMigrate = "rehearse-migrate";
    public const string RecordRehearsal = "record-rehearsal";
    public const string DropScratch = "drop-scratch";

    // Apps on a running site (docs/architecture.md §19).
    public const string CheckApp = "check-app";
    public const string InstallApp = "install-app";
    public const string UninstallApp = "uninstall-app";
    // The standby pool (docs/architecture.md §17).
    public const string RenameSite = "rename-site";
    public const string RotateAdminPassword = "rotate-admin-password";
    public const string FallBackToColdCreate = "fall-back-to-cold-create";

    /// <summary>The steps that take a backup, first in every recipe that backs up before changing anything.</summary>
    public static IReadOnlyList<string> TakeBackup { get; } = [BackupDatabase, BackupFiles, BackupConfig, WriteManifest, VerifyBackup];

    // Site databases (docs/architecture.md §16).
    public const string CreateSiteDatabase = "create-site-database";
    // A site's move to another site database (docs/architecture.md §16).
    public const string GrantConnect = "grant-connect";
    public const string SwitchDatabase = "switch-database";
    public const string UndoMove = "undo-move";
}
