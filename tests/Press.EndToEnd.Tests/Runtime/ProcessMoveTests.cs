using System.Net;
using System.Text.Json;
using Press.Core.Jobs;
using Press.EndToEnd.Tests.Backups;
using Press.EndToEnd.Tests.Harness;

namespace Press.EndToEnd.Tests.Runtime;

/// <summary>
/// A served site moves to another site database (docs/architecture.md §16) through a real runtime (the process driver
/// with the Frappe test double as bench, which caches site_config.json for 60 s as Frappe does): its site_config.json
/// names the new database, the restarted runner answers from there, and a Password field written before the move still
/// decrypts (its data and its encryption_key both came along).
/// </summary>
[Collection(SiteRuntimeCollection.Name)]
public sealed class ProcessMoveTests(ProcessStackFixture fixture) : IClassFixture<ProcessStackFixture>
{
    private RuntimeStack Stack => fixture.Stack;
    private const string Secret = "moved-secret ✓";

    private async Task SetCapAsync(int sites)
    {
        var set = await Stack.Admin.SendAsync(HttpMethod.Put, "/api/settings/tenancy.sitesPerDatabase", new { value = sites.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        Assert.True(set.Status == HttpStatusCode.OK, set.ToString());
    }

    [Fact]
    public async Task A_served_site_moves_to_another_database_and_answers_from_there_with_its_data()
    {
        var site = Stack.SiteName("pmove");
        var neighbour = Stack.SiteName("pmove-n");
        await SetCapAsync(1);
        var created = await Stack.CreateSiteAsync(site);
        Stack.AssertAllStepsSucceeded(created, Recipes.NewSite);
        Stack.AssertAllStepsSucceeded(await Stack.CreateSiteAsync(neighbour), Recipes.NewSite);
        await SetCapAsync(12);
        var port = RuntimeStack.AllocatedPort(created);
        var before = await Stack.GetSiteAsync(site);
        var to = (await Stack.GetSiteAsync(neighbour)).Location.Database;
        Assert.NotEqual(before.Location.Database, to);
        var set = await FrappeSiteClient.SetPasswordAsync(site, port, "Email Account", "Support", "password", Secret);
        Assert.True(set.Status == 200, $"set_password: {set}");
        var rows = await SiteData.FingerprintAsync(Stack.Db, before.Location.Schema);

        var response = await Stack.Admin.PostAsync($"/api/sites/{site}/move", new { database = to });
        Assert.True(response.Status == HttpStatusCode.Accepted, response.ToString());
        var move = await Stack.Api.WaitForJobAsync(response.As<JobView>().Id, RuntimeStack.JobTimeout, Stack.Describe);

        Assert.True(move.State == "Succeeded", $"{move.Describe()}{Stack.Describe()}");
        foreach (var step in new[] { StepNames.EnterMaintenance, StepNames.SwitchDatabase, StepNames.WriteSiteConfig, StepNames.StopRuntime,
                     StepNames.StartRuntime, StepNames.LeaveMaintenance, StepNames.WaitHealthy })
            Assert.True(move.Step(step).State == "Succeeded", $"{step}: {RuntimeStack.StepDetails(move)}");
        var after = await Stack.GetSiteAsync(site);
        Assert.Equal((to, before.Location.Schema, "Active"), (after.Location.Database, after.Location.Schema, after.State));
        using (var config = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(Stack.BenchFolder!, "sites", site, "site_config.json"))))
        {
            Assert.Equal(to, config.RootElement.GetProperty("db_name").GetString());
            Assert.False(config.RootElement.TryGetProperty("maintenance_mode", out var m) && m.ValueKind == JsonValueKind.Number && m.GetInt32() != 0,
                $"still in maintenance: {config.RootElement}");
        }
        Assert.True((await FrappeProbe.PingAsync(site, port)).IsPong, "the moved site does not answer its ping");
        var read = await FrappeSiteClient.GetPasswordAsync(site, port, "Email Account", "Support", "password");
        Assert.True(read.Message == Secret, $"get_password after the move: {read}");
        Assert.Equal(rows, await SiteData.FingerprintAsync(Stack.Db, before.Location.Schema));
    }
}
