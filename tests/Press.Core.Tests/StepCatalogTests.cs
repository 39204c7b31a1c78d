using Microsoft.Extensions.Time.Testing;
using Press.Core.Backups.Steps;
using Press.Core.Jobs;
using Press.Core.Ports;
using Press.Core.Settings;
using Press.Core.Sites.Steps;
using Press.Core.Tests.Fakes;

namespace Press.Core.Tests;

/// <summary>The step implementations of Press.Core cover every step the recipes name, each exactly once.</summary>
public sealed class StepCatalogTests
{
    private static IReadOnlyList<IJobStep> AllSteps()
    {
        var db = new FakeTenantDatabase();
        var secrets = new FakeSecretProtector();
        var sites = new FakeSiteStore();
        var runtime = new FakeSiteRuntime(new RuntimeOutcome(false, "none"));
        var time = new FakeTimeProvider(TestData.Now);
        var backups = new FakeBackupStore();
        var archive = new UnusedSchemaArchive();
        var store = new UnusedObjectStore();
        return
        [
            new CreateRoleStep(db, secrets), new CreateSchemaStep(db), new ConfigureRoleStep(db), new VerifyLoginStep(db, secrets),
            new DisableLoginStep(db), new EnableLoginStep(db), new TerminateConnectionsStep(db), new DropSchemaStep(db),
            new DropRoleStep(db), new StartRuntimeStep(runtime), new StopRuntimeStep(runtime), new RemoveRunnerStep(runtime),
            new RemoveSiteFilesStep(runtime), new AllocateRunnerStep(sites, runtime), new RemoveSiteRedisStep(runtime), new LegacyFlushSiteCacheStep(runtime), new WriteSiteConfigStep(runtime, secrets),
            new InstallSiteStep(runtime, secrets), new EnableSchedulerStep(runtime, new FakeSettingsStore(PressSettings.Defaults)), new WaitHealthyStep(runtime, new Core.Runtime.SiteHealthOptions(), time),
            new MarkDeletedStep(sites, new FakeSettingsStore(PressSettings.Defaults), time), new CheckRetentionStep(time),
            new ClearDeletionStep(sites),
            new BackupDatabaseStep(backups, archive, store), new BackupFilesStep(backups, runtime, store),
            new WriteManifestStep(backups, store), new VerifyBackupStep(backups, store, time),
            new CheckBackupStep(backups, store), new RestoreDatabaseStep(backups, archive, store), new CheckRestoreStep(backups, archive),
            new StageFilesStep(backups, runtime, store), new SwapFilesStep(runtime), new EnterMaintenanceStep(runtime),
            new LeaveMaintenanceStep(runtime), new MigrateStep(runtime),
            new SwapSchemaStep(backups, archive, backups, new FakeSettingsStore(PressSettings.Defaults), time),
            new UndoRestoreStep(new FakeJobStore(), archive, backups, runtime), new RollbackSchemaStep(archive, backups, time),
            new RollbackFilesStep(backups, runtime), new DiscardRestoreStep(archive, backups, runtime, time),
            new VerifyRestoreStep(backups, archive, store, time), new DeleteBackupsStep(backups, store, time),
        ];
    }

    [Fact]
    public void Every_step_type_in_Press_Core_is_listed_here()
    {
        var types = typeof(IJobStep).Assembly.GetTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(IJobStep).IsAssignableFrom(t))
            .OrderBy(t => t.Name);

        Assert.Equal(types, AllSteps().Select(s => s.GetType()).OrderBy(t => t.Name));
    }

    [Fact]
    public void Every_recipe_step_has_exactly_one_implementation()
    {
        var names = AllSteps().Select(s => s.Name).ToList();

        Assert.Equal(names.Count, names.Distinct().Count());
        // A step no recipe names any more stays for jobs queued before it was renamed.
        Assert.Equal(Recipes.All.SelectMany(r => r.Steps.Concat(r.Undo)).Distinct().Order(),
            names.Where(n => n != StepNames.LegacyFlushSiteCache).Order());
    }
}
