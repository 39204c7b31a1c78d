using Press.Core.Jobs;
using Press.Core.Sites;
using Press.Core.Tests.Fakes;
using static Press.Core.Jobs.StepNames;

namespace Press.Core.Tests.Jobs;

/// <summary>How the runner classifies and records failures: retry later, or fail the job at the step.</summary>
public sealed class JobRunnerFailureTests
{
    [Theory]
    [InlineData(0, 1)]
    [InlineData(1, 2)]
    [InlineData(2, 4)]
    [InlineData(3, 8)]
    public async Task A_transient_failure_with_attempts_left_waits_for_the_backoff_and_stops(int previousAttempts, int delaySeconds)
    {
        var h = new RunnerHarness(Recipes.NewSite);
        h.Set(ScriptedStep.Returning(CreateSchema, StepResult.Transient("connection reset")));
        var job = TestData.Job(Recipes.NewSite, h.Site).WithStep(CreateSchema, StepState.Pending, previousAttempts);

        await h.RunAsync(job);

        Assert.Equal(new FakeJobStore.Waited(RunnerHarness.Ordinal(job, CreateSchema), TestData.Now.AddSeconds(delaySeconds), null, "connection reset"), h.Jobs.Wait);
        Assert.Equal([CreateRole, CreateSchema], h.StartedSteps(job));
        Assert.DoesNotContain(h.Jobs.StepsFinished, f => f.Ordinal == RunnerHarness.Ordinal(job, CreateSchema));
        Assert.Empty(h.Step(ConfigureRole).Runs);
        Assert.Null(h.Jobs.Succeeded);
        Assert.Null(h.Jobs.Failure);
    }

    [Fact]
    public async Task The_backoff_follows_the_configured_policy_and_the_current_time()
    {
        var h = new RunnerHarness(Recipes.ResumeSite);
        h.Options.Retry = new RetryPolicy(10, TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(20));
        h.Time.Advance(TimeSpan.FromHours(1));
        h.Set(ScriptedStep.Returning(EnableLogin, StepResult.Transient("too many connections")));
        var job = TestData.Job(Recipes.ResumeSite, h.Site).WithStep(EnableLogin, StepState.Pending, attempts: 6);

        await h.RunAsync(job);

        Assert.Equal(TestData.Now.AddHours(1).AddSeconds(20), h.Jobs.Wait?.RunAfter);
    }

    [Fact]
    public async Task A_transient_failure_on_the_last_allowed_attempt_fails_the_job()
    {
        var h = new RunnerHarness(Recipes.NewSite);
        h.Set(ScriptedStep.Returning(CreateSchema, StepResult.Transient("connection reset")));
        var job = TestData.Job(Recipes.NewSite, h.Site)
            .WithStep(CreateRole, StepState.Succeeded, 1)
            .WithStep(CreateSchema, StepState.Pending, attempts: RetryPolicy.Default.MaxAttempts - 1);

        await h.RunAsync(job);

        Assert.Equal(RetryPolicy.Default.MaxAttempts, Assert.Single(h.Step(CreateSchema).Runs).Attempt);
        Assert.Null(h.Jobs.Wait);
        Assert.Equal(new FakeJobStore.StepFinished(RunnerHarness.Ordinal(job, CreateSchema), StepState.Failed, null, "connection reset"), Assert.Single(h.Jobs.StepsFinished));
        Assert.Equal(new FakeJobStore.Failed(CreateSchema, "connection reset", SiteState.Broken), h.Jobs.Failure);
        Assert.Null(h.Jobs.Succeeded);
    }

    /// <summary>A store a step uses (sites, backups) raised a database error the provider marks transient (a dropped
    /// connection, a failover): the step is retried, not failed for good.</summary>
    [Fact]
    public async Task A_transient_database_error_thrown_through_a_step_is_retried_with_backoff()
    {
        var h = new RunnerHarness(Recipes.ResumeSite);
        h.Set(ScriptedStep.Throwing(EnableLogin, new FakeDbException("connection reset by peer", transient: true)));
        var job = TestData.Job(Recipes.ResumeSite, h.Site);

        await h.RunAsync(job);

        Assert.Null(h.Jobs.Failure);
        Assert.Equal(TestData.Now.AddSeconds(1), h.Jobs.Wait?.RunAfter);
        Assert.Contains("connection reset by peer", h.Jobs.Wait?.Error);
    }

    [Fact]
    public async Task A_database_error_that_is_not_transient_fails_the_job_at_the_step()
    {
        var h = new RunnerHarness(Recipes.ResumeSite);
        h.Set(ScriptedStep.Throwing(EnableLogin, new FakeDbException("permission denied for table sites", transient: false)));
        var job = TestData.Job(Recipes.ResumeSite, h.Site);

        await h.RunAsync(job);

        Assert.Null(h.Jobs.Wait);
        Assert.Equal(EnableLogin, h.Jobs.Failure?.FailedStep);
        Assert.Contains("permission denied for table sites", h.Jobs.Failure?.Error);
    }

    [Fact]
    public async Task An_adapter_classifier_decides_before_the_providers_own_flag()
    {
        var h = new RunnerHarness(Recipes.ResumeSite);
        h.Classifiers.Add(new ByMessage("admin shutdown", FailureKind.Transient));
        h.Set(ScriptedStep.Throwing(EnableLogin, new FakeDbException("terminating connection due to admin shutdown", transient: false)));
        var job = TestData.Job(Recipes.ResumeSite, h.Site);

        await h.RunAsync(job);

        Assert.Null(h.Jobs.Failure);
        Assert.Contains("admin shutdown", h.Jobs.Wait?.Error);
    }

    private sealed class ByMessage(string fragment, FailureKind kind) : IFailureClassifier
    {
        public FailureKind? Classify(Exception error) => error.Message.Contains(fragment, StringComparison.Ordinal) ? kind : null;
    }

    private sealed class FakeDbException(string message, bool transient) : System.Data.Common.DbException(message)
    {
        public override bool IsTransient => transient;
    }

    [Fact]
    public async Task A_permanent_failure_fails_the_step_and_the_job_and_runs_no_later_step()
    {
        var h = new RunnerHarness(Recipes.NewSite);
        h.Set(ScriptedStep.Returning(ConfigureRole, StepResult.Permanent("permission denied to alter role")));
        var job = TestData.Job(Recipes.NewSite, h.Site);

        await h.RunAsync(job);

        Assert.Equal(new FakeJobStore.StepFinished(RunnerHarness.Ordinal(job, ConfigureRole), StepState.Failed, null, "permission denied to alter role"), h.Jobs.StepsFinished[^1]);
        Assert.Equal(new FakeJobStore.Failed(ConfigureRole, "permission denied to alter role", SiteState.Broken), h.Jobs.Failure);
        Assert.All(Recipes.NewSite.Steps.SkipWhile(n => n != ConfigureRole).Skip(1), n => Assert.Empty(h.Step(n).Runs));
        Assert.Equal([CreateRole, CreateSchema, ConfigureRole], h.StartedSteps(job));
        Assert.Null(h.Jobs.Wait);
        Assert.Null(h.Jobs.Succeeded);
        Assert.Equal("FailAsync", h.Jobs.Calls[^1]);
    }

    [Theory]
    [InlineData(JobKind.NewSite, SiteState.Broken)]
    [InlineData(JobKind.SuspendSite, SiteState.Broken)]
    [InlineData(JobKind.ResumeSite, SiteState.Broken)]
    [InlineData(JobKind.UndeleteSite, SiteState.Deleted)]
    [InlineData(JobKind.PurgeSite, SiteState.Deleted)]
    [InlineData(JobKind.NewSiteFromBackup, SiteState.Broken)]
    [InlineData(JobKind.BackupSite, null)]
    [InlineData(JobKind.VerifyBackup, null)]
    [InlineData(JobKind.DiscardRestore, null)]
    public async Task A_failed_job_sets_the_failure_state_of_its_recipe(JobKind kind, SiteState? expected)
    {
        var recipe = Recipes.For(kind);
        var h = new RunnerHarness(recipe);
        h.Set(ScriptedStep.Returning(recipe.Steps[0], StepResult.Permanent("nope")));

        await h.RunAsync(TestData.Job(recipe, h.Site));

        Assert.Equal(new FakeJobStore.Failed(recipe.Steps[0], "nope", expected), h.Jobs.Failure);
    }

    [Theory]
    [InlineData(StepNames.BackupDatabase, null)]
    [InlineData(StepNames.VerifyBackup, null)]
    [InlineData(StepNames.StopRuntime, SiteState.Broken)]
    [InlineData(StepNames.MarkDeleted, SiteState.Broken)]
    public async Task A_delete_failing_in_its_backup_keeps_the_site_state_and_later_breaks_it(string step, SiteState? expected)
    {
        var recipe = Recipes.DeleteSite;
        var h = new RunnerHarness(recipe);
        h.Set(ScriptedStep.Returning(step, StepResult.Permanent("nope")));

        await h.RunAsync(TestData.Job(recipe, h.Site));

        Assert.Equal(new FakeJobStore.Failed(step, "nope", expected), h.Jobs.Failure);
    }

    [Fact]
    public async Task A_step_throwing_a_transient_StepFailedException_is_retried_later()
    {
        var h = new RunnerHarness(Recipes.NewSite);
        h.Set(ScriptedStep.Throwing(CreateRole, new StepFailedException(FailureKind.Transient, "create role: cannot reach PostgreSQL")));
        var job = TestData.Job(Recipes.NewSite, h.Site);

        await h.RunAsync(job);

        Assert.Equal(new FakeJobStore.Waited(RunnerHarness.Ordinal(job, CreateRole), TestData.Now.AddSeconds(1), null, "create role: cannot reach PostgreSQL"), h.Jobs.Wait);
        Assert.Null(h.Jobs.Failure);
        Assert.Empty(h.Jobs.StepsFinished);
    }

    [Fact]
    public async Task A_step_throwing_a_permanent_StepFailedException_fails_the_job()
    {
        var h = new RunnerHarness(Recipes.PurgeSite);
        h.Set(ScriptedStep.Throwing(DropSchema, new StepFailedException(FailureKind.Permanent, "drop schema: PostgreSQL 42501: must be owner")));
        var job = TestData.Job(Recipes.PurgeSite, h.Site);

        await h.RunAsync(job);

        Assert.Null(h.Jobs.Wait);
        Assert.Equal(new FakeJobStore.Failed(DropSchema, "drop schema: PostgreSQL 42501: must be owner", SiteState.Deleted), h.Jobs.Failure);
        Assert.Empty(h.Step(DropRole).Runs);
    }

    [Fact]
    public async Task An_unexpected_exception_is_a_permanent_failure_carrying_its_message_even_with_attempts_left()
    {
        var h = new RunnerHarness(Recipes.NewSite);
        h.Set(ScriptedStep.Throwing(VerifyLogin, new InvalidOperationException("search_path is not the site schema")));
        var job = TestData.Job(Recipes.NewSite, h.Site);

        await h.RunAsync(job);

        Assert.Null(h.Jobs.Wait);
        var failure = Assert.IsType<FakeJobStore.Failed>(h.Jobs.Failure);
        Assert.Equal(VerifyLogin, failure.FailedStep);
        Assert.Equal("InvalidOperationException: search_path is not the site schema", failure.Error);
        Assert.Equal(SiteState.Broken, failure.SiteState);
        Assert.Equal(new FakeJobStore.StepFinished(RunnerHarness.Ordinal(job, VerifyLogin), StepState.Failed, null, failure.Error), h.Jobs.StepsFinished[^1]);
        Assert.Empty(h.Step(StartRuntime).Runs);
    }

    [Fact]
    public async Task A_step_with_no_implementation_fails_the_job_naming_the_step()
    {
        var h = new RunnerHarness(Recipes.NewSite);
        h.Steps.Remove(StartRuntime);
        var job = TestData.Job(Recipes.NewSite, h.Site);

        await h.RunAsync(job);

        var failure = Assert.IsType<FakeJobStore.Failed>(h.Jobs.Failure);
        Assert.Equal(StartRuntime, failure.FailedStep);
        Assert.Contains($"'{StartRuntime}'", failure.Error);
        Assert.Contains("No implementation", failure.Error);
        Assert.Equal(new FakeJobStore.StepFinished(RunnerHarness.Ordinal(job, StartRuntime), StepState.Failed, null, failure.Error), h.Jobs.StepsFinished[^1]);
        Assert.Null(h.Jobs.Succeeded);
    }

    /// <summary>
    /// A step's own timeout (an HttpClient timeout surfaces as TaskCanceledException) is not the worker stopping or
    /// the lease being lost. It must end like any other unexpected error — a recorded failure — not escape the runner
    /// and leave the job leased, to be resumed and crash again every lease period with no attempt limit.
    /// </summary>
    [Fact]
    public async Task A_step_throwing_OperationCanceledException_without_any_cancellation_fails_the_job()
    {
        var h = new RunnerHarness(Recipes.NewSite);
        h.Set(ScriptedStep.Throwing(StartRuntime, new TaskCanceledException("The request was canceled due to the configured HttpClient.Timeout of 100 seconds elapsing.")));
        var job = TestData.Job(Recipes.NewSite, h.Site);

        var escaped = await Record.ExceptionAsync(() => h.RunAsync(job));

        Assert.Null(escaped);
        var failure = Assert.IsType<FakeJobStore.Failed>(h.Jobs.Failure);
        Assert.Equal(StartRuntime, failure.FailedStep);
        Assert.Contains("HttpClient.Timeout", failure.Error);
    }
}
