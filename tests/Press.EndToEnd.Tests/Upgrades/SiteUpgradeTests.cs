using System.Net;
using System.Text.Json;
using Press.Core.Jobs;
using Press.EndToEnd.Tests.Backups;
using Press.EndToEnd.Tests.Harness;
using Press.EndToEnd.Tests.Runtime;

namespace Press.EndToEnd.Tests.Upgrades;

/// <summary>
/// Upgrading one site from release 1 of the Frappe test double's image to release 2 on the real Docker engine
/// (docs/architecture.md §18): it succeeds and records the image and versions; a migrate that fails half-way leaves the
/// site exactly as before (same rows, same image, Active); a worker SIGKILLed right after any step's effect is resumed.
/// One stack for the class.
/// </summary>
[Collection(SiteRuntimeCollection.Name)]
public sealed partial class SiteUpgradeTests(UpgradeFixture fixture) : IClassFixture<UpgradeFixture>
{
    private RuntimeStack Stack => fixture.Stack;

    [Fact]
    public async Task An_upgrade_puts_the_site_on_the_new_image_runs_its_patch_and_records_image_and_versions()
    {
        var (name, port, schema) = await NewSiteAsync("up-ok");
        var before = await SiteJsonAsync(name);
        Assert.Equal(UpgradeFixture.V1, before.GetProperty("image").GetProperty("reference").GetString());
        Assert.StartsWith("sha256:", before.GetProperty("image").GetProperty("id").GetString());
        Assert.Equal("16.0.0", before.GetProperty("appVersions").GetProperty("frappe").GetString());

        var job = await UpgradeAsync(name, UpgradeFixture.V2);

        Stack.AssertAllStepsSucceeded(job, Recipes.UpgradeSite);
        var after = await SiteJsonAsync(name);
        Assert.Equal("Active", after.GetProperty("state").GetString());
        Assert.Equal(UpgradeFixture.V2, after.GetProperty("image").GetProperty("reference").GetString());
        Assert.NotEqual(before.GetProperty("image").GetProperty("id").GetString(), after.GetProperty("image").GetProperty("id").GetString());
        Assert.Equal("16.1.0", after.GetProperty("appVersions").GetProperty("frappe").GetString());
        foreach (var container in (string[])[RuntimeStack.ContainerOf(name), .. RuntimeStack.BackgroundContainersOf(name)])
            Assert.Equal(UpgradeFixture.V2, (await TestEngine.InspectAsync(container))?.GetProperty("Config").GetProperty("Image").GetString());
        Assert.Contains("priority", await ColumnsAsync(schema, "tabNote"));
        Assert.True((await FrappeProbe.PingAsync(name, port)).IsPong);

        // The backup taken first is the upgrade's, and its manifest has the versions the site ran (no null any more).
        var backup = (await Stack.Admin.GetAsync($"/api/backups/{job.Id}")).Json;
        Assert.Equal("PreUpgrade", backup.GetProperty("trigger").GetString());
        var apps = backup.GetProperty("manifest").GetProperty("apps").EnumerateArray().ToList();
        Assert.Contains(apps, a => a.GetProperty("name").GetString() == "frappe" && a.GetProperty("version").GetString() == "16.0.0");
    }

    [Fact]
    public async Task A_migrate_that_fails_half_way_leaves_the_site_exactly_as_before_and_the_job_keeps_its_output()
    {
        var (name, port, schema) = await NewSiteAsync("up-fail");
        await SiteData.FillAsync(Stack.Db, schema, rows: 300);
        var rows = await SiteData.FingerprintAsync(Stack.Db, schema);
        await TellMigrateAsync(name, "fail");

        var job = await UpgradeAsync(name, UpgradeFixture.V2);

        Assert.True(job.State == "Failed" && job.FailedStep == StepNames.Migrate, $"expected the job to fail at migrate: {job.Describe()}");
        Assert.Contains("add_note_priority", job.Error); // the migrate's own output
        Assert.Contains("undo-upgrade", job.Error);
        var site = await SiteJsonAsync(name);
        Assert.Equal("Active", site.GetProperty("state").GetString());
        Assert.Equal(UpgradeFixture.V1, site.GetProperty("image").GetProperty("reference").GetString());
        Assert.Equal(UpgradeFixture.V1, (await TestEngine.InspectAsync(RuntimeStack.ContainerOf(name)))?.GetProperty("Config").GetProperty("Image").GetString());
        Assert.Equal(rows, await SiteData.FingerprintAsync(Stack.Db, schema)); // same rows, and no half-added column:
        Assert.DoesNotContain("priority", await ColumnsAsync(schema, "tabNote"));
        await FrappeProbe.UntilPongAsync(name, port, TimeSpan.FromSeconds(60), Stack.Describe); // maintenance off, served
    }

    public static TheoryData<string> Steps => new(Recipes.UpgradeSite.Steps);

    [Theory]
    [MemberData(nameof(Steps))]
    public async Task A_worker_killed_right_after_a_step_is_resumed_and_the_upgrade_completes(string step)
    {
        var (name, port, _) = await NewSiteAsync($"up-k{Recipes.UpgradeSite.Steps.ToList().IndexOf(step)}");
        await Stack.Worker.KillAsync();
        var paused = await Stack.StartWorkerAsync(PressProcess.FastWorker(step, lease: TimeSpan.FromSeconds(3)));
        try
        {
            var response = await Stack.Admin.PostAsync($"/api/sites/{name}/upgrade", new { image = UpgradeFixture.V2 });
            Assert.True(response.Status == HttpStatusCode.Accepted, $"expected 202: {response}");
            var id = response.As<JobView>().Id;
            // Longer than Crash.WaitForPauseAsync's bound: the upgrade's steps before the pause take a loaded machine a
            // while (a backup, a runner remade). Maintenance mode no longer adds Frappe's 60-s config cache: the driver
            // reloads gunicorn's workers after set-maintenance-mode.
            await Eventually.Until(() => paused.Log.Find(l => l.Contains("CRASH-TEST PAUSE") && l.Contains(id.ToString())
                                                              && l.TrimEnd().EndsWith($"step {step}", StringComparison.Ordinal)) is not null
                                         || paused.Process.HasExited,
                TimeSpan.FromSeconds(150), $"the worker to pause after step {step}", Stack.Describe);
            Assert.False(paused.Process.HasExited, $"the worker exited before pausing after {step}{Stack.Describe()}");
            await paused.KillAsync();
            await Stack.StartWorkerAsync();
            var job = await Stack.Api.WaitForJobAsync(id, TimeSpan.FromSeconds(120), Stack.Describe);

            Assert.True(job.State == "Succeeded", $"expected the upgrade to succeed after the kill: {job.Describe()}{RuntimeStack.StepDetails(job)}");
            Assert.True(job.Step(step).Attempts >= 2, $"step {step} should have run again: {job.Describe()}");
            var site = await SiteJsonAsync(name);
            Assert.Equal("Active", site.GetProperty("state").GetString());
            Assert.Equal(UpgradeFixture.V2, site.GetProperty("image").GetProperty("reference").GetString());
            Assert.Equal("16.1.0", site.GetProperty("appVersions").GetProperty("frappe").GetString());
            Assert.True((await FrappeProbe.PingAsync(name, port)).IsPong);
        }
        finally
        {
            // The next test needs the stack's ordinary worker, whatever happened here.
            if (!paused.Process.HasExited)
            {
                await paused.KillAsync();
                await Stack.StartWorkerAsync();
            }
        }
    }

    private async Task<(string Name, int Port, string Schema)> NewSiteAsync(string label)
    {
        var name = Stack.SiteName(label);
        var created = await Stack.CreateSiteAsync(name);
        Stack.AssertAllStepsSucceeded(created, Recipes.NewSite);
        return (name, RuntimeStack.AllocatedPort(created), (await Stack.GetSiteAsync(name)).Location.Schema);
    }

    private async Task<JobView> UpgradeAsync(string name, string image)
    {
        var response = await Stack.Admin.PostAsync($"/api/sites/{name}/upgrade", new { image });
        Assert.True(response.Status == HttpStatusCode.Accepted, $"expected 202: {response}");
        return await Stack.Api.WaitForJobAsync(response.As<JobView>().Id, TimeSpan.FromSeconds(120), Stack.Describe);
    }

    private async Task<JsonElement> SiteJsonAsync(string name) => (await Stack.Admin.GetAsync($"/api/sites/{name}")).Json;

    /// <summary>The double's test hook (tests/Press.FrappeDouble/Cli/MigratePatches.cs): a file in the site folder.</summary>
    private static Task TellMigrateAsync(string name, string what) =>
        TestEngine.RunOkAsync("exec", RuntimeStack.ContainerOf(name), "sh", "-c",
            $"printf '%s' \"$1\" > {SiteFiles.BenchFolder}/sites/{name}/frappe-test-double-migrate", "sh", what);

    /// <summary>The table's columns, read in the site database that holds the schema (an upgrade class creates more
    /// sites than one database holds); never empty, so an assertion that a column is absent cannot pass on a miss.</summary>
    private async Task<List<string>> ColumnsAsync(string schema, string table)
    {
        await using var conn = await Catalog.OpenSchemaHomeAsync(Stack.Db, schema);
        await using var cmd = new Npgsql.NpgsqlCommand("SELECT column_name FROM information_schema.columns WHERE table_schema = @s AND table_name = @t", conn);
        cmd.Parameters.AddWithValue("s", schema);
        cmd.Parameters.AddWithValue("t", table);
        var columns = new List<string>();
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync()) columns.Add(r.GetString(0));
        Assert.True(columns.Count > 0, $"no table {schema}.{table} in any site database");
        return columns;
    }
}
