using Press.Core.Jobs;
using Press.Core.Sites;
using Press.Core.Tests.Fakes;
using static Press.Core.Jobs.StepNames;

namespace Press.Core.Tests.Jobs;

/// <summary>
/// A job whose claims keep ending without any outcome (the worker dies in the same step every time) fails at that
/// step once <see cref="JobRunnerOptions.MaxAbandonedClaims"/> claims in a row were abandoned, instead of looping.
/// </summary>
public sealed class JobRunnerAbandonedTests
{
    private static Job DiedIn(JobRecipe recipe, RunnerHarness h, string step, int attempts) =>
        recipe.Steps.TakeWhile(n => n != step).Aggregate(TestData.Job(recipe, h.Site), (j, n) => j.WithStep(n, StepState.Succeeded, 1))
            .WithStep(step, StepState.Running, attempts);

    [Fact]
    public async Task At_the_limit_the_job_fails_at_the_unfinished_step_without_running_it_again()
    {
        var h = new RunnerHarness(Recipes.NewSite);
        var job = DiedIn(Recipes.NewSite, h, CreateSchema, attempts: 3);

        await h.RunAsync(job, abandonedClaims: 3);

        Assert.Empty(h.Step(CreateSchema).Runs);
        Assert.Empty(h.Jobs.StepsStarted);
        var expected = JobRunner.AbandonedError(CreateSchema, 3, 3);
        Assert.Equal(new FakeJobStore.StepFinished(RunnerHarness.Ordinal(job, CreateSchema), StepState.Failed, null, expected), Assert.Single(h.Jobs.StepsFinished));
        Assert.Equal(new FakeJobStore.Failed(CreateSchema, expected, SiteState.Broken), h.Jobs.Failure);
        Assert.Equal(["StartAsync", "StepFinishedAsync:2", "FailAsync"], h.Jobs.Calls);
        Assert.Contains("3 times in a row", expected);
        Assert.Contains("Press:Jobs:MaxAbandonedClaims = 3", expected);
    }

    [Fact]
    public async Task Below_the_limit_the_step_runs_again()
    {
        var h = new RunnerHarness(Recipes.NewSite);
        var job = DiedIn(Recipes.NewSite, h, CreateSchema, attempts: 2);

        await h.RunAsync(job, abandonedClaims: 2);

        Assert.Equal(3, Assert.Single(h.Step(CreateSchema).Runs).Attempt);
        Assert.Equal(SiteState.Active, h.Jobs.Succeeded);
        Assert.Null(h.Jobs.Failure);
    }

    [Fact]
    public async Task The_limit_is_a_setting()
    {
        var h = new RunnerHarness(Recipes.ResumeSite);
        h.Options.MaxAbandonedClaims = 1;
        var job = DiedIn(Recipes.ResumeSite, h, StartRuntime, attempts: 1);

        await h.RunAsync(job, abandonedClaims: 1);

        Assert.Equal(StartRuntime, h.Jobs.Failure?.FailedStep);
        Assert.Empty(h.Step(StartRuntime).Runs);
    }

    [Fact]
    public void Settings_the_runner_cannot_work_with_are_refused_naming_each()
    {
        var h = new RunnerHarness(Recipes.ResumeSite);
        h.Options.MaxAbandonedClaims = 0;
        h.Options.Lease = TimeSpan.Zero;

        var ex = Assert.Throws<InvalidOperationException>(() => h.Runner());

        Assert.Contains("Press:Jobs:MaxAbandonedClaims is 0; it must be 1 or more", ex.Message);
        Assert.Contains("Press:Jobs:Lease is 00:00:00; it must be at least 00:00:01", ex.Message);
    }

    [Fact]
    public async Task A_job_with_every_step_done_just_succeeds()
    {
        var h = new RunnerHarness(Recipes.SuspendSite);
        var job = Recipes.SuspendSite.Steps.Aggregate(TestData.Job(Recipes.SuspendSite, h.Site), (j, n) => j.WithStep(n, StepState.Succeeded, 1));

        await h.RunAsync(job, abandonedClaims: 5);

        Assert.Equal(SiteState.Suspended, h.Jobs.Succeeded);
        Assert.Null(h.Jobs.Failure);
    }

    [Fact]
    public async Task A_restore_that_keeps_killing_its_worker_is_undone_when_given_up()
    {
        var h = new RunnerHarness(Recipes.RestoreSite);
        h.Set(ScriptedStep.Returning(UndoRestore, StepResult.Ok("schema swapped back")));
        var job = DiedIn(Recipes.RestoreSite, h, Migrate, attempts: 3);

        await h.RunAsync(job, abandonedClaims: 3);

        Assert.Single(h.Step(UndoRestore).Runs);
        Assert.Empty(h.Step(Migrate).Runs);
        Assert.Equal(Migrate, h.Jobs.Failure?.FailedStep);
        Assert.Contains("undo-restore: schema swapped back", h.Jobs.Failure?.Error);
    }

    [Fact]
    public async Task When_the_give_up_itself_died_the_undo_is_not_run_again_and_the_job_still_ends()
    {
        var h = new RunnerHarness(Recipes.RestoreSite);
        h.Set(ScriptedStep.Returning(UndoRestore, StepResult.Ok("schema swapped back")));
        var job = DiedIn(Recipes.RestoreSite, h, Migrate, attempts: 3);

        await h.RunAsync(job, abandonedClaims: 4);

        Assert.Empty(h.Step(UndoRestore).Runs);
        Assert.Equal(Migrate, h.Jobs.Failure?.FailedStep);
        Assert.Contains("undo not run", h.Jobs.Failure?.Error);
    }
}
