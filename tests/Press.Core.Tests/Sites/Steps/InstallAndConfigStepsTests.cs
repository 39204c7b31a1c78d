using Press.Core.Jobs;
using Press.Core.Ports;
using Press.Core.Sites.Steps;
using Press.Core.Tests.Fakes;

namespace Press.Core.Tests.Sites.Steps;

/// <summary>
/// install-site knows "installed" from the schema and runs new-site only on an empty schema (docs/frappe.md §7);
/// save-site-config and record-versions keep what the runtime reports.
/// </summary>
public sealed class InstallAndConfigStepsTests
{
    private const string AdminPassword = "AdminPasswordForTestsOnly23456789abcdefg";
    private readonly FakeSecretProtector _secrets = new();
    private readonly FakeSiteSchema _schema = new();

    private Core.Sites.Site Site() => TestData.Site() with { EncryptedAdminPassword = _secrets.Protect(AdminPassword), Apps = ["erpnext"] };

    private InstallSiteStep Install(FakeSiteRuntime runtime) => new(runtime, _secrets, _schema);

    [Fact]
    public async Task A_schema_recording_every_app_as_installed_is_not_installed_again()
    {
        var site = Site();
        var runtime = new FakeSiteRuntime(RuntimeOutcome.Done("new-site ran"));

        var result = await Install(runtime).RunAsync(TestData.Context(site, Recipes.ResumeSite), CancellationToken.None);

        Assert.Equal(new StepResult.Done("already installed: the schema records a completed install of frappe, erpnext"), result);
        Assert.Empty(runtime.Calls);
        Assert.Equal([$"inspect {site.Name}"], _schema.Calls);
    }

    [Fact]
    public async Task An_empty_schema_is_installed_and_the_install_is_checked_in_the_schema_afterwards()
    {
        var site = Site();
        var runtime = new FakeSiteRuntime(RuntimeOutcome.Done("bench new-site: done"));
        _schema.Answers.Enqueue(FakeSiteSchema.Empty);

        var result = await Install(runtime).RunAsync(TestData.Context(site, Recipes.NewSite), CancellationToken.None);

        Assert.Equal(new StepResult.Done("bench new-site: done"), result);
        Assert.Equal([$"install {site.Name}"], runtime.Calls);
        Assert.Equal([$"inspect {site.Name}", $"inspect {site.Name}"], _schema.Calls);
    }

    [Fact]
    public async Task What_an_interrupted_install_of_a_new_site_left_is_emptied_before_new_site_runs_again()
    {
        var site = Site();
        var runtime = new FakeSiteRuntime(RuntimeOutcome.Done("bench new-site: done"));
        _schema.Answers.Enqueue(new SchemaInstall(5, ["frappe"]));

        var result = await Install(runtime).RunAsync(TestData.Context(site, Recipes.NewSite), CancellationToken.None);

        Assert.Equal(new StepResult.Done(
            $"schema {site.Location.Schema} holds 5 object(s) but no completed install of frappe, erpnext (installed: frappe): left by an interrupted install; " +
            $"emptied schema {site.Location.Schema} as the site (3 object(s) dropped); bench new-site: done"), result);
        Assert.Equal([$"inspect {site.Name}", $"empty {site.Name}", $"inspect {site.Name}"], _schema.Calls);
        Assert.Equal([$"install {site.Name}"], runtime.Calls);
    }

    [Fact]
    public async Task Outside_a_new_site_a_partly_installed_schema_is_never_emptied_nor_installed_over()
    {
        var site = Site();
        var runtime = new FakeSiteRuntime(RuntimeOutcome.Done("bench new-site: done"));
        _schema.Answers.Enqueue(new SchemaInstall(12, null));

        var result = await Install(runtime).RunAsync(TestData.Context(site, Recipes.ResumeSite), CancellationToken.None);

        var failed = Assert.IsType<StepResult.Fail>(result);
        Assert.Equal(FailureKind.Permanent, failed.Kind);
        Assert.StartsWith($"schema {site.Location.Schema} holds 12 object(s) but no completed install of frappe, erpnext; new-site would destroy them", failed.Error);
        Assert.Empty(runtime.Calls);
        Assert.DoesNotContain(_schema.Calls, c => c.StartsWith("empty", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_new_site_that_returns_without_recording_its_apps_fails_the_step()
    {
        var site = Site();
        _schema.Answers.Enqueue(FakeSiteSchema.Empty);
        _schema.Answers.Enqueue(new SchemaInstall(5, []));

        var result = await Install(new FakeSiteRuntime(RuntimeOutcome.Done("bench new-site: done"))).RunAsync(TestData.Context(site, Recipes.NewSite), CancellationToken.None);

        var failed = Assert.IsType<StepResult.Fail>(result);
        Assert.Equal("bench new-site: done; but the schema records no completed install of frappe, erpnext", failed.Error);
    }

    [Fact]
    public async Task Save_site_config_seals_the_sites_own_keys_into_its_record()
    {
        var site = Site();
        var store = new FakeSiteStore(site);
        var runtime = new FakeSiteRuntime(RuntimeOutcome.Done("")) { OwnConfig = """{"encryption_key":"k1","mail_server":"smtp"}""" };

        var result = await new SaveSiteConfigStep(runtime, store, _secrets).RunAsync(TestData.Context(site), CancellationToken.None);

        Assert.Equal(new StepResult.Done("kept the site's own site_config keys, sealed (2 key(s))"), result);
        Assert.Equal("""{"encryption_key":"k1","mail_server":"smtp"}""", _secrets.Unprotect(store.Sites[site.Id].SealedConfig!));
    }

    [Fact]
    public async Task Save_site_config_is_Skipped_without_a_file_and_keeps_the_earlier_copy()
    {
        var site = Site() with { SealedConfig = _secrets.Protect("""{"encryption_key":"k0"}""") };
        var store = new FakeSiteStore(site);

        var result = await new SaveSiteConfigStep(new FakeSiteRuntime(RuntimeOutcome.Done("")), store, _secrets).RunAsync(TestData.Context(site), CancellationToken.None);

        Assert.Equal(new StepResult.Skipped($"site {site.Name} has no site_config.json: nothing to keep"), result);
        Assert.Equal("""{"encryption_key":"k0"}""", _secrets.Unprotect(store.Sites[site.Id].SealedConfig!));
    }

    [Fact]
    public async Task Write_site_config_hands_the_kept_copy_to_the_runtime()
    {
        var site = Site() with { SealedConfig = _secrets.Protect("""{"encryption_key":"k0"}""") };
        var runtime = new FakeSiteRuntime(RuntimeOutcome.Done("wrote"));

        await new WriteSiteConfigStep(runtime, _secrets).RunAsync(TestData.Context(site), CancellationToken.None);

        Assert.Equal("""{"encryption_key":"k0"}""", Assert.Single(runtime.Secrets).KeptConfig);
        Assert.DoesNotContain("k0", Assert.Single(runtime.Secrets).ToString());
    }

    [Fact]
    public async Task Record_versions_keeps_the_sites_apps_of_bench_version_and_says_which_are_missing()
    {
        var site = Site() with { Apps = ["erpnext", "hrms"] };
        var store = new FakeSiteStore(site);
        var runtime = new FakeSiteRuntime(RuntimeOutcome.Done(""));
        runtime.Versions["frappe"] = "16.0.0";
        runtime.Versions["erpnext"] = "16.1.2";
        runtime.Versions["payments"] = "0.0.1";

        var result = await new RecordVersionsStep(runtime, store).RunAsync(TestData.Context(site), CancellationToken.None);

        Assert.Equal(new StepResult.Done("frappe 16.0.0, erpnext 16.1.2; bench version does not list hrms"), result);
        Assert.Equal(new Dictionary<string, string> { ["frappe"] = "16.0.0", ["erpnext"] = "16.1.2" }, store.Sites[site.Id].AppVersions);
    }
}
