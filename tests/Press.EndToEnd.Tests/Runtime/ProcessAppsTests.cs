using System.Net;
using System.Text.Json.Nodes;
using Npgsql;
using Press.Core.Jobs;
using Press.EndToEnd.Tests.Harness;

namespace Press.EndToEnd.Tests.Runtime;

/// <summary>
/// Apps on a running site through the process driver (docs/architecture.md §19): bad input refused before any job,
/// install and uninstall through jobs that take a backup first, Frappe's quiet refusals caught, and an uninstall killed
/// half-way undone by restoring the backup the job took. The bench has erpnext and hrms besides frappe (hrms requires
/// erpnext, as its hooks say).
/// </summary>
[Collection(SiteRuntimeCollection.Name)]
public sealed class ProcessAppsTests(ProcessStackFixture fixture) : IClassFixture<ProcessStackFixture>
{
    private RuntimeStack Stack => fixture.Stack;

    private async Task<JobView> RunAsync(HttpMethod method, string path, object? body = null)
    {
        var response = await Stack.Admin.SendAsync(method, path, body);
        Assert.True(response.Status == HttpStatusCode.Accepted, $"{method} {path}: {response}");
        return await Stack.Api.WaitForJobAsync(response.As<JobView>().Id, RuntimeStack.JobTimeout, Stack.Describe);
    }

    private async Task AssertRefusedAsync(HttpMethod method, string path, object? body, string problem)
    {
        var response = await Stack.Admin.SendAsync(method, path, body);
        Assert.True(response.Status == HttpStatusCode.BadRequest, $"{method} {path}: {response}");
        Assert.Equal([problem], response.Json.GetProperty("errors").GetProperty("app").EnumerateArray().Select(e => e.GetString()));
    }

    private async Task<bool> TableExistsAsync(string schema, string table)
    {
        await using var conn = await Stack.Db.OpenAsSuperuserAsync(Stack.Db.SitesDatabase);
        await using var cmd = new NpgsqlCommand("SELECT to_regclass(@t) IS NOT NULL", conn) { Parameters = { new("t", $"\"{schema}\".\"{table}\"") } };
        return (bool)(await cmd.ExecuteScalarAsync())!;
    }

    private async Task<int> RowsAsync(string schema, string table)
    {
        await using var conn = await Stack.Db.OpenAsSuperuserAsync(Stack.Db.SitesDatabase);
        await using var cmd = new NpgsqlCommand($"SELECT count(*)::int FROM \"{schema}\".\"{table}\"", conn);
        return (int)(await cmd.ExecuteScalarAsync())!;
    }

    private async Task SetOwnKeyAsync(string site, string key, string value)
    {
        var file = Path.Combine(ProcessRunners.SiteFolder(Stack.BenchFolder!, site), "site_config.json");
        var config = JsonNode.Parse(await File.ReadAllTextAsync(file))!.AsObject();
        config[key] = value;
        await File.WriteAllTextAsync(file, config.ToJsonString());
    }

    [Fact]
    public async Task Apps_are_installed_and_uninstalled_through_jobs_and_a_half_way_uninstall_is_undone_by_its_backup()
    {
        await File.WriteAllTextAsync(Path.Combine(Stack.BenchFolder!, "sites", "apps.txt"), "frappe\nerpnext\nhrms\n");
        var site = Stack.SiteName("apps");
        Stack.AssertAllStepsSucceeded(await Stack.CreateSiteAsync(site), Recipes.NewSite);
        var schema = (await Stack.GetSiteAsync(site)).Location.Schema;
        var apps = $"/api/sites/{site}/apps";

        // Bad input: refused before any job, nothing changed.
        var jobsBefore = (await Stack.Api.ListJobsAsync(site)).Count;
        await AssertRefusedAsync(HttpMethod.Post, apps, new { app = "payments" },
            "'payments' is not an app of this site's bench (it has erpnext, hrms): build the runner image with it first.");
        await AssertRefusedAsync(HttpMethod.Post, apps, new { app = "frappe" },
            "'frappe' is the framework every site runs on: it is never installed or uninstalled on its own.");
        await AssertRefusedAsync(HttpMethod.Delete, $"{apps}/erpnext", null, "'erpnext' is not installed on this site (installed: none besides frappe).");
        Assert.Equal(jobsBefore, (await Stack.Api.ListJobsAsync(site)).Count);

        // Install: a backup, bench install-app, the versions; the app's tables exist and the site lists it.
        var installed = await RunAsync(HttpMethod.Post, apps, new { app = "erpnext" });
        Stack.AssertAllStepsSucceeded(installed, Recipes.InstallApp);
        Assert.StartsWith($"bench --site {site} install-app erpnext: ", installed.Step(StepNames.InstallApp).Output);
        Assert.True(await TableExistsAsync(schema, "tabErpnext Record"));
        var view = await Stack.GetSiteAsync(site);
        Assert.Equal(["erpnext"], view.Apps);
        Assert.Equal("16.0.0", view.AppVersions!["erpnext"]);
        await AssertRefusedAsync(HttpMethod.Post, apps, new { app = "erpnext" }, "'erpnext' is already installed on this site: nothing to do.");

        Stack.AssertAllStepsSucceeded(await RunAsync(HttpMethod.Post, apps, new { app = "hrms" }), Recipes.InstallApp);
        await AssertRefusedAsync(HttpMethod.Delete, $"{apps}/erpnext", null, "'erpnext' is required by hrms, installed on this site: uninstall hrms first.");

        // Uninstall: Frappe drops the app's tables; the site no longer lists it.
        var removed = await RunAsync(HttpMethod.Delete, $"{apps}/hrms");
        Stack.AssertAllStepsSucceeded(removed, Recipes.UninstallApp);
        Assert.False(await TableExistsAsync(schema, "tabHrms Record"));
        Assert.Equal(["erpnext"], (await Stack.GetSiteAsync(site)).Apps);

        // Killed half-way (the tables dropped, the app still recorded): the job fails at uninstall-app naming the undo,
        // the site is Broken, and restoring the job's own backup puts the app's data back.
        await using (var conn = await Stack.Db.OpenAsSuperuserAsync(Stack.Db.SitesDatabase))
        await using (var cmd = new NpgsqlCommand($"INSERT INTO \"{schema}\".\"tabErpnext Record\" (name, title) VALUES ('INV-1', 'kept')", conn))
            await cmd.ExecuteNonQueryAsync();
        await SetOwnKeyAsync(site, "frappe_test_double_crash_uninstall", "after-drop");
        var failed = await RunAsync(HttpMethod.Delete, $"{apps}/erpnext");
        Assert.True(failed.State == "Failed" && failed.FailedStep == StepNames.UninstallApp, failed.Describe() + RuntimeStack.StepDetails(failed));
        Assert.Contains($"press site restore {site} --backup {failed.Id}", failed.Error);
        Assert.Equal("Succeeded", failed.Step(StepNames.VerifyBackup).State);
        Assert.False(await TableExistsAsync(schema, "tabErpnext Record"));
        var broken = await Stack.GetSiteAsync(site);
        Assert.Equal("Broken", broken.State);
        Assert.Equal(["erpnext"], broken.Apps);

        await SetOwnKeyAsync(site, "frappe_test_double_crash_uninstall", "");
        var restored = await RunAsync(HttpMethod.Post, $"/api/sites/{site}/restore", new { backupId = failed.Id });
        Assert.True(restored.State == "Succeeded", restored.Describe() + RuntimeStack.StepDetails(restored));
        var liveSchema = (await Stack.GetSiteAsync(site)).Location.Schema;
        Assert.Equal(1, await RowsAsync(liveSchema, "tabErpnext Record"));
        Assert.Equal("Active", (await Stack.GetSiteAsync(site)).State);
    }
}
