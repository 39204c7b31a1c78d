using Microsoft.Extensions.Time.Testing;
using Press.Core.Jobs;
using Press.Core.Ports;
using Press.Core.Runtime;
using Press.Core.Sites;
using Press.Core.Sites.Steps;
using Press.Core.Tests.Fakes;
using static Press.Core.Jobs.StepNames;

namespace Press.Core.Tests.Sites.Steps;

/// <summary>The runner steps of NewSite/Resume/Undelete: allocate-runner, write-site-config, install-site, wait-healthy.</summary>
public sealed class RunnerStepsTests
{
    private const string AdminPassword = "AdminPasswordForTestsOnly23456789abcdefg";
    private const string NoRuntime = "no site runtime is configured";

    private readonly FakeSecretProtector _secrets = new();
    private readonly FakeSiteSchema _schema = new();

    private Site SiteWithAdminPassword(string name = "erp.example.com") =>
        TestData.Site(name) with { EncryptedAdminPassword = _secrets.Protect(AdminPassword) };

    private static FakeSiteRuntime Applying(string message = "done") => new(RuntimeOutcome.Done(message));

    // ---- allocate-runner -------------------------------------------------------------------------------------------

    [Fact]
    public async Task Allocate_runner_is_Skipped_with_the_drivers_reason_when_the_driver_is_none()
    {
        var site = TestData.Site();
        var store = new FakeSiteStore(site);
        var runtime = new FakeSiteRuntime(RuntimeOutcome.NotApplicable(NoRuntime)) { Driver = "none" };
        var step = new AllocateRunnerStep(store, runtime);

        var result = await step.RunAsync(TestData.Context(site), CancellationToken.None);

        Assert.Equal(AllocateRunner, step.Name);
        Assert.Equal(new StepResult.Skipped(NoRuntime), result);
        Assert.Null(store.Sites[site.Id].RunnerPort);
    }

    [Fact]
    public async Task Allocate_runner_reuses_the_port_the_site_already_has()
    {
        var site = TestData.Site() with { RunnerPort = 48650 };
        var store = new FakeSiteStore(site);

        var result = await new AllocateRunnerStep(store, Applying()).RunAsync(TestData.Context(site), CancellationToken.None);

        Assert.Equal(new StepResult.Done("already allocated: port 48650"), result);
        Assert.Equal(48650, store.Sites[site.Id].RunnerPort);
    }

    [Fact]
    public async Task Allocate_runner_allocates_a_port_and_reports_it()
    {
        var other = TestData.Site("other.example.com") with { RunnerPort = RunnerPorts.First };
        var site = TestData.Site();
        var store = new FakeSiteStore(other, site);

        var result = await new AllocateRunnerStep(store, Applying()).RunAsync(TestData.Context(site), CancellationToken.None);

        Assert.Equal(new StepResult.Done("port 48601"), result);
        Assert.Equal(48601, store.Sites[site.Id].RunnerPort);
    }

    // ---- write-site-config and install-site --------------------------------------------------------------------------

    private IJobStep SecretStep(string kind, ISiteRuntime runtime) => kind switch
    {
        "config" => new WriteSiteConfigStep(runtime, _secrets),
        "install" => new InstallSiteStep(runtime, _secrets, _schema),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    [Theory]
    [InlineData("config", WriteSiteConfig)]
    [InlineData("install", InstallSite)]
    public async Task Config_and_install_pass_the_decrypted_database_and_admin_passwords(string kind, string name)
    {
        var site = SiteWithAdminPassword();
        var runtime = Applying("wrote sites/erp.example.com/site_config.json");
        var step = SecretStep(kind, runtime);
        _schema.Answers.Enqueue(FakeSiteSchema.Empty);

        var result = await step.RunAsync(TestData.Context(site), CancellationToken.None);

        Assert.Equal(name, step.Name);
        Assert.Equal(new StepResult.Done("wrote sites/erp.example.com/site_config.json"), result);
        Assert.Equal([new SiteSecrets(TestData.SitePassword, AdminPassword)], runtime.Secrets);
        Assert.Equal([$"{kind} {site.Name}"], runtime.Calls);
    }

    [Theory]
    [InlineData("config")]
    [InlineData("install")]
    public async Task Config_and_install_are_Skipped_with_the_drivers_reason_when_not_applied(string kind)
    {
        var site = SiteWithAdminPassword();
        var runtime = new FakeSiteRuntime(RuntimeOutcome.NotApplicable(NoRuntime));
        _schema.Answers.Enqueue(FakeSiteSchema.Empty);

        var result = await SecretStep(kind, runtime).RunAsync(TestData.Context(site), CancellationToken.None);

        Assert.Equal(new StepResult.Skipped(NoRuntime), result);
    }

    [Theory]
    [InlineData("config")]
    [InlineData("install")]
    public async Task A_site_without_an_Administrator_password_fails_Permanent_before_calling_the_runtime(string kind)
    {
        var site = TestData.Site();
        Assert.Null(site.EncryptedAdminPassword);
        var runtime = Applying();
        _schema.Answers.Enqueue(FakeSiteSchema.Empty);

        var ex = await Assert.ThrowsAsync<StepFailedException>(
            () => SecretStep(kind, runtime).RunAsync(TestData.Context(site), CancellationToken.None));

        Assert.Equal(FailureKind.Permanent, ex.Kind);
        Assert.Contains(site.Name, ex.Message);
        Assert.Contains("Administrator password", ex.Message);
        Assert.Empty(runtime.Calls);
        Assert.Empty(runtime.Secrets);
    }

    [Fact]
    public async Task The_runner_fails_the_job_at_write_site_config_when_the_admin_password_is_missing()
    {
        var h = new RunnerHarness(Recipes.NewSite);
        h.Set(new WriteSiteConfigStep(Applying(), _secrets));
        var job = TestData.Job(Recipes.NewSite, h.Site);

        await h.RunAsync(job);

        var failure = Assert.IsType<FakeJobStore.Failed>(h.Jobs.Failure);
        Assert.Equal(WriteSiteConfig, failure.FailedStep);
        Assert.Equal(SiteState.Broken, failure.SiteState);
        Assert.Empty(h.Step(StartRuntime).Runs);
        Assert.Null(h.Jobs.Wait);
    }

    [Fact]
    public void Site_secrets_never_show_in_ToString()
    {
        var secrets = new SiteSecrets(TestData.SitePassword, AdminPassword);

        Assert.Equal("SiteSecrets(***)", secrets.ToString());
        Assert.DoesNotContain(TestData.SitePassword, $"{secrets}");
        Assert.DoesNotContain(AdminPassword, $"{secrets}");
    }

    // ---- wait-healthy -------------------------------------------------------------------------------------------------

    private static readonly SiteHealthOptions Health = new() { Interval = TimeSpan.FromSeconds(5), Timeout = TimeSpan.FromSeconds(60) };

    private static async Task<StepResult> Probe(HealthProbe probe, int attempt, FakeTimeProvider? time = null)
    {
        var runtime = Applying();
        runtime.Probes.Enqueue(probe);
        var site = TestData.Site();
        var step = new WaitHealthyStep(runtime, Health, time ?? new FakeTimeProvider(TestData.Now));
        Assert.Equal(WaitHealthy, step.Name);
        var result = await step.RunAsync(TestData.Context(site, attempt: attempt), CancellationToken.None);
        Assert.Equal([$"probe {site.Name}"], runtime.Calls);
        return result;
    }

    [Fact]
    public async Task Wait_healthy_is_Skipped_with_the_probe_detail_when_the_probe_does_not_apply()
    {
        Assert.Equal(new StepResult.Skipped(NoRuntime), await Probe(new HealthProbe(false, false, NoRuntime), attempt: 1));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(12)]
    [InlineData(500)]
    public async Task Wait_healthy_is_Done_with_the_probe_detail_when_healthy_whatever_the_attempt(int attempt)
    {
        const string detail = "GET 127.0.0.1:48601/api/method/ping (Host erp.example.com) → 200 in 12 ms";

        Assert.Equal(new StepResult.Done(detail), await Probe(new HealthProbe(true, true, detail), attempt));
    }

    [Theory]
    [InlineData(1, 1250)]
    [InlineData(2, 2500)]
    [InlineData(3, 3750)]
    [InlineData(4, 5000)]
    [InlineData(11, 5000)]
    public async Task Wait_healthy_waits_a_quarter_interval_more_each_time_up_to_the_interval_while_not_healthy(int attempt, int waitMs)
    {
        var time = new FakeTimeProvider(TestData.Now);
        time.Advance(TimeSpan.FromMinutes(7));

        var result = await Probe(new HealthProbe(true, false, "connection refused"), attempt, time);

        Assert.Equal(new StepResult.WaitUntil(TestData.Now.AddMinutes(7).AddMilliseconds(waitMs), "not healthy yet: connection refused"), result);
    }

    [Theory]
    [InlineData(14)] // waited 1.25 + 2.5 + 3.75 + 11 × 5 = 62.5 s ≥ 60
    [InlineData(15)]
    [InlineData(1000)]
    public async Task Wait_healthy_fails_Permanent_once_the_waits_reach_the_timeout(int attempt)
    {
        var result = await Probe(new HealthProbe(true, false, "502 Bad Gateway"), attempt);

        Assert.Equal(StepResult.Permanent("not healthy after 60 s: 502 Bad Gateway"), result);
    }

    [Fact]
    public void The_waits_add_up_as_the_probes_make_them()
    {
        var waited = TimeSpan.Zero;
        for (var attempt = 1; attempt <= 20; attempt++)
        {
            waited += Health.DelayAfter(attempt);
            Assert.Equal(waited, Health.WaitedAfter(attempt));
        }
        Assert.Equal(TimeSpan.FromSeconds(57.5), Health.WaitedAfter(13)); // one probe short of the 60-s timeout
    }

    [Theory]
    [InlineData(2)]
    [InlineData(11)]
    public async Task Wait_healthy_fails_Permanent_when_the_runner_exited_again_with_its_last_20_log_lines(int attempt)
    {
        var runtime = Applying();
        runtime.Probes.Enqueue(HealthProbe.RunnerExited("container fcs-press-site-x keeps exiting (last exit code 1, restarted 3 times)"));
        runtime.LogLines.AddRange(Enumerable.Range(1, 25).Select(i => $"line {i}"));
        var site = TestData.Site();
        var step = new WaitHealthyStep(runtime, Health, new FakeTimeProvider(TestData.Now));

        var result = await step.RunAsync(TestData.Context(site, attempt: attempt), CancellationToken.None);

        Assert.Equal(StepResult.Permanent("the runner exited: container fcs-press-site-x keeps exiting (last exit code 1, restarted 3 times); " +
            "its last 20 log lines:\n" + string.Join('\n', Enumerable.Range(6, 20).Select(i => $"line {i}"))), result);
        Assert.Equal([$"probe {site.Name}", $"logs {site.Name} 20"], runtime.Calls);
    }

    [Fact]
    public async Task Wait_healthy_starts_an_exited_runner_once_on_its_first_attempt_then_probes_again_after_one_interval()
    {
        var runtime = Applying();
        runtime.Probes.Enqueue(HealthProbe.RunnerExited("bench serve --port 48601 of erp.example.com is not running"));
        var site = TestData.Site();
        var step = new WaitHealthyStep(runtime, Health, new FakeTimeProvider(TestData.Now));

        var result = await step.RunAsync(TestData.Context(site, attempt: 1), CancellationToken.None);

        Assert.Equal(new StepResult.WaitUntil(TestData.Now.AddSeconds(5),
            "the runner exited (bench serve --port 48601 of erp.example.com is not running); started it again: done"), result);
        Assert.Equal([$"probe {site.Name}", $"start {site.Name}"], runtime.Calls);
    }

    [Fact]
    public async Task Wait_healthy_says_when_an_exited_runner_logged_nothing_or_its_logs_cannot_be_read()
    {
        var runtime = Applying();
        runtime.Probes.Enqueue(HealthProbe.RunnerExited("bench serve --port 48601 of erp.example.com is not running"));
        var step = new WaitHealthyStep(runtime, Health, new FakeTimeProvider(TestData.Now));

        var silent = await step.RunAsync(TestData.Context(TestData.Site(), attempt: 2), CancellationToken.None);
        runtime.LogsFailure = new IOException("permission denied");
        var unreadable = await step.RunAsync(TestData.Context(TestData.Site(), attempt: 2), CancellationToken.None);

        Assert.Equal(StepResult.Permanent("the runner exited: bench serve --port 48601 of erp.example.com is not running; it logged nothing"), silent);
        Assert.Equal(StepResult.Permanent("the runner exited: bench serve --port 48601 of erp.example.com is not running; " +
            "its logs could not be read: permission denied"), unreadable);
    }

    [Fact]
    public async Task Wait_healthy_through_the_runner_puts_the_job_to_Waiting_then_succeeds_once_healthy()
    {
        var h = new RunnerHarness(Recipes.ResumeSite);
        var runtime = Applying();
        runtime.Probes.Enqueue(new HealthProbe(true, false, "connection refused"));
        runtime.Probes.Enqueue(new HealthProbe(true, true, "pong"));
        h.Set(new WaitHealthyStep(runtime, Health, h.Time));
        var job = TestData.Job(Recipes.ResumeSite, h.Site);

        await h.RunAsync(job);

        var ordinal = RunnerHarness.Ordinal(job, WaitHealthy);
        Assert.Equal(new FakeJobStore.Waited(ordinal, TestData.Now.AddSeconds(1.25), "not healthy yet: connection refused", null), h.Jobs.Wait);
        Assert.Null(h.Jobs.Succeeded);

        // The worker picks the job up again after RunAfter: the earlier steps have succeeded, wait-healthy has one attempt.
        var resumed = job.Steps.Where(s => s.Name != WaitHealthy)
            .Aggregate(job, (j, s) => j.WithStep(s.Name, StepState.Succeeded, 1))
            .WithStep(WaitHealthy, StepState.Pending, attempts: 1);
        await h.RunAsync(resumed);

        Assert.Equal(new FakeJobStore.StepFinished(ordinal, StepState.Succeeded, "pong", null), h.Jobs.StepsFinished[^1]);
        Assert.Equal(SiteState.Active, h.Jobs.Succeeded);
    }
}

public sealed class RemoveSiteRedisStepTests
{
    [Theory]
    [InlineData(StepNames.RemoveSiteRedis)]
    [InlineData(StepNames.LegacyFlushSiteCache)] // a purge queued before the per-site Redis
    public async Task Removes_the_sites_own_Redis_through_the_runtime(string name)
    {
        var site = TestData.Site() with { RunnerPort = 48610 };
        var runtime = new FakeSiteRuntime(RuntimeOutcome.Done("removed its Redis"));
        IJobStep step = name == StepNames.RemoveSiteRedis ? new RemoveSiteRedisStep(runtime) : new LegacyFlushSiteCacheStep(runtime);

        var result = await step.RunAsync(TestData.Context(site), CancellationToken.None);

        Assert.Equal(name, step.Name);
        Assert.Equal(new StepResult.Done("removed its Redis"), result);
        Assert.Equal([$"remove-redis {site.Name}"], runtime.Calls);
    }

    [Fact]
    public async Task Is_Skipped_with_the_drivers_reason_when_no_runtime_serves_sites()
    {
        var runtime = new FakeSiteRuntime(RuntimeOutcome.NotApplicable("no site runtime"));
        var result = await new RemoveSiteRedisStep(runtime).RunAsync(TestData.Context(TestData.Site()), CancellationToken.None);
        Assert.Equal(new StepResult.Skipped("no site runtime"), result);
    }
}

/// <summary>enable-scheduler after install: Frappe starts new sites with the scheduler off (docs/frappe.md §7).</summary>
public sealed class EnableSchedulerStepTests
{
    private static EnableSchedulerStep Step(FakeSiteRuntime runtime, bool scheduler = true) =>
        new(runtime, new FakeSettingsStore(Settings.PressSettings.Defaults with { Scheduler = scheduler }));

    [Fact]
    public async Task Enables_the_sites_scheduler_through_the_runtime()
    {
        var site = TestData.Site() with { RunnerPort = 48610 };
        var runtime = new FakeSiteRuntime(RuntimeOutcome.Done("bench --site erp.example.com enable-scheduler: done"));

        var step = Step(runtime);
        var result = await step.RunAsync(TestData.Context(site), CancellationToken.None);

        Assert.Equal(StepNames.EnableScheduler, step.Name);
        Assert.Equal(new StepResult.Done("bench --site erp.example.com enable-scheduler: done"), result);
        Assert.Equal([$"enable-scheduler {site.Name}"], runtime.Calls);
    }

    [Fact]
    public async Task The_setting_off_keeps_the_scheduler_disabled_and_says_so()
    {
        var runtime = new FakeSiteRuntime(RuntimeOutcome.Done("enabled"));

        var result = await Step(runtime, scheduler: false).RunAsync(TestData.Context(TestData.Site()), CancellationToken.None);

        Assert.Equal(new StepResult.Skipped("the setting runtime.scheduler is off: the site's scheduler stays disabled"), result);
        Assert.Empty(runtime.Calls);
    }

    [Fact]
    public async Task Is_Skipped_with_the_drivers_reason_when_no_runtime_serves_sites()
    {
        var runtime = new FakeSiteRuntime(RuntimeOutcome.NotApplicable("no site runtime")) { Driver = "none" };
        var result = await Step(runtime).RunAsync(TestData.Context(TestData.Site()), CancellationToken.None);
        Assert.IsType<StepResult.Skipped>(result);
        Assert.Empty(runtime.Calls);
    }

    [Fact]
    public void New_sites_enable_the_scheduler_after_install_and_before_the_health_wait()
    {
        var steps = Recipes.NewSite.Steps.ToList();
        Assert.Equal(steps.IndexOf(StepNames.InstallSite) + 1, steps.IndexOf(StepNames.EnableScheduler));
        Assert.Equal(steps.IndexOf(StepNames.WaitHealthy) - 1, steps.IndexOf(StepNames.EnableScheduler));
    }
}
