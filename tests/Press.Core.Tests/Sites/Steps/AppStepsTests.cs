using Press.Core.Jobs;
using Press.Core.Ports;
using Press.Core.Sites.Steps;
using Press.Core.Tests.Fakes;

namespace Press.Core.Tests.Sites.Steps;

/// <summary>check-app, install-app and uninstall-app read "installed" from the schema, never from bench's output
/// (Frappe's uninstall-app exits 0 when it refuses, docs/frappe.md §8).</summary>
public sealed class AppStepsTests
{
    private readonly FakeSiteSchema _schema = new();
    private readonly FakeSiteRuntime _runtime = new(RuntimeOutcome.Done("bench ran"));
    private readonly Core.Sites.Site _site = TestData.Site() with { Apps = ["erpnext"] };

    private FakeSiteStore Store() => new(_site);

    private StepContext Context(JobRecipe recipe, string app)
    {
        var c = TestData.Context(_site, recipe);
        return c with { Job = c.Job with { Args = new Dictionary<string, string> { [JobArgs.App] = app } } };
    }

    [Fact]
    public async Task Install_runs_bench_checks_the_schema_and_records_the_app()
    {
        var store = Store();
        _schema.Answers.Enqueue(new SchemaInstall(8, ["frappe", "erpnext"]));
        _schema.Answers.Enqueue(new SchemaInstall(9, ["frappe", "erpnext", "hrms"]));

        var result = await new InstallAppStep(_runtime, _schema, store).RunAsync(Context(Recipes.InstallApp, "hrms"), CancellationToken.None);

        Assert.Equal(new StepResult.Done("bench ran; the site's apps: erpnext, hrms"), result);
        Assert.Equal([$"install-app hrms {_site.Name}"], _runtime.Calls);
        Assert.Equal(["erpnext", "hrms"], store.Sites[_site.Id].Apps);
    }

    [Fact]
    public async Task Install_of_an_app_the_schema_already_records_only_records_it()
    {
        var store = Store();
        _schema.Answers.Enqueue(new SchemaInstall(9, ["frappe", "erpnext", "hrms"]));

        var result = await new InstallAppStep(_runtime, _schema, store).RunAsync(Context(Recipes.InstallApp, "hrms"), CancellationToken.None);

        Assert.Equal(new StepResult.Done("hrms was already installed; the site's apps: erpnext, hrms"), result);
        Assert.Empty(_runtime.Calls);
    }

    [Fact]
    public async Task Install_that_bench_reports_done_but_the_schema_does_not_record_fails()
    {
        _schema.Answers.Enqueue(new SchemaInstall(8, ["frappe", "erpnext"]));
        _schema.Answers.Enqueue(new SchemaInstall(8, ["frappe", "erpnext"]));

        var result = await new InstallAppStep(_runtime, _schema, Store()).RunAsync(Context(Recipes.InstallApp, "hrms"), CancellationToken.None);

        Assert.Equal(new StepResult.Fail(FailureKind.Permanent, "bench ran; but the schema records no completed install of hrms"), result);
    }

    [Fact]
    public async Task Uninstall_runs_bench_and_takes_the_app_off_the_site()
    {
        var store = Store();
        _schema.Answers.Enqueue(new SchemaInstall(9, ["frappe", "erpnext"]));
        _schema.Answers.Enqueue(new SchemaInstall(8, ["frappe"]));

        var result = await new UninstallAppStep(_runtime, _schema, store).RunAsync(Context(Recipes.UninstallApp, "erpnext"), CancellationToken.None);

        Assert.Equal(new StepResult.Done("bench ran; the site's apps: frappe only"), result);
        Assert.Empty(store.Sites[_site.Id].Apps);
    }

    [Fact]
    public async Task A_quiet_refusal_by_frappe_fails_the_step_naming_the_undo()
    {
        _schema.Answers.Enqueue(new SchemaInstall(9, ["frappe", "erpnext"]));
        _schema.Answers.Enqueue(new SchemaInstall(9, ["frappe", "erpnext"]));
        var c = Context(Recipes.UninstallApp, "erpnext");

        var result = await new UninstallAppStep(_runtime, _schema, Store()).RunAsync(c, CancellationToken.None);

        var fail = Assert.IsType<StepResult.Fail>(result);
        Assert.Equal(FailureKind.Permanent, fail.Kind);
        Assert.Contains("but the schema still records erpnext as installed", fail.Error);
        Assert.EndsWith($"press site restore {_site.Name} --backup {c.Job.Id} (POST /api/sites/{_site.Name}/restore)", fail.Error);
    }

    [Fact]
    public async Task A_bench_failure_half_way_keeps_its_output_and_names_the_backup_to_restore()
    {
        _runtime.UninstallFailure = new StepFailedException(FailureKind.Permanent, "bench --site s uninstall-app erpnext --yes --no-backup exited 137: killed");
        var c = Context(Recipes.UninstallApp, "erpnext");

        var ex = await Assert.ThrowsAsync<StepFailedException>(() => new UninstallAppStep(_runtime, _schema, Store()).RunAsync(c, CancellationToken.None));

        Assert.StartsWith("bench --site s uninstall-app erpnext --yes --no-backup exited 137: killed\nthe site may be left with erpnext half-removed", ex.Message);
        Assert.Contains($"--backup {c.Job.Id}", ex.Message);
    }

    [Fact]
    public async Task Check_refuses_an_app_the_bench_lacks_before_the_backup()
    {
        _runtime.Versions["frappe"] = "16.0.0";
        _runtime.Versions["erpnext"] = "16.0.0";

        var result = await new CheckAppStep(_runtime, _schema).RunAsync(Context(Recipes.InstallApp, "hrms"), CancellationToken.None);

        Assert.Equal(new StepResult.Fail(FailureKind.Permanent, "'hrms' is not an app of this site's bench (it has erpnext): build the runner image with it first."), result);
        Assert.Equal(StepNames.CheckApp, Recipes.InstallApp.Steps[0]);
        Assert.Null(Recipes.InstallApp.FailureState(StepNames.CheckApp));
    }

    [Fact]
    public async Task Check_refuses_to_uninstall_an_app_another_installed_app_requires()
    {
        _schema.Answers.Enqueue(new SchemaInstall(9, ["frappe", "erpnext", "hrms"]));

        var result = await new CheckAppStep(_runtime, _schema).RunAsync(Context(Recipes.UninstallApp, "erpnext"), CancellationToken.None);

        Assert.Equal(new StepResult.Fail(FailureKind.Permanent, "'erpnext' is required by hrms, installed on this site: uninstall hrms first."), result);
    }

    [Fact]
    public void The_recipes_back_up_before_the_first_change_and_a_failed_uninstall_leaves_the_site_broken()
    {
        Assert.Equal([StepNames.CheckApp, .. StepNames.TakeBackup, StepNames.InstallApp, StepNames.RecordVersions], Recipes.InstallApp.Steps);
        Assert.Equal([StepNames.CheckApp, .. StepNames.TakeBackup, StepNames.UninstallApp, StepNames.RecordVersions], Recipes.UninstallApp.Steps);
        Assert.Null(Recipes.InstallApp.FailureState(StepNames.InstallApp));
        Assert.Equal(Core.Sites.SiteState.Broken, Recipes.UninstallApp.FailureState(StepNames.UninstallApp));
        Assert.Null(Recipes.UninstallApp.FailureState(StepNames.BackupDatabase));
    }
}
