using Press.Core.Jobs;
using Press.Core.Sites;
using Press.Core.Tests.Fakes;
using static Press.Core.Jobs.StepNames;

namespace Press.Core.Tests.Jobs;

/// <summary>The runner's happy paths: every pending step in order, recorded, then the recipe's success state.</summary>
public sealed class JobRunnerTests
{
    [Fact]
    public async Task All_steps_succeeding_records_each_in_order_and_succeeds_with_the_recipes_state()
    {
        var h = new RunnerHarness(Recipes.NewSite);
        var job = TestData.Job(Recipes.NewSite, h.Site);

        await h.RunAsync(job);

        Assert.Equal(new FakeJobStore.Started(SiteState.Installing), h.Jobs.Start);
        Assert.Equal(Recipes.NewSite.Steps, h.StartedSteps(job));
        Assert.Equal(
            job.Steps.Select(s => new FakeJobStore.StepFinished(s.Ordinal, StepState.Succeeded, $"{s.Name} ok", null)),
            h.Jobs.StepsFinished);
        Assert.Equal(SiteState.Active, h.Jobs.Succeeded);
        Assert.Null(h.Jobs.Failure);
        Assert.Null(h.Jobs.Wait);
        Assert.Equal("SucceedAsync", h.Jobs.Calls[^1]);
        Assert.All(h.Jobs.Leases, l => Assert.Equal(h.Lease(job), l)); // every write carries the claim's lease
    }

    [Theory]
    [InlineData(JobKind.NewSite, SiteState.Active)]
    [InlineData(JobKind.SuspendSite, SiteState.Suspended)]
    [InlineData(JobKind.ResumeSite, SiteState.Active)]
    [InlineData(JobKind.DeleteSite, SiteState.Deleted)]
    [InlineData(JobKind.UndeleteSite, SiteState.Active)]
    [InlineData(JobKind.PurgeSite, SiteState.Purged)]
    public async Task A_successful_job_sets_the_site_state_of_its_recipe(JobKind kind, SiteState expected)
    {
        var recipe = Recipes.For(kind);
        var h = new RunnerHarness(recipe);
        var job = TestData.Job(recipe, h.Site);

        await h.RunAsync(job);

        Assert.Equal(expected, h.Jobs.Succeeded);
        Assert.Equal(recipe.WhileRunning, h.Jobs.Start?.SiteState);
        Assert.Equal(recipe.Steps.Count, h.Jobs.StepsFinished.Count);
    }

    [Fact]
    public async Task A_skipped_step_is_recorded_Skipped_with_its_reason_and_the_job_still_succeeds()
    {
        var h = new RunnerHarness(Recipes.NewSite);
        h.Set(ScriptedStep.Returning(StartRuntime, StepResult.Skip("no site runtime is configured")));
        var job = TestData.Job(Recipes.NewSite, h.Site);

        await h.RunAsync(job);

        var ordinal = RunnerHarness.Ordinal(job, StartRuntime);
        Assert.Equal(
            new FakeJobStore.StepFinished(ordinal, StepState.Skipped, "no site runtime is configured", null),
            Assert.Single(h.Jobs.StepsFinished, f => f.Ordinal == ordinal));
        Assert.Equal(Recipes.NewSite.Steps, h.StartedSteps(job));
        Assert.All(h.Jobs.StepsFinished.Where(f => f.Ordinal != ordinal), f => Assert.Equal(StepState.Succeeded, f.State));
        Assert.Equal(SiteState.Active, h.Jobs.Succeeded);
        Assert.Null(h.Jobs.Failure);
    }

    [Fact]
    public async Task Resuming_after_a_crash_runs_only_the_steps_that_have_not_succeeded()
    {
        var h = new RunnerHarness(Recipes.NewSite);
        var job = TestData.Job(Recipes.NewSite, h.Site)
            .WithStep(CreateRole, StepState.Succeeded, attempts: 1)
            .WithStep(CreateSiteDatabase, StepState.Succeeded, attempts: 1)
            .WithStep(CreateSchema, StepState.Succeeded, attempts: 1)
            .WithStep(ConfigureRole, StepState.Running, attempts: 1);

        await h.RunAsync(job);

        Assert.Empty(h.Step(CreateRole).Runs);
        Assert.Empty(h.Step(CreateSchema).Runs);
        var from = RunnerHarness.Ordinal(job, ConfigureRole);
        Assert.Equal(Recipes.NewSite.Steps.Skip(from - 1), h.StartedSteps(job));
        Assert.Single(h.Step(ConfigureRole).Runs);
        Assert.Equal(Enumerable.Range(from, Recipes.NewSite.Steps.Count - from + 1), h.Jobs.StepsFinished.Select(f => f.Ordinal));
        Assert.Equal(SiteState.Active, h.Jobs.Succeeded);
    }

    [Fact]
    public async Task Steps_already_Skipped_are_not_run_again()
    {
        var h = new RunnerHarness(Recipes.SuspendSite);
        var job = TestData.Job(Recipes.SuspendSite, h.Site).WithStep(StopRuntime, StepState.Skipped, attempts: 1);

        await h.RunAsync(job);

        Assert.Empty(h.Step(StopRuntime).Runs);
        Assert.Equal([SaveSiteConfig, DisableLogin, TerminateConnections], h.StartedSteps(job));
        Assert.Equal(SiteState.Suspended, h.Jobs.Succeeded);
    }

    [Fact]
    public async Task A_job_whose_steps_all_succeeded_already_just_succeeds()
    {
        var h = new RunnerHarness(Recipes.ResumeSite);
        var job = Recipes.ResumeSite.Steps.Aggregate(TestData.Job(Recipes.ResumeSite, h.Site),
            (j, name) => j.WithStep(name, StepState.Succeeded, 1));

        await h.RunAsync(job);

        Assert.Equal(["StartAsync", "SucceedAsync"], h.Jobs.Calls);
        Assert.Equal(SiteState.Active, h.Jobs.Succeeded);
    }

    [Fact]
    public async Task Steps_run_in_ordinal_order_whatever_order_the_job_lists_them_in()
    {
        var h = new RunnerHarness(Recipes.DeleteSite);
        var job = TestData.Job(Recipes.DeleteSite, h.Site);
        job = job with { Steps = job.Steps.Reverse().ToList() };

        await h.RunAsync(job);

        Assert.Equal(Recipes.DeleteSite.Steps, h.StartedSteps(job));
        Assert.Equal(Enumerable.Range(1, Recipes.DeleteSite.Steps.Count), h.Jobs.StepsFinished.Select(f => f.Ordinal));
    }

    [Fact]
    public async Task Each_step_is_told_its_attempt_number_and_gets_the_site_as_currently_stored()
    {
        var h = new RunnerHarness(Recipes.ResumeSite);
        var job = TestData.Job(Recipes.ResumeSite, h.Site).WithStep(EnableLogin, StepState.Pending, attempts: 2);
        var stored = h.Site with { State = SiteState.Suspended, Apps = ["erpnext", "hrms"] };
        h.Sites.Sites[h.Site.Id] = stored;

        await h.RunAsync(job);

        var context = Assert.Single(h.Step(EnableLogin).Runs);
        Assert.Equal(3, context.Attempt);
        Assert.Same(stored, context.Site);
        Assert.Equal(job.Id, context.Job.Id);
        Assert.Equal(1, Assert.Single(h.Step(StartRuntime).Runs).Attempt);
    }

    [Fact]
    public async Task Step_started_is_recorded_before_the_step_runs_and_finished_after()
    {
        var h = new RunnerHarness(Recipes.ResumeSite);
        var callsSeenByStep = new List<string>();
        h.Set(new ScriptedStep(EnableLogin, (_, _) =>
        {
            callsSeenByStep.AddRange(h.Jobs.Calls);
            return Task.FromResult(StepResult.Ok("login enabled"));
        }));
        var job = TestData.Job(Recipes.ResumeSite, h.Site);

        await h.RunAsync(job);

        Assert.Equal(["StartAsync", "StepStartedAsync:1"], callsSeenByStep);
        Assert.Equal(
            [
                "StartAsync",
                .. job.Steps.SelectMany(s => new[] { $"StepStartedAsync:{s.Ordinal}", $"StepFinishedAsync:{s.Ordinal}" }),
                "SucceedAsync",
            ],
            h.Jobs.Calls);
    }

    [Fact]
    public async Task A_step_asking_to_wait_puts_the_job_to_Waiting_until_then_and_stops()
    {
        var h = new RunnerHarness(Recipes.NewSite);
        var until = TestData.Now.AddMinutes(5);
        h.Set(ScriptedStep.Returning(CreateSchema, new StepResult.WaitUntil(until, "waiting for the cluster")));
        var job = TestData.Job(Recipes.NewSite, h.Site);

        await h.RunAsync(job);

        Assert.Equal(new FakeJobStore.Waited(RunnerHarness.Ordinal(job, CreateSchema), until, "waiting for the cluster", null), h.Jobs.Wait);
        Assert.Equal([CreateRole, CreateSiteDatabase, CreateSchema], h.StartedSteps(job));
        Assert.Null(h.Jobs.Succeeded);
        Assert.Null(h.Jobs.Failure);
    }

    [Fact]
    public async Task Progress_is_published_and_a_failing_publisher_does_not_stop_the_job()
    {
        var h = new RunnerHarness(Recipes.ResumeSite);
        h.Signals.PublishThrows = new InvalidOperationException("redis down");
        var job = TestData.Job(Recipes.ResumeSite, h.Site);

        await h.RunAsync(job);

        Assert.Equal(SiteState.Active, h.Jobs.Succeeded);
        // once per started step (the first carries the job's start), once at the end
        Assert.Equal(Recipes.ResumeSite.Steps.Count + 1, h.Signals.Published);
    }

    [Fact]
    public async Task The_start_rides_on_the_first_steps_write_and_the_success_on_the_last_steps()
    {
        var h = new RunnerHarness(Recipes.ResumeSite);
        var job = TestData.Job(Recipes.ResumeSite, h.Site);

        await h.RunAsync(job);

        var ordinals = job.Steps.Select(s => s.Ordinal).Order().ToArray();
        Assert.Equal([$"StartWithStepAsync:{ordinals[0]}", $"FinishLastStepAsync:{ordinals[^1]}"], h.Jobs.Folded);
        Assert.Equal(SiteState.Active, h.Jobs.Succeeded);
        Assert.Equal(ordinals, h.Jobs.StepsStarted);
    }

    [Fact]
    public async Task A_job_whose_steps_are_all_done_starts_and_succeeds_in_writes_of_their_own()
    {
        var h = new RunnerHarness(Recipes.ResumeSite);
        var job = TestData.Job(Recipes.ResumeSite, h.Site);
        job = job with { Steps = job.Steps.Select(s => s with { State = StepState.Succeeded }).ToList() };

        await h.RunAsync(job);

        Assert.Equal(["StartAsync", "SucceedAsync"], h.Jobs.Calls);
        Assert.Empty(h.Jobs.Folded);
    }
}
