using System.Net;
using System.Text.Json;
using Press.Core.Jobs;
using Press.EndToEnd.Tests.Backups;
using Press.EndToEnd.Tests.Harness;

namespace Press.EndToEnd.Tests.Upgrades;

/// <summary>
/// Upgrade rehearsals on a scratch copy (docs/architecture.md §20), on the real Docker engine with the two releases of
/// the test double: one that passes and one whose migrate fails — in both the live site is untouched (same rows, same
/// image, Active, no half-added column) and the scratch is gone (no schema, role, runner, Redis or files); a worker
/// SIGKILLed mid-rehearsal is resumed and still drops the scratch; a rollout with --rehearse where one site's rehearsal
/// fails upgrades the other and leaves that one as it was. Same stack as the upgrade tests (one fixture for the class).
/// </summary>
public sealed partial class SiteUpgradeTests
{
    private static readonly TimeSpan RehearsalTimeout = TimeSpan.FromSeconds(150);

    [Fact]
    public async Task A_rehearsal_that_passes_and_one_whose_migrate_fails_report_it_drop_their_scratch_and_leave_the_live_sites_untouched()
    {
        var passing = await LiveSiteAsync("reh-ok", failMigrate: false);
        var failing = await LiveSiteAsync("reh-fail", failMigrate: true);

        var passed = await RehearseAsync(passing.Name);
        var failed = await RehearseAsync(failing.Name);

        Stack.AssertAllStepsSucceeded(passed.Job, Recipes.RehearseUpgrade);
        Assert.Equal("Passed", passed.Result.GetProperty("outcome").GetString());
        Assert.True(passed.Result.GetProperty("migrateSucceeded").GetBoolean());
        Assert.True(passed.Result.GetProperty("migrateSeconds").GetDouble() > 0);
        Assert.Contains("add_note_priority", passed.Result.GetProperty("migrateOutput").GetString()); // release 2's patch ran on the copy

        Assert.True(failed.Job.State == "Failed" && failed.Job.FailedStep == StepNames.RehearseMigrate, $"expected a failure at rehearse-migrate: {failed.Job.Describe()}");
        Assert.Contains("drop-scratch", failed.Job.Error);
        Assert.Equal(("Failed", StepNames.RehearseMigrate), (failed.Result.GetProperty("outcome").GetString(), failed.Result.GetProperty("failedStep").GetString()));
        Assert.False(failed.Result.GetProperty("migrateSucceeded").GetBoolean());
        Assert.Contains("cannot set the priority of the site's notes", failed.Result.GetProperty("migrateOutput").GetString()); // the traceback's end

        foreach (var (live, rehearsal) in new[] { (passing, passed), (failing, failed) })
        {
            await AssertUntouchedAsync(live);
            await AssertScratchGoneAsync(rehearsal);
            var audit = (await Stack.Admin.GetAsync($"/api/audit?site={live.Name}")).Json.GetProperty("items").EnumerateArray().ToList();
            Assert.Contains(audit, a => a.GetProperty("action").GetString() == "site.rehearse");
            Assert.Contains(audit, a => a.GetProperty("action").GetString() == "site.rehearse.result"
                                        && a.GetProperty("details").GetProperty("outcome").GetString() == rehearsal.Result.GetProperty("outcome").GetString());
        }
        var listed = (await Stack.Admin.GetAsync($"/api/sites/{passing.Name}/rehearsals")).Json.EnumerateArray().ToList();
        Assert.Equal([passed.Job.Id], listed.Select(r => r.GetProperty("id").GetGuid()));
    }

    [Fact]
    public async Task A_worker_killed_mid_rehearsal_is_resumed_and_the_scratch_is_still_dropped()
    {
        var live = await LiveSiteAsync("reh-kill", failMigrate: false);
        await Stack.Worker.KillAsync();
        var paused = await Stack.StartWorkerAsync(PressProcess.FastWorker(StepNames.RehearseMigrate, lease: TimeSpan.FromSeconds(3)));
        try
        {
            var response = await Stack.Admin.PostAsync($"/api/sites/{live.Name}/rehearsals", new { image = UpgradeFixture.V2 });
            Assert.True(response.Status == HttpStatusCode.Accepted, $"expected 202: {response}");
            var job = response.As<JobView>();
            Stack.TrackSite(job.Site);
            await Eventually.Until(() => paused.Log.Find(l => l.Contains("CRASH-TEST PAUSE") && l.Contains(job.Id.ToString())) is not null || paused.Process.HasExited,
                RehearsalTimeout, "the worker to pause after rehearse-migrate", Stack.Describe);
            Assert.False(paused.Process.HasExited, $"the worker exited before pausing{Stack.Describe()}");
            await paused.KillAsync();
            await Stack.StartWorkerAsync();

            var done = await Stack.Api.WaitForJobAsync(job.Id, RehearsalTimeout, Stack.Describe);

            Stack.AssertAllStepsSucceeded(done, Recipes.RehearseUpgrade);
            Assert.True(done.Step(StepNames.RehearseMigrate).Attempts >= 2, $"rehearse-migrate should have run again: {done.Describe()}");
            var result = (await Stack.Admin.GetAsync($"/api/rehearsals/{job.Id}")).Json;
            Assert.Equal("Passed", result.GetProperty("outcome").GetString());
            await AssertUntouchedAsync(live);
            await AssertScratchGoneAsync(new Rehearsal(done, result));
        }
        finally
        {
            if (!paused.Process.HasExited)
            {
                await paused.KillAsync();
                await Stack.StartWorkerAsync();
            }
        }
    }

    [Fact]
    public async Task A_rollout_with_rehearse_upgrades_the_site_whose_rehearsal_passes_and_leaves_the_one_whose_rehearsal_fails_as_it_was()
    {
        var passing = await LiveSiteAsync("ro-ok", failMigrate: false);
        var failing = await LiveSiteAsync("ro-fail", failMigrate: true);

        var started = await Stack.Admin.PostAsync("/api/upgrades", new
        {
            image = UpgradeFixture.V2, sites = new[] { passing.Name, failing.Name }, canary = 0, waveSize = 2, maxFailures = 1, rehearse = true,
        });
        Assert.True(started.Status == HttpStatusCode.Accepted, $"expected 202: {started}");
        var id = started.Json.GetProperty("id").GetGuid();
        Assert.True(started.Json.GetProperty("rehearse").GetBoolean());
        var rollout = await Eventually.Until(async () => (await Stack.Admin.GetAsync($"/api/upgrades/{id}")).Json,
            r => r.GetProperty("state").GetString() is "Completed" or "Paused" or "Cancelled", TimeSpan.FromSeconds(300), "the rollout to end",
            Stack.Describe, every: TimeSpan.FromSeconds(1));

        Assert.True(rollout.GetProperty("state").GetString() == "Completed", $"expected the rollout to complete: {rollout}");
        var sites = rollout.GetProperty("sites").EnumerateArray().ToDictionary(s => s.GetProperty("site").GetString()!);
        Assert.Equal("Succeeded", sites[passing.Name].GetProperty("state").GetString());
        Assert.Equal("Failed", sites[failing.Name].GetProperty("state").GetString());
        Assert.Contains("rehearsal job", sites[failing.Name].GetProperty("detail").GetString());
        Assert.Contains($"at {StepNames.RehearseMigrate}", sites[failing.Name].GetProperty("detail").GetString());

        var upgraded = await SiteJsonAsync(passing.Name);
        Assert.Equal(UpgradeFixture.V2, upgraded.GetProperty("image").GetProperty("reference").GetString());
        Assert.Equal("Active", upgraded.GetProperty("state").GetString());
        await AssertUntouchedAsync(failing); // never upgraded: same rows, image, state
        var jobs = (await Stack.Admin.GetAsync($"/api/jobs?site={failing.Name}&kind=UpgradeSite")).Json;
        Assert.Empty(jobs.GetProperty("items").EnumerateArray());
        foreach (var site in new[] { passing, failing })
        {
            var rehearsals = (await Stack.Admin.GetAsync($"/api/sites/{site.Name}/rehearsals")).Json.EnumerateArray().ToList();
            var only = Assert.Single(rehearsals);
            Assert.Equal("Purged", only.GetProperty("scratchState").GetString());
        }
    }

    /// <summary>A live site on release 1 and what it looks like: rows, image, state — after a backup (the rehearsal's source).</summary>
    private sealed record LiveSite(string Name, int Port, string Schema, SortedDictionary<string, string> Rows, string ImageId);

    private sealed record Rehearsal(JobView Job, JsonElement Result);

    private async Task<LiveSite> LiveSiteAsync(string label, bool failMigrate)
    {
        var (name, port, schema) = await NewSiteAsync(label);
        await SiteData.FillAsync(Stack.Db, schema, rows: 200);
        // A site_config key, not the double's hook file: the backup's config part carries it to the scratch copy.
        if (failMigrate)
            await TestEngine.RunOkAsync("exec", RuntimeStack.ContainerOf(name), "bench", "--site", name, "set-config", "frappe_test_double_migrate", "fail");
        var backup = await Stack.RunJobAsync(HttpMethod.Post, $"/api/sites/{name}/backups");
        Assert.True(backup.State == "Succeeded", $"backup: {backup.Describe()}");
        var site = await SiteJsonAsync(name);
        return new LiveSite(name, port, schema, await SiteData.FingerprintAsync(Stack.Db, schema),
            site.GetProperty("image").GetProperty("id").GetString()!);
    }

    private async Task<Rehearsal> RehearseAsync(string name)
    {
        var response = await Stack.Admin.PostAsync($"/api/sites/{name}/rehearsals", new { image = UpgradeFixture.V2 });
        Assert.True(response.Status == HttpStatusCode.Accepted, $"expected 202: {response}");
        var queued = response.As<JobView>();
        Stack.TrackSite(queued.Site);
        var job = await Stack.Api.WaitForJobAsync(queued.Id, RehearsalTimeout, Stack.Describe);
        var result = await Stack.Admin.GetAsync($"/api/rehearsals/{job.Id}");
        Assert.True(result.Status == HttpStatusCode.OK, $"GET /api/rehearsals/{job.Id}: {result}");
        return new Rehearsal(job, result.Json);
    }

    /// <summary>The live site as it was: same rows, no column of release 2's patch, same image and image ID, Active, served.</summary>
    private async Task AssertUntouchedAsync(LiveSite live)
    {
        Assert.Equal(live.Rows, await SiteData.FingerprintAsync(Stack.Db, live.Schema));
        Assert.DoesNotContain("priority", await ColumnsAsync(live.Schema, "tabNote"));
        var site = await SiteJsonAsync(live.Name);
        Assert.Equal("Active", site.GetProperty("state").GetString());
        Assert.Equal(UpgradeFixture.V1, site.GetProperty("image").GetProperty("reference").GetString());
        Assert.Equal(live.ImageId, site.GetProperty("image").GetProperty("id").GetString());
        Assert.Equal(UpgradeFixture.V1, (await TestEngine.InspectAsync(RuntimeStack.ContainerOf(live.Name)))?.GetProperty("Config").GetProperty("Image").GetString());
        Assert.True((await FrappeProbe.PingAsync(live.Name, live.Port)).IsPong);
    }

    /// <summary>The scratch copy left nothing: its row Purged and unlisted, no schema or role, no runner, workers, Redis or volumes.</summary>
    private async Task AssertScratchGoneAsync(Rehearsal rehearsal)
    {
        var scratch = rehearsal.Result.GetProperty("scratchSite").GetString()!;
        Assert.Equal(rehearsal.Job.Site, scratch);
        Assert.Equal("Purged", rehearsal.Result.GetProperty("scratchState").GetString());
        var row = await Stack.GetSiteAsync(scratch); // a purged row is still shown by name, for the audit trail
        Assert.Equal("Purged", row.State);
        var tenant = await Catalog.InspectAsync(Stack.Db, row.Location.Schema);
        Assert.True(tenant.Roles == 0 && tenant.Schemas == 0, $"the scratch left its role or schema behind: {tenant}");
        foreach (var container in (string[])[RuntimeStack.ContainerOf(scratch), RuntimeStack.RedisContainerOf(scratch), .. RuntimeStack.BackgroundContainersOf(scratch)])
            Assert.Null(await TestEngine.InspectAsync(container));
        Assert.False(await TestEngine.VolumeExistsAsync(RuntimeStack.ContainerOf(scratch)), "the scratch's files are still there");
        Assert.False(await TestEngine.VolumeExistsAsync(RuntimeStack.RedisContainerOf(scratch)), "the scratch's Redis data is still there");
        var listed = (await Stack.Admin.GetAsync("/api/sites?q=rehearsal-")).Json.GetProperty("items").EnumerateArray();
        Assert.Empty(listed);
    }
}
