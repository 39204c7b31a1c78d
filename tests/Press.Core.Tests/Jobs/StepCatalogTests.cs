using Microsoft.Extensions.Time.Testing;
using Press.Core.Backups.Steps;
using Press.Core.Jobs;
using Press.Core.Ports;
using Press.Core.Settings;
using Press.Core.Sites.Steps;
using Press.Core.Tests.Fakes;

namespace Press.Core.Tests.Jobs;

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
        var sso = new FakeSsoProvisioner();
        var ssoStore = new FakeSiteSsoStore();
        return
        [
            new CreateRoleStep(db, secrets), new CreateSiteDatabaseStep(new FakeSiteDatabases()), new CreateSchemaStep(db), new ConfigureRoleStep(db), new VerifyLoginStep(db, secrets),
            new DisableLoginStep(db), new EnableLoginStep(db), new TerminateConnectionsStep(db), new DropSchemaStep(db),
            new DropRoleStep(db), new StartRuntimeStep(runtime), new StopRuntimeStep(runtime), new RemoveRunnerStep(runtime),
            new RemoveSiteFilesStep(runtime), new AllocateRunnerStep(sites, runtime), new RemoveSiteRedisStep(runtime), new LegacyFlushSiteCacheStep(runtime), new WriteSiteConfigStep(runtime, secrets),
            new InstallSiteStep(runtime, secrets, new FakeSiteSchema()), new EnableSchedulerStep(runtime, new FakeSettingsStore(PressSettings.Defaults)), new WaitHealthyStep(runtime, new Core.Runtime.SiteHealthOptions(), time),
            new MarkDeletedStep(sites, new FakeSettingsStore(PressSettings.Defaults), time), new CheckRetentionStep(time),
            new ClearDeletionStep(sites),
            new BackupDatabaseStep(backups, archive, store), new BackupFilesStep(backups, runtime, store),
            new WriteManifestStep(backups, store), new VerifyBackupStep(backups, store, time),
            new CheckBackupStep(backups, store), new RestoreDatabaseStep(backups, archive, store), new CheckRestoreStep(backups, archive),
            new StageFilesStep(backups, runtime, store), new SwapFilesStep(runtime), new EnterMaintenanceStep(runtime),
            new LeaveMaintenanceStep(runtime), new MigrateStep(runtime),
            new SwapSchemaStep(backups, archive, backups, new FakeSettingsStore(PressSettings.Defaults), time),
            new UndoRestoreStep(new FakeJobStore(), archive, backups, runtime, db), new RollbackSchemaStep(archive, backups, time),
            new RollbackFilesStep(backups, runtime), new DiscardRestoreStep(archive, backups, runtime, time),
            new VerifyRestoreStep(backups, archive, store, time), new DeleteBackupsStep(backups, store, time),
            new Core.Sso.Steps.RegisterSsoClientStep(sso, ssoStore, secrets, time),
            new Core.Sso.Steps.ConfigureSiteSsoStep(sso, ssoStore, secrets, runtime, time),
            new Core.Sso.Steps.DisableSsoClientStep(sso, ssoStore, secrets, time),
            new Core.Sso.Steps.RemoveSsoClientStep(sso, ssoStore, secrets, time),
            new SaveSiteConfigStep(runtime, sites, secrets), new BackupConfigStep(backups, runtime, store, sites, secrets),
            new RestoreConfigStep(backups, store, sites, secrets), new RecordVersionsStep(runtime, sites),
            new Core.Usage.SaveLimitsStep(new FakeSiteUsageStore(), runtime),
            new SwitchImageStep(runtime, sites),
            new UndoUpgradeStep(new FakeJobStore(), sites, runtime, backups, archive, store, db, backups, new FakeSettingsStore(PressSettings.Defaults), time),
            new CheckAppStep(runtime, new FakeSiteSchema()), new InstallAppStep(runtime, new FakeSiteSchema(), sites),
            new UninstallAppStep(runtime, new FakeSiteSchema(), sites),
            new Core.Standby.Steps.RenameSiteStep(runtime), new Core.Standby.Steps.RotateAdminPasswordStep(runtime, secrets),
            new Core.Standby.Steps.FallBackToColdCreateStep(runtime, new FakeStandbyPool(), secrets, new Core.Tenancy.TenancyOptions(),
                new FakeSettingsStore(PressSettings.Defaults)),
            new GrantConnectStep(db), new SwitchDatabaseStep(archive, sites, db, backups, new FakeSettingsStore(PressSettings.Defaults), time),
            new UndoMoveStep(new FakeJobStore(), sites, archive, db, backups, runtime, secrets),
            new Core.Rehearsals.CheckRehearsalStep(new Rehearsals.MemoryRehearsalStore()),
            new Core.Rehearsals.RehearseMigrateStep(runtime, new Rehearsals.MemoryRehearsalStore(), time),
            new Core.Rehearsals.RecordRehearsalStep(new Rehearsals.MemoryRehearsalStore()),
            new Core.Rehearsals.DropScratchStep(new FakeJobStore(), new Rehearsals.MemoryRehearsalStore(), sites, runtime, db, time),
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

    [Fact]
    public void The_catalog_of_every_step_passes_the_engine_check_of_every_recipe()
    {
        var catalog = StepCatalog.Create(AllSteps(), Recipes.All);

        Assert.Equal(AllSteps().Select(s => s.Name).Order(), catalog.Steps.Keys.Order());
    }

    [Fact]
    public void The_engine_refuses_to_start_naming_each_recipe_step_without_an_implementation_and_the_recipes_that_name_it()
    {
        var steps = AllSteps().Where(s => s.Name is not (StepNames.WaitHealthy or StepNames.UndoRestore)).ToList();

        var error = Assert.Throws<InvalidOperationException>(() => StepCatalog.Create(steps, Recipes.All));

        Assert.Equal("The job engine cannot start: " +
            "step 'wait-healthy' of NewSite, ResumeSite, UndeleteSite, RestoreSite, RollbackRestore, NewSiteFromBackup, ChangeLimits, UpgradeSite, ClaimStandby, MoveSite, RehearseUpgrade has no implementation: " +
            "add an IJobStep whose Name is that step (the worker registers every one in Press.Core); " +
            "step 'undo-restore' of RestoreSite has no implementation: " +
            "add an IJobStep whose Name is that step (the worker registers every one in Press.Core).", error.Message);
    }

    [Fact]
    public void The_engine_refuses_a_step_name_implemented_twice()
    {
        var recipe = new JobRecipe(JobKind.BackupSite, ["only-step"], null, null);
        IJobStep[] steps = [ScriptedStep.Returning("only-step", StepResult.Ok()), ScriptedStep.Returning("only-step", StepResult.Ok())];

        Assert.Equal(["step 'only-step' is implemented 2 times (ScriptedStep, ScriptedStep): keep one"], StepCatalog.Problems(steps, [recipe]));
    }
}
