using Press.Core.Jobs;
using Press.EndToEnd.Tests.Harness;

namespace Press.EndToEnd.Tests;

/// <summary>
/// SIGKILL a worker right after the effect of each NewSite step, before its success is recorded; a second worker
/// resumes the job at that step. The step runs twice, its effect exists once.
/// </summary>
public sealed class NewSiteCrashTests(ManagerFixture stack) : IClassFixture<ManagerFixture>
{
    public static TheoryData<string> Steps => new(Recipes.NewSite.Steps);

    [Theory]
    [MemberData(nameof(Steps))]
    public async Task Worker_killed_after_the_effect_of_a_step_is_resumed_by_another_without_duplicating_it(string step)
    {
        await using var scene = new Scene(stack.Manager);
        var site = $"new-{step}.crash.test";

        var a = await scene.StartWorkerAsync(stack.Db, $"worker-A(pause after {step})", PressProcess.FastWorker(step));
        var queued = await stack.Api.CreateSiteAsync(site);
        await Crash.WaitForPauseAsync(a, queued.Id, step, scene);

        var paused = await stack.Api.GetJobAsync(queued.Id);
        Assert.True(paused.State == "Running" && paused.Step(step) is { State: "Running", Attempts: 1 },
            $"while paused the step's success must not be recorded yet: {paused.Describe()}");
        await a.KillAsync();

        await scene.StartWorkerAsync(stack.Db, "worker-B", PressProcess.FastWorker());
        var job = await stack.Api.WaitForJobAsync(queued.Id, Crash.JobTimeout, scene.Describe);
        Crash.AssertResumedAt(job, step, scene.Describe);

        var view = await stack.Api.GetSiteAsync(site);
        Assert.True(view.State == "Active", $"expected Active: {view}{scene.Describe()}");
        var tenant = await Catalog.InspectAsync(stack.Db, view.Location.Schema);
        Assert.Equal(1, tenant.Roles);
        Assert.Equal(1, tenant.Schemas);
        Assert.Equal(view.Location.Schema, tenant.SchemaOwner);
        Assert.True(tenant.CanLogin);
        Assert.True(tenant.CanConnect);
        Assert.Contains($"search_path={view.Location.Schema}", tenant.RoleConfig);

        var jobs = await stack.Api.ListJobsAsync(site);
        Assert.Single(jobs, j => j.Kind == "NewSite");
        Assert.Single(jobs);

        // Nothing leaked elsewhere in this installation: one role and one schema per live site.
        var counts = await Catalog.CountAsync(stack.Db);
        Assert.True(counts.SiteRoles == counts.LiveSites && counts.SiteSchemas == counts.LiveSites,
            $"installation has {counts.SiteRoles} site roles and {counts.SiteSchemas} tenant schemas for {counts.LiveSites} live sites");
    }
}
