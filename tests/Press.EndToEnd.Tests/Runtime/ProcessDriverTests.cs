using System.Net;
using System.Text.Json;
using Press.Core.Jobs;
using Press.EndToEnd.Tests.Harness;

namespace Press.EndToEnd.Tests.Runtime;

/// <summary>The process driver: bench (the Frappe test double) in a local bench folder, one detached bench serve per site.</summary>
[Collection(SiteRuntimeCollection.Name)]
public sealed class ProcessDriverTests(ProcessStackFixture fixture) : IClassFixture<ProcessStackFixture>
{
    private RuntimeStack Stack => fixture.Stack;

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")] // file modes and process groups are Unix properties
    public async Task A_site_is_installed_and_served_by_bench_serve_which_suspend_stops_resume_restarts_and_purge_removes()
    {
        var bench = Stack.BenchFolder!;
        var name = Stack.SiteName("proc");
        var folder = ProcessRunners.SiteFolder(bench, name);

        var (readyStatus, readyBody) = await Stack.Manager.GetAsync("/readyz");
        Assert.True(readyStatus == HttpStatusCode.OK, readyBody);
        using (var ready = JsonDocument.Parse(readyBody))
            Assert.Equal("runtime 'process'", ready.RootElement.GetProperty("checks").GetProperty("runtime").GetProperty("detail").GetString());

        var job = await Stack.CreateSiteAsync(name);
        Stack.AssertAllStepsSucceeded(job, Recipes.NewSite);
        var port = RuntimeStack.AllocatedPort(job);
        var site = await Stack.GetSiteAsync(name);
        Assert.Equal("Active", site.State);
        Assert.True(site.Runtime.Served, site.ToString());
        Assert.Equal("process", site.Runtime.Driver);
        var ping = await FrappeProbe.PingAsync(name, port);
        Assert.True(ping.IsPong, $"{name} on {port}: {ping}{Stack.Describe()}");

        var configPath = Path.Combine(folder, "site_config.json");
        Assert.True(File.Exists(configPath), $"no {configPath}");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(configPath));
        using (var config = JsonDocument.Parse(await File.ReadAllTextAsync(configPath)))
        {
            Assert.Equal(SiteFiles.ConfigKeys.Order(), SiteFiles.Keys(config.RootElement).Order());
            Assert.Equal(site.Location.Schema, config.RootElement.GetProperty("db_schema").GetString());
            Assert.Equal(site.Location.Schema, config.RootElement.GetProperty("db_user").GetString());
        }
        foreach (var table in SiteFiles.FrappeTables) Assert.Contains(table, await SiteFiles.TablesAsync(Stack.Db, site.Location.Schema));

        // The runner's log (bench serve's output in the site folder) through the API.
        var logs = await Stack.Admin.GetAsync($"/api/sites/{name}/logs?tail=20");
        Assert.True(logs.Status == HttpStatusCode.OK, logs.ToString());
        Assert.Equal("process", logs.Json.GetProperty("driver").GetString());
        var lines = logs.Json.GetProperty("lines").EnumerateArray().Select(l => l.GetString()!).ToList();
        Assert.True(lines.Any(l => l.Contains("\"GET /api/method/ping HTTP/1.1\" 200", StringComparison.Ordinal) && l.Contains($"site={name}")),
            "no access line of the ping in:\n" + string.Join("\n", lines));

        var pid = ProcessRunners.Pid(bench, name) ?? throw new Xunit.Sdk.XunitException($"no runner pid file in {folder}{Stack.Describe()}");
        Assert.True(ProcessRunners.IsRunner(pid), $"pid {pid} is not a running bench serve");

        var suspend = await Stack.SuspendAsync(name);
        Stack.AssertAllStepsSucceeded(suspend, Recipes.SuspendSite);
        Assert.False(ProcessRunners.IsRunner(pid), $"bench serve (pid {pid}) still runs after suspend");
        await FrappeProbe.UntilRefusedAsync(port, TimeSpan.FromSeconds(10), Stack.Describe);

        var resume = await Stack.ResumeAsync(name);
        Stack.AssertAllStepsSucceeded(resume, Recipes.ResumeSite);
        var resumed = ProcessRunners.Pid(bench, name) ?? throw new Xunit.Sdk.XunitException("no runner pid file after resume");
        Assert.True(ProcessRunners.IsRunner(resumed), $"pid {resumed} is not a running bench serve");
        Assert.True((await FrappeProbe.PingAsync(name, port)).IsPong);

        Stack.AssertAllStepsSucceeded(await Stack.DeleteAsync(name), Recipes.DeleteSite);
        Assert.False(ProcessRunners.IsRunner(resumed), "bench serve still runs after delete");
        Assert.True(File.Exists(configPath), "soft delete removed the site folder");
        Stack.AssertAllStepsSucceeded(await Stack.PurgeAsync(name), Recipes.PurgeSite);
        Assert.False(Directory.Exists(folder), $"purge left {folder}");
        Assert.True(await FrappeProbe.RefusedAsync(port));
    }
}
