using Press.Core.Audit;
using Press.Core.Jobs;
using Press.Core.Sites;
using Press.Core.Tenancy;
using Press.Core.Tests.Fakes;
using Press.Core.Usage;

namespace Press.Core.Tests.Usage;

public sealed class SiteLimitsTests
{
    [Fact]
    public void Every_out_of_bounds_field_is_reported_at_once_with_how_to_fix_it()
    {
        var problems = new SiteLimits(MemoryMb: 100, Cpus: 0.01, DatabaseCapMb: 0).Problems();

        Assert.Equal(["cpus", "databaseCapMb", "memoryMb"], problems.Keys.Order());
        Assert.Equal("'memoryMb' must be a whole number of MiB between 256 and 262144 (or null for the runtime.memoryMb default), not 100.",
            Assert.Single(problems["memoryMb"]));
        Assert.Equal("'cpus' must be a number of CPUs between 0.1 and 256 such as 1.5 (or null for the runtime.cpus default), not 0.01.",
            Assert.Single(problems["cpus"]));
        Assert.Equal("'databaseCapMb' must be a whole number of MiB between 1 and 16777216 (or null for no cap), not 0.",
            Assert.Single(problems["databaseCapMb"]));
    }

    [Theory]
    [InlineData(256, 0.1, 1)]
    [InlineData(262144, 256.0, 16777216)]
    public void The_bounds_themselves_are_accepted(int memory, double cpus, int cap) =>
        Assert.Empty(new SiteLimits(memory, cpus, cap).Problems());

    [Fact]
    public void No_override_at_all_is_valid_and_means_the_defaults() => Assert.Empty(SiteLimits.None.Problems());

    [Fact]
    public void Not_a_number_cpus_is_refused() => Assert.Contains("cpus", new SiteLimits(null, double.NaN, null).Problems().Keys);

    [Fact]
    public void The_override_travels_as_job_arguments_and_back_unchanged()
    {
        var limits = new SiteLimits(2048, 1.5, 10240);

        Assert.Equal(new Dictionary<string, string> { ["memoryMb"] = "2048", ["cpus"] = "1.5", ["databaseCapMb"] = "10240" }, limits.ToArgs());
        Assert.Equal(limits, SiteLimits.FromArgs(limits.ToArgs()));
        Assert.Equal(SiteLimits.None, SiteLimits.FromArgs(SiteLimits.None.ToArgs()));
    }

    [Fact]
    public void The_cap_in_bytes_is_mebibytes()
    {
        Assert.Equal(10L * 1024 * 1024, new SiteLimits(null, null, 10).DatabaseCapBytes);
        Assert.Null(SiteLimits.None.DatabaseCapBytes);
    }

    [Fact]
    public async Task Change_limits_enqueues_the_ChangeLimits_job_on_an_active_site_with_the_override_as_audited_arguments()
    {
        var commands = new FakeSiteCommands();
        var operations = new SiteOperations(commands, new FakeSecretProtector(), new FakeJobSignals(), new TenancyOptions(), new FakeSiteStore(),
            new FakeBackupStore(), new FakeBackupStore(), new PressHost("press.example.net"), new FakeSettingsStore(Settings.PressSettings.Defaults),
            new FakeSiteSsoStore(), new FakeStandbyPool());

        await operations.ChangeLimitsAsync("erp.example.com", new SiteLimits(1024, 2, null), new Actor("ada", "10.0.0.7"), CancellationToken.None);

        var enqueued = Assert.Single(commands.Enqueues);
        Assert.Equal(Recipes.ChangeLimits, enqueued.Recipe);
        Assert.Equal([SiteState.Active], enqueued.AllowedFrom);
        Assert.Equal("site.limits", enqueued.Audit.Action);
        Assert.Equal(new Dictionary<string, string> { ["memoryMb"] = "1024", ["cpus"] = "2", ["databaseCapMb"] = "" }, enqueued.Audit.Details);
    }

    [Fact]
    public async Task Change_limits_out_of_bounds_enqueues_nothing()
    {
        var commands = new FakeSiteCommands();
        var operations = new SiteOperations(commands, new FakeSecretProtector(), new FakeJobSignals(), new TenancyOptions(), new FakeSiteStore(),
            new FakeBackupStore(), new FakeBackupStore(), new PressHost("press.example.net"), new FakeSettingsStore(Settings.PressSettings.Defaults),
            new FakeSiteSsoStore(), new FakeStandbyPool());

        var error = await Assert.ThrowsAsync<ValidationException>(() =>
            operations.ChangeLimitsAsync("erp.example.com", new SiteLimits(1, 0, -1), new Actor("ada", null), CancellationToken.None));

        Assert.Equal(3, error.Problems.Count);
        Assert.Empty(commands.Enqueues);
    }

    [Fact]
    public void The_recipe_saves_the_limits_then_recreates_the_runner_and_waits_for_it_and_is_among_all()
    {
        Assert.Equal(["save-limits", "remove-runner", "start-runtime", "wait-healthy"], Recipes.ChangeLimits.Steps);
        Assert.Equal(SiteState.Active, Recipes.ChangeLimits.OnSuccess);
        Assert.Null(Recipes.ChangeLimits.FailureState(StepNames.SaveLimits)); // nothing changed on the site yet
        Assert.Equal(SiteState.Broken, Recipes.ChangeLimits.FailureState(StepNames.StartRuntime));
        Assert.Contains(Recipes.ChangeLimits, Recipes.All);
    }

    [Fact]
    public async Task Save_limits_writes_the_jobs_override_and_says_what_applies()
    {
        var store = new FakeSiteUsageStore();
        var site = TestData.Site();
        var job = TestData.Job(Recipes.ChangeLimits, site) with { Args = new SiteLimits(2048, null, 500).ToArgs() };
        var step = new SaveLimitsStep(store, new FakeSiteRuntime(Ports.RuntimeOutcome.Done("ok")) { Driver = "docker" });

        var result = await step.RunAsync(new StepContext(job, site, 1, TestData.Context(site).Lease), CancellationToken.None);
        var again = await step.RunAsync(new StepContext(job, site, 2, TestData.Context(site).Lease), CancellationToken.None);

        Assert.Equal(new SiteLimits(2048, null, 500), store.Limits[site.Id]);
        Assert.Equal(new StepResult.Done("memory 2048 MiB, CPUs default (runtime.cpus), database cap 500 MiB"), result);
        Assert.Equal(result, again);
    }
}
