using System.Text.Json;
using Press.Core.Jobs;
using Press.EndToEnd.Tests.Backups;
using Press.EndToEnd.Tests.Harness;
using Press.EndToEnd.Tests.Runtime;
using Press.Testing;
using Xunit.Abstractions;

namespace Press.EndToEnd.Tests.Upgrades;

/// <summary>
/// A fleet rollout (docs/architecture.md §19) on the real Docker engine, from release 1 of the Frappe test double's
/// image to release 2, driven by the real worker and started, paused, resumed and cancelled with the real <c>press</c>
/// CLI: six sites, one canary, waves of three, one site whose migrate fails, <c>--max-failures 0</c>. The worker and the
/// manager are SIGKILLed and restarted while a wave upgrades. One stack, one flow: each phase builds on the last (sites
/// are what makes the test slow).
/// </summary>
[Collection(SiteRuntimeCollection.Name)]
public sealed class RolloutTests(RolloutFixture fixture, ITestOutputHelper output) : IClassFixture<RolloutFixture>, IDisposable
{
    private static readonly TimeSpan Phase = TimeSpan.FromMinutes(5);
    private RuntimeStack Stack => fixture.Stack;
    private readonly string _home = Directory.CreateTempSubdirectory("press-e2e-rollout-").FullName;

    [Fact]
    public async Task A_rollout_upgrades_the_canary_first_then_waves_restores_a_failing_site_pauses_at_max_failures_survives_restarts_and_stops_on_cancel()
    {
        var cli = new PressCli(_home);
        string Context() => cli.Transcript + Stack.Describe();
        var sites = await NewSitesAsync("ro-canary", "ro-a1", "ro-bad", "ro-a2", "ro-b1", "ro-b2");
        var (canary, wave1, wave2) = (sites[0], sites[1..4], sites[4..]);
        var bad = sites[2];
        await SiteData.FillAsync(Stack.Db, bad.Schema, rows: 200);
        var badRows = await SiteData.FingerprintAsync(Stack.Db, bad.Schema);
        await TellMigrateAsync(bad.Name, "fail");
        await LoginAsync(cli);
        var began = DateTimeOffset.UtcNow;

        var start = await cli.RunAsync("upgrade", "start", "--image", UpgradeFixture.V2, "--sites", string.Join(',', sites.Select(s => s.Name)),
            "--canary", "1", "--wave-size", "3", "--max-failures", "0", "--json");
        Assert.True(start.ExitCode == 0, Context());
        var id = JsonDocument.Parse(start.Stdout).RootElement.GetProperty("id").GetGuid();

        // The canary alone: while it upgrades, no other site has a job.
        var r = await UntilAsync(id, x => Site(x, canary).JobId is not null, "the canary's upgrade to start", Context);
        Assert.All(r.Sites.Where(s => s.Site != canary.Name), s => Assert.True(s.State == "Pending" && s.JobId is null, $"{s} started beside the canary"));

        // Wave 1 starts once the canary succeeded; while its three upgrades run, the worker and the manager are killed.
        r = await UntilAsync(id, x => wave1.All(w => Site(x, w).JobId is not null), "wave 1 to start", Context);
        Assert.Equal("Succeeded", Site(r, canary).State);
        await Stack.Worker.KillAsync();
        await Stack.RestartManagerAsync();
        await Stack.StartWorkerAsync();
        await LoginAsync(cli);

        // The failing site's undo put it back; the failure exceeds --max-failures 0, so the rollout pauses itself.
        r = await UntilAsync(id, x => x.State == "Paused", "the rollout to pause itself", Context);
        Assert.Contains("max-failures 0", r.Reason);
        Assert.Contains(bad.Name, r.Reason);
        var wave1Jobs = new List<JobView>();
        foreach (var w in wave1) wave1Jobs.Add(await Stack.Api.WaitForJobAsync(Site(r, w).JobId!.Value, Phase, Context));
        var badJob = wave1Jobs[1];
        Assert.True(badJob.State == "Failed" && badJob.FailedStep == StepNames.Migrate, $"expected {bad.Name} to fail at migrate: {badJob.Describe()}");
        Assert.True(wave1Jobs[0].State == "Succeeded" && wave1Jobs[2].State == "Succeeded", string.Join("\n", wave1Jobs.Select(j => j.Describe())));
        // Paused: wave 2 was never started.
        foreach (var w in wave2)
        {
            Assert.True(Site(r, w) is { State: "Pending", JobId: null }, $"{Site(r, w)} while paused{Context()}");
            Assert.DoesNotContain(await Stack.Api.ListJobsAsync(w.Name), j => j.Kind == "UpgradeSite");
        }
        var status = await cli.RunAsync("upgrade", "status", id.ToString());
        Assert.True(status.ExitCode == 0 && status.Stdout.Contains("Paused"), Context());

        // Restored exactly: the same rows, the old image, Active, served.
        var badSite = await SiteJsonAsync(bad.Name);
        Assert.Equal("Active", badSite.GetProperty("state").GetString());
        Assert.Equal(UpgradeFixture.V1, badSite.GetProperty("image").GetProperty("reference").GetString());
        Assert.Equal(UpgradeFixture.V1, await ContainerImageAsync(bad.Name));
        Assert.Equal(badRows, await SiteData.FingerprintAsync(Stack.Db, bad.Schema));
        await FrappeProbe.UntilPongAsync(bad.Name, bad.Port, TimeSpan.FromSeconds(60), Stack.Describe);

        // Resume accepts the failure; wave 2 runs and the rollout completes.
        var resumedAt = DateTimeOffset.UtcNow;
        var resume = await cli.RunAsync("upgrade", "resume", id.ToString());
        Assert.True(resume.ExitCode == 0, Context());
        r = await UntilAsync(id, x => x.State == "Completed", "the rollout to complete", Context);
        output.WriteLine($"rollout of 6 sites: {(DateTimeOffset.UtcNow - began).TotalSeconds:F0} s from start to Completed (with one restart and one resume)");
        Assert.Equal(1, r.Failures);
        Assert.Equal(1, r.AcceptedFailures);
        var jobs = new Dictionary<string, JobView>();
        foreach (var s in sites) jobs[s.Name] = await Stack.Api.GetJobAsync(Site(r, s).JobId!.Value);
        foreach (var (name, job) in jobs)
            output.WriteLine($"{name}: {job.State} {(job.FinishedAt - job.CreatedAt)?.TotalSeconds:F0} s; wait-healthy {Took(job.Step(StepNames.WaitHealthy))}");

        // The order: the canary ended before wave 1 began; wave 1 ended before wave 2 began, which came after the resume.
        Assert.All(wave1, w => Assert.True(jobs[canary.Name].FinishedAt <= jobs[w.Name].CreatedAt, $"{w.Name} started before the canary ended"));
        foreach (var w2 in wave2)
        {
            Assert.True(jobs[w2.Name].CreatedAt >= resumedAt, $"{w2.Name} started before the resume");
            Assert.All(wave1, w => Assert.True(jobs[w.Name].FinishedAt <= jobs[w2.Name].CreatedAt, $"{w2.Name} started before {w.Name} ended"));
        }
        // One upgrade per site, the restart notwithstanding; every site but the failing one on release 2.
        foreach (var s in sites)
        {
            var upgrades = (await Stack.Api.ListJobsAsync(s.Name)).Where(j => j.Kind == "UpgradeSite").ToList();
            Assert.True(upgrades.Count == 1, $"{s.Name} has {upgrades.Count} upgrade jobs: {string.Join("; ", upgrades.Select(j => j.Describe()))}");
            var expected = s == bad ? UpgradeFixture.V1 : UpgradeFixture.V2;
            Assert.Equal(expected, (await SiteJsonAsync(s.Name)).GetProperty("image").GetProperty("reference").GetString());
            Assert.Equal(expected, await ContainerImageAsync(s.Name));
            Assert.True((await FrappeProbe.PingAsync(s.Name, s.Port)).IsPong, $"{s.Name} does not answer{Context()}");
        }

        // Cancel: a rollout back to release 1 of wave 2's sites is cancelled while its canary upgrades. The canary's
        // upgrade finishes (the rollout follows it to the end); the other site is never started.
        var back = await cli.RunAsync("upgrade", "start", "--image", UpgradeFixture.V1, "--sites", $"{wave2[0].Name},{wave2[1].Name}",
            "--canary", "1", "--wave-size", "1", "--json");
        Assert.True(back.ExitCode == 0, Context());
        var backId = JsonDocument.Parse(back.Stdout).RootElement.GetProperty("id").GetGuid();
        await UntilAsync(backId, x => Site(x, wave2[0]).JobId is not null, "the second rollout's canary to start", Context);
        var cancel = await cli.RunAsync("upgrade", "cancel", backId.ToString());
        Assert.True(cancel.ExitCode == 0 && cancel.Stdout.Contains("Cancelled"), Context());
        r = await UntilAsync(backId, x => Site(x, wave2[0]).State is "Succeeded" or "Failed", "the cancelled rollout to follow its canary to the end", Context);
        Assert.Equal("Cancelled", r.State);
        Assert.Equal("Succeeded", Site(r, wave2[0]).State);
        Assert.True(Site(r, wave2[1]) is { State: "Pending", JobId: null }, $"{Site(r, wave2[1])} after the cancel{Context()}");
        Assert.Single(await Stack.Api.ListJobsAsync(wave2[1].Name), j => j.Kind == "UpgradeSite"); // rollout 1's only
        Assert.Equal(UpgradeFixture.V1, await ContainerImageAsync(wave2[0].Name));
        Assert.Equal(UpgradeFixture.V2, await ContainerImageAsync(wave2[1].Name));
    }

    private sealed record NewSite(string Name, int Port, string Schema);

    /// <summary>All at once: the worker runs them side by side.</summary>
    private async Task<List<NewSite>> NewSitesAsync(params string[] labels)
    {
        var names = labels.Select(Stack.SiteName).ToList();
        var started = new List<JobView>();
        foreach (var name in names) started.Add(await Stack.Api.CreateSiteAsync(name));
        var sites = new List<NewSite>();
        foreach (var (name, job) in names.Zip(started))
        {
            var done = await Stack.Api.WaitForJobAsync(job.Id, Phase, Stack.Describe);
            Stack.AssertAllStepsSucceeded(done, Recipes.NewSite);
            sites.Add(new NewSite(name, RuntimeStack.AllocatedPort(done), (await Stack.GetSiteAsync(name)).Location.Schema));
        }
        return sites;
    }

    private async Task LoginAsync(PressCli cli)
    {
        var login = await cli.RunAsync("login", "--url", Stack.Manager.BaseUrl.ToString(), "--token", Stack.Api.Token);
        Assert.True(login.ExitCode == 0, cli.Transcript);
    }

    private sealed record RolloutSiteView(string Site, int Wave, string State, Guid? JobId, string? Detail);

    private sealed record RolloutView(Guid Id, string Image, string State, int Failures, int AcceptedFailures, string? Reason, List<RolloutSiteView> Sites)
    {
        public override string ToString() =>
            $"rollout {State} ({Reason}) failures {Failures}/{AcceptedFailures}: " + string.Join("; ", Sites.Select(s => $"{s.Site} w{s.Wave} {s.State} {s.Detail}"));
    }

    private static RolloutSiteView Site(RolloutView r, NewSite s) => r.Sites.Single(x => x.Site == s.Name);

    private Task<RolloutView> UntilAsync(Guid id, Func<RolloutView, bool> done, string what, Func<string> context) =>
        Eventually.Until(async () => (await Stack.Admin.GetAsync($"/api/upgrades/{id}")).As<RolloutView>(), done, Phase, what, context,
            TimeSpan.FromMilliseconds(500));

    private async Task<JsonElement> SiteJsonAsync(string name) => (await Stack.Admin.GetAsync($"/api/sites/{name}")).Json;

    private static async Task<string?> ContainerImageAsync(string name) =>
        (await TestEngine.InspectAsync(RuntimeStack.ContainerOf(name)))?.GetProperty("Config").GetProperty("Image").GetString();

    private static string Took(StepView step) => step.StartedAt is { } s && step.FinishedAt is { } f ? $"{(f - s).TotalSeconds:F1} s" : step.State;

    /// <summary>The double's test hook (tests/Press.FrappeDouble/Cli/MigratePatches.cs): a file in the site folder.</summary>
    private static Task TellMigrateAsync(string name, string what) =>
        TestEngine.RunOkAsync("exec", RuntimeStack.ContainerOf(name), "sh", "-c",
            $"printf '%s' \"$1\" > {SiteFiles.BenchFolder}/sites/{name}/frappe-test-double-migrate", "sh", what);

    public void Dispose()
    {
        try { Directory.Delete(_home, recursive: true); } catch (IOException) { }
    }
}

/// <summary>The upgrade tests' installation with a rollout tick of 1 s (instead of 5 s): less idle time between waves.</summary>
public sealed class RolloutFixture() : UpgradeFixture(new Dictionary<string, string?> { ["Press:Worker:RolloutInterval"] = "00:00:01" });
