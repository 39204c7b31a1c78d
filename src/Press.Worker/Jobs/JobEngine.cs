using Press.Core.Backups.Steps;
using Press.Core.Jobs;
using Press.Core.Runtime;
using Press.Core.Sites.Steps;
using Press.Infrastructure;

namespace Press.Worker.Jobs;

public static class JobEngine
{
    /// <summary>The runner and every step implementation, keyed by their declared names.</summary>
    public static IServiceCollection AddPressJobEngine(this IServiceCollection services)
    {
        services.AddSingleton<IJobStep, CreateRoleStep>();
        services.AddSingleton<IJobStep, CreateSchemaStep>();
        services.AddSingleton<IJobStep, ConfigureRoleStep>();
        services.AddSingleton<IJobStep, VerifyLoginStep>();
        services.AddSingleton<IJobStep, StartRuntimeStep>();
        services.AddSingleton<IJobStep, StopRuntimeStep>();
        services.AddSingleton<IJobStep, AllocateRunnerStep>();
        services.AddSingleton<IJobStep, WriteSiteConfigStep>();
        services.AddSingleton<IJobStep, InstallSiteStep>();
        services.AddSingleton<IJobStep, EnableSchedulerStep>();
        services.AddSingleton<IJobStep, WaitHealthyStep>();
        services.AddSingleton<IJobStep, RemoveRunnerStep>();
        services.AddSingleton<IJobStep, RemoveSiteFilesStep>();
        services.AddSingleton<IJobStep, RemoveSiteRedisStep>();
        services.AddSingleton<IJobStep, LegacyFlushSiteCacheStep>();
        services.AddSingleton<IJobStep, DisableLoginStep>();
        services.AddSingleton<IJobStep, EnableLoginStep>();
        services.AddSingleton<IJobStep, TerminateConnectionsStep>();
        services.AddSingleton<IJobStep, MarkDeletedStep>();
        services.AddSingleton<IJobStep, CheckRetentionStep>();
        services.AddSingleton<IJobStep, ClearDeletionStep>();
        services.AddSingleton<IJobStep, DropSchemaStep>();
        services.AddSingleton<IJobStep, DropRoleStep>();
        services.AddSingleton<IJobStep, BackupDatabaseStep>();
        services.AddSingleton<IJobStep, BackupFilesStep>();
        services.AddSingleton<IJobStep, WriteManifestStep>();
        services.AddSingleton<IJobStep, VerifyBackupStep>();
        services.AddSingleton<IJobStep, CheckBackupStep>();
        services.AddSingleton<IJobStep, RestoreDatabaseStep>();
        services.AddSingleton<IJobStep, CheckRestoreStep>();
        services.AddSingleton<IJobStep, StageFilesStep>();
        services.AddSingleton<IJobStep, SwapFilesStep>();
        services.AddSingleton<IJobStep, EnterMaintenanceStep>();
        services.AddSingleton<IJobStep, LeaveMaintenanceStep>();
        services.AddSingleton<IJobStep, MigrateStep>();
        services.AddSingleton<IJobStep, SwapSchemaStep>();
        services.AddSingleton<IJobStep, UndoRestoreStep>();
        services.AddSingleton<IJobStep, RollbackSchemaStep>();
        services.AddSingleton<IJobStep, RollbackFilesStep>();
        services.AddSingleton<IJobStep, DiscardRestoreStep>();
        services.AddSingleton<IJobStep, VerifyRestoreStep>();
        services.AddSingleton<IJobStep, DeleteBackupsStep>();
        services.AddPressOptions<SiteHealthOptions>("Press:Runtime:Health");
        // Database errors a step's stores raise untranslated: transient ones (a failover) are retried, not fatal.
        services.AddSingleton<IFailureClassifier, Press.Infrastructure.Postgres.PostgresFailureClassifier>();
        services.AddSingleton<JobRunner>();
        return services;
    }
}
