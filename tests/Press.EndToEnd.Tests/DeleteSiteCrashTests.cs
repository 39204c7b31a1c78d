using Press.Core.Jobs;
using Press.EndToEnd.Tests.Harness;

namespace Press.EndToEnd.Tests;

/// <summary>One Active site per DeleteSite step, created up front by an ordinary worker that is then stopped.</summary>
public sealed class DeleteCrashFixture : ManagerFixture
{
    public static string SiteFor(string step) => $"del-{step}.crash.test";

    protected override async Task SetUpAsync()
    {
        await using var scene = new Scene(Manager);
        await scene.StartWorkerAsync(Db, "worker-setup", PressProcess.FastWorker());
        var jobs = new List<JobView>();
        foreach (var step in Recipes.DeleteSite.Steps) jobs.Add(await Api.CreateSiteAsync(SiteFor(step)));
        foreach (var queued in jobs)
        {
            var job = await Api.WaitForJobAsync(queued.Id, Crash.JobTimeout, scene.Describe);
            Assert.True(job.State == "Succeeded", $"setup: {job.Describe()}{scene.Describe()}");
        }
        // scene disposal SIGKILLs the idle setup worker: no worker is left to take the delete jobs.
    }
}

/// <summary>
/// SIGKILL a worker right after the effect of each DeleteSite step; another worker finishes the soft delete. The
/// deletion marks are written once, and the role and schema stay (data is kept for the retention window).
/// </summary>
public sealed class DeleteSiteCrashTests(DeleteCrashFixture stack) : IClassFixture<DeleteCrashFixture>
{
    public static TheoryData<string> Steps => new(Recipes.DeleteSite.Steps);

    [Theory]
    [MemberData(nameof(Steps))]
    public async Task Worker_killed_after_the_effect_of_a_step_is_resumed_by_another_without_duplicating_it(string step)
    {
        await using var scene = new Scene(stack.Manager);
        var site = DeleteCrashFixture.SiteFor(step);
        Assert.Equal("Active", (await stack.Api.GetSiteAsync(site)).State);

        var a = await scene.StartWorkerAsync(stack.Db, $"worker-A(pause after {step})", PressProcess.FastWorker(step));
        var queued = await stack.Api.DeleteSiteAsync(site);
        await Crash.WaitForPauseAsync(a, queued.Id, step, scene);
        var paused = await stack.Api.GetJobAsync(queued.Id);
        Assert.True(paused.State == "Running" && paused.Step(step) is { State: "Running", Attempts: 1 },
            $"while paused the step's success must not be recorded yet: {paused.Describe()}");
        var killedAt = DateTimeOffset.UtcNow;
        await a.KillAsync();

        await scene.StartWorkerAsync(stack.Db, "worker-B", PressProcess.FastWorker());
        var job = await stack.Api.WaitForJobAsync(queued.Id, Crash.JobTimeout, scene.Describe);
        Crash.AssertResumedAt(job, step, scene.Describe);

        var view = await stack.Api.GetSiteAsync(site);
        Assert.True(view.State == "Deleted", $"expected Deleted: {view}{scene.Describe()}");
        Assert.True(view.DeletedAt is not null && view.PurgeAfter is not null, $"deletion marks missing: {view}");
        Assert.Equal(TimeSpan.FromDays(30), view.PurgeAfter!.Value - view.DeletedAt!.Value);
        if (step == StepNames.MarkDeleted)
        {
            // The killed worker wrote the marks; the resumed step found them and kept them.
            Assert.True(view.DeletedAt < killedAt, $"deletedAt {view.DeletedAt:O} was rewritten after the kill at {killedAt:O}");
            Assert.StartsWith("already marked deleted", job.Step(step).Output);
        }
        else
        {
            Assert.True(view.DeletedAt > killedAt, $"deletedAt {view.DeletedAt:O} was written before step {StepNames.MarkDeleted} ran");
        }

        var tenant = await Catalog.InspectAsync(stack.Db, view.Location.Schema);
        Assert.Equal(1, tenant.Roles);
        Assert.Equal(1, tenant.Schemas);
        Assert.Equal(view.Location.Schema, tenant.SchemaOwner);
        Assert.False(tenant.CanLogin, "a deleted site's role must be NOLOGIN");

        var jobs = await stack.Api.ListJobsAsync(site);
        Assert.Single(jobs, j => j.Kind == "DeleteSite");
        Assert.Single(jobs, j => j.Kind == "NewSite");
        Assert.Equal(2, jobs.Count);

        var counts = await Catalog.CountAsync(stack.Db);
        Assert.True(counts.SiteRoles == counts.LiveSites && counts.SiteSchemas == counts.LiveSites,
            $"installation has {counts.SiteRoles} site roles and {counts.SiteSchemas} tenant schemas for {counts.LiveSites} live sites");
    }
}
