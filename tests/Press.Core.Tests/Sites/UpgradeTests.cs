using Press.Core.Audit;
using Press.Core.Backups;
using Press.Core.Jobs;
using Press.Core.Ports;
using Press.Core.Settings;
using Press.Core.Sites;
using Press.Core.Sites.Steps;
using Press.Core.Tenancy;
using Press.Core.Tests.Fakes;

namespace Press.Core.Tests.Sites;

/// <summary>The upgrade of one site (docs/architecture.md §18): the rule, the recipe and its steps, with fakes.</summary>
public sealed class UpgradeTests
{
    private readonly FakeSiteCommands _commands = new();
    private static readonly Actor Alice = new("alice", "10.0.0.7");

    private SiteOperations Operations(params Site[] sites) => new(_commands, new FakeSecretProtector(), new FakeJobSignals(),
        new TenancyOptions { SitesDatabase = "press_sites" }, new FakeSiteStore(sites), new FakeBackupStore(), new FakeBackupStore(),
        new PressHost("press.example.net"), new FakeSettingsStore(PressSettings.Defaults), new FakeSiteSsoStore(), new FakeStandbyPool());

    [Fact]
    public async Task An_upgrade_of_an_active_site_records_the_new_image_and_the_one_to_go_back_to()
    {
        var site = TestData.Site() with { Image = new RunnerImage("fcs-press-frappe-double:v1", "sha256:aa") };

        await Operations(site).UpgradeAsync(site.Name, "fcs-press-frappe-double:v2", Alice, CancellationToken.None);

        var job = Assert.Single(_commands.Enqueues);
        Assert.Equal(Recipes.UpgradeSite, job.Recipe);
        Assert.Equal([SiteState.Active], job.AllowedFrom);
        Assert.Equal(BackupTrigger.PreUpgrade, job.Backup);
        Assert.Equal("fcs-press-frappe-double:v2", job.Args[JobArgs.Image]);
        Assert.Equal("fcs-press-frappe-double:v1", job.Args[JobArgs.PreviousImage]);
        Assert.Equal("site.upgrade", job.Audit.Action);
    }

    [Fact]
    public async Task A_site_without_an_image_of_its_own_goes_back_to_the_default()
    {
        var site = TestData.Site();

        await Operations(site).UpgradeAsync(site.Name, "registry.example.com:5000/acme/erpnext:v16.1.0", Alice, CancellationToken.None);

        Assert.Equal("", Assert.Single(_commands.Enqueues).Args[JobArgs.PreviousImage]);
    }

    [Theory]
    [InlineData(null, "'image' is required")]
    [InlineData("", "'image' is required")]
    [InlineData("Frappe/ERPNext:v16", "is not an image reference")]
    [InlineData("erpnext:v16 --privileged", "is not an image reference")]
    [InlineData("erpnext:-bad", "is not an image reference")]
    public async Task A_bad_image_is_refused_saying_how_to_fix_it_and_nothing_is_queued(string? image, string problem)
    {
        var site = TestData.Site();

        var error = await Assert.ThrowsAsync<ValidationException>(() => Operations(site).UpgradeAsync(site.Name, image, Alice, CancellationToken.None));

        Assert.Contains(problem, Assert.Single(error.Problems["image"]));
        Assert.Empty(_commands.Enqueues);
    }

    [Theory]
    [InlineData("erpnext")]
    [InlineData("frappe/erpnext:v16.1.0")]
    [InlineData("ghcr.io/acme/erp-next_x:16.1.0-rc.1")]
    [InlineData("localhost:5000/erpnext@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")]
    public void Image_references_the_engine_accepts_are_accepted(string image) =>
        Assert.Empty(ImageReferenceRules.Validate(image));

    [Fact]
    public async Task An_unknown_site_is_not_found()
    {
        await Assert.ThrowsAsync<NotFoundException>(() => Operations().UpgradeAsync("nobody.example.com", "erpnext:v16", Alice, CancellationToken.None));
    }

    [Fact]
    public void The_recipe_backs_up_first_and_leaves_the_site_alone_when_the_backup_fails()
    {
        var recipe = Recipes.UpgradeSite;

        Assert.Equal([.. StepNames.TakeBackup, StepNames.EnterMaintenance, StepNames.SwitchImage, StepNames.Migrate,
            StepNames.LeaveMaintenance, StepNames.WaitHealthy, StepNames.RecordVersions], recipe.Steps);
        Assert.Equal([StepNames.UndoUpgrade], recipe.Undo);
        Assert.Null(recipe.FailureState(StepNames.BackupDatabase));
        Assert.Null(recipe.FailureState(StepNames.Migrate)); // the undo puts it back: still Active
        Assert.Contains(Recipes.All, r => r.Kind == JobKind.UpgradeSite);
    }

    [Fact]
    public async Task Switch_image_records_the_image_and_starts_the_site_on_it()
    {
        var site = TestData.Site() with { RunnerPort = 48700 };
        var sites = new FakeSiteStore(site);
        var runtime = new FakeSiteRuntime(RuntimeOutcome.Done("ok"));

        var result = await new SwitchImageStep(runtime, sites).RunAsync(Context(site, "erpnext:v2", "erpnext:v1"), CancellationToken.None);

        Assert.IsType<StepResult.Done>(result);
        Assert.Equal(new RunnerImage("erpnext:v2"), sites.Sites[site.Id].Image);
        Assert.Equal([$"start {site.Name}"], runtime.Calls);
    }

    [Fact]
    public async Task The_undo_does_nothing_when_the_upgrade_failed_before_maintenance_mode()
    {
        var site = TestData.Site() with { Image = new RunnerImage("erpnext:v1") };
        var (undo, sites, runtime, db) = Undo(site, Context(site, "erpnext:v2", "erpnext:v1").Job.WithStep(StepNames.BackupDatabase, StepState.Failed));

        var result = await undo.Step.RunAsync(undo.Context, CancellationToken.None);

        Assert.IsType<StepResult.Skipped>(result);
        Assert.Empty(runtime.Calls);
        Assert.Empty(db.Calls);
        Assert.Equal(new RunnerImage("erpnext:v1"), sites.Sites[site.Id].Image);
    }

    [Fact]
    public async Task A_failure_before_migrate_puts_the_old_image_back_and_maintenance_off_without_a_restore()
    {
        var site = TestData.Site() with { Image = new RunnerImage("erpnext:v2") };
        var job = Context(site, "erpnext:v2", "erpnext:v1").Job
            .WithStep(StepNames.EnterMaintenance, StepState.Succeeded).WithStep(StepNames.SwitchImage, StepState.Failed);
        var (undo, sites, runtime, db) = Undo(site, job);

        var result = await undo.Step.RunAsync(undo.Context, CancellationToken.None);

        Assert.IsType<StepResult.Done>(result);
        Assert.Equal(new RunnerImage("erpnext:v1"), sites.Sites[site.Id].Image);
        Assert.Equal([$"start {site.Name}", $"maintenance-off {site.Name}"], runtime.Calls);
        Assert.Empty(db.Calls); // no restore: the schema was not touched
    }

    private static StepContext Context(Site site, string image, string previous)
    {
        var c = TestData.Context(site, Recipes.UpgradeSite);
        return c with { Job = c.Job with { Args = new Dictionary<string, string> { [JobArgs.Image] = image, [JobArgs.PreviousImage] = previous } } };
    }

    private static ((UndoUpgradeStep Step, StepContext Context) Undo, FakeSiteStore Sites, FakeSiteRuntime Runtime, FakeTenantDatabase Db) Undo(Site site, Job job)
    {
        var sites = new FakeSiteStore(site);
        var runtime = new FakeSiteRuntime(RuntimeOutcome.Done("ok"));
        var db = new FakeTenantDatabase();
        var backups = new FakeBackupStore();
        var step = new UndoUpgradeStep(new FakeJobStore { Stored = job }, sites, runtime, backups, new UnusedSchemaArchive(), new UnusedObjectStore(), db,
            backups, new FakeSettingsStore(PressSettings.Defaults), new Microsoft.Extensions.Time.Testing.FakeTimeProvider(TestData.Now));
        var context = TestData.Context(site, Recipes.UpgradeSite) with { Job = job };
        return ((step, context), sites, runtime, db);
    }
}
