using System.Diagnostics;
using Press.Core.Jobs;
using Press.EndToEnd.Tests.Harness;
using Press.Testing;

namespace Press.EndToEnd.Tests.Runtime;

/// <summary>A Docker-served site through suspend, resume, delete, undelete and purge; and a runner killed from outside.</summary>
[Collection(SiteRuntimeCollection.Name)]
public sealed class DockerLifecycleTests(DockerStackFixture fixture) : IClassFixture<DockerStackFixture>
{
    private RuntimeStack Stack => fixture.Stack;

    private async Task<(int Port, RuntimeSiteView Site)> CreateActiveAsync(string name)
    {
        var job = await Stack.CreateSiteAsync(name);
        Stack.AssertAllStepsSucceeded(job, Recipes.NewSite);
        var port = RuntimeStack.AllocatedPort(job);
        var ping = await FrappeProbe.PingAsync(name, port);
        Assert.True(ping.IsPong, $"{name} on {port} after NewSite: {ping}{Stack.Describe()}");
        return (port, await Stack.GetSiteAsync(name));
    }

    private static async Task<bool> RunningAsync(string site) =>
        (await TestEngine.InspectAsync(RuntimeStack.ContainerOf(site)))?.GetProperty("State").GetProperty("Running").GetBoolean() == true;

    [Fact]
    public async Task Suspend_resume_delete_undelete_and_purge_act_on_the_runner_container_and_its_volume()
    {
        var name = Stack.SiteName("life");
        var container = RuntimeStack.ContainerOf(name);
        var (port, site) = await CreateActiveAsync(name);

        // Data written as the site's own role (its credentials from the runner's site_config.json).
        var config = await SiteFiles.ReadConfigInContainerAsync(name);
        var (role, password) = (config.GetProperty("db_user").GetString()!, config.GetProperty("db_password").GetString()!);
        await using (var conn = Stack.Db.ConnectionAs(role, password))
        {
            await conn.OpenAsync();
            await using var cmd = new Npgsql.NpgsqlCommand("CREATE TABLE e2e_note (body text); INSERT INTO e2e_note VALUES ('written before delete')", conn);
            await cmd.ExecuteNonQueryAsync();
        }

        var suspend = await Stack.SuspendAsync(name);
        Stack.AssertAllStepsSucceeded(suspend, Recipes.SuspendSite);
        Assert.False(await RunningAsync(name), $"{container} still runs after suspend{Stack.Describe()}");
        await FrappeProbe.UntilRefusedAsync(port, TimeSpan.FromSeconds(10), Stack.Describe);
        var suspended = await Stack.GetSiteAsync(name);
        Assert.Equal("Suspended", suspended.State);
        Assert.False(suspended.Runtime.Served);

        var resume = await Stack.ResumeAsync(name);
        Stack.AssertAllStepsSucceeded(resume, Recipes.ResumeSite);
        Assert.True(await RunningAsync(name), $"{container} is not running after resume{Stack.Describe()}");
        Assert.True((await FrappeProbe.PingAsync(name, port)).IsPong);

        var delete = await Stack.DeleteAsync(name);
        Stack.AssertAllStepsSucceeded(delete, Recipes.DeleteSite);
        Assert.Null(await TestEngine.InspectAsync(container));
        Assert.True(await TestEngine.VolumeExistsAsync(container), $"soft delete removed volume {container}");
        await FrappeProbe.UntilRefusedAsync(port, TimeSpan.FromSeconds(10), Stack.Describe);
        Assert.Equal("Deleted", (await Stack.GetSiteAsync(name)).State);

        var undelete = await Stack.UndeleteAsync(name);
        Stack.AssertAllStepsSucceeded(undelete, Recipes.UndeleteSite);
        Assert.True(await RunningAsync(name), $"{container} did not come back with undelete{Stack.Describe()}");
        Assert.True((await FrappeProbe.PingAsync(name, port)).IsPong);
        Assert.Equal("Active", (await Stack.GetSiteAsync(name)).State);
        await using (var conn = Stack.Db.ConnectionAs(role, password))
        {
            await conn.OpenAsync();
            Assert.Equal("written before delete", await Catalog.Scalar<string>(conn, "SELECT body FROM e2e_note"));
        }

        Stack.AssertAllStepsSucceeded(await Stack.DeleteAsync(name), Recipes.DeleteSite);
        var purge = await Stack.PurgeAsync(name);
        Stack.AssertAllStepsSucceeded(purge, Recipes.PurgeSite);
        Assert.Null(await TestEngine.InspectAsync(container));
        Assert.False(await TestEngine.VolumeExistsAsync(container), $"purge left volume {container}");
        Assert.Equal("Purged", (await Stack.GetSiteAsync(name)).State);
        var tenant = await Catalog.InspectAsync(Stack.Db, site.Location.Schema);
        Assert.True(tenant.Roles == 0 && tenant.Schemas == 0, $"purge left role/schema behind: {tenant}");

        // The purged site's port is free again: the next site gets it and is served on it.
        var next = Stack.SiteName("life-next");
        var (nextPort, _) = await CreateActiveAsync(next);
        Assert.Equal(port, nextPort);
    }

    [Fact]
    public async Task A_runner_whose_process_is_killed_from_outside_is_restarted_by_Docker_and_answers_again()
    {
        var name = Stack.SiteName("kill");
        var container = RuntimeStack.ContainerOf(name);
        var (port, _) = await CreateActiveAsync(name);
        var before = await TestEngine.InspectAsync(container) ?? throw new Xunit.Sdk.XunitException("no container");
        var pid = before.GetProperty("State").GetProperty("Pid").GetInt32();
        var restarts = before.GetProperty("RestartCount").GetInt32();
        Assert.True(pid > 0, $"State.Pid of {container} is {pid}");

        var clock = Stopwatch.StartNew();
        using (var kill = Process.Start("kill", ["-9", pid.ToString()]))
        {
            await kill.WaitForExitAsync();
            Assert.Equal(0, kill.ExitCode);
        }

        string Diagnostics() => TestEngine.DescribeLogs(container) + Stack.Describe();
        await Eventually.Until(() => TestEngine.InspectAsync(container),
            c => c is { } s && s.GetProperty("RestartCount").GetInt32() > restarts && s.GetProperty("State").GetProperty("Running").GetBoolean()
                 && s.GetProperty("State").GetProperty("Pid").GetInt32() != pid,
            TimeSpan.FromSeconds(30), $"Docker to restart {container} (RestartCount > {restarts})", Diagnostics, TimeSpan.FromMilliseconds(250));
        var left = TimeSpan.FromSeconds(30) - clock.Elapsed;
        await FrappeProbe.UntilPongAsync(name, port, left > TimeSpan.FromSeconds(1) ? left : TimeSpan.FromSeconds(1), Diagnostics);
        Assert.Equal("Active", (await Stack.GetSiteAsync(name)).State);
    }

    [Fact]
    public async Task A_purge_removes_the_sites_Redis_and_its_data_and_a_new_site_on_its_port_starts_with_an_empty_one()
    {
        var name = Stack.SiteName("cache-old");
        var (port, _) = await CreateActiveAsync(name);
        var dbName = (await SiteFiles.ReadConfigInContainerAsync(name)).GetProperty("db_name").GetString()!;

        // What Frappe keeps in a site's cache (sessions, documents) under db_name|…, and a queued job; here one marker each.
        var marker = $"{dbName}|session:e2e-{name}";
        Assert.Equal("OK", await RunnerRedis.CliAsync(name, "-n", "0", "set", marker, "Administrator"));
        Assert.Equal("1", await RunnerRedis.CliAsync(name, "-n", "1", "rpush", "rq:queue:e2e", "job-of-" + name));

        Stack.AssertAllStepsSucceeded(await Stack.DeleteAsync(name), Recipes.DeleteSite);
        // Soft delete keeps the data: the sidecar is gone, its volume stays.
        Assert.Null(await TestEngine.InspectAsync(RuntimeStack.RedisContainerOf(name)));
        Assert.True(await TestEngine.VolumeExistsAsync(RuntimeStack.RedisContainerOf(name)));

        var purge = await Stack.PurgeAsync(name);
        Stack.AssertAllStepsSucceeded(purge, Recipes.PurgeSite);
        Assert.Contains($"volume {RuntimeStack.RedisContainerOf(name)}", purge.Step(StepNames.RemoveSiteRedis).Output);
        Assert.False(await TestEngine.VolumeExistsAsync(RuntimeStack.RedisContainerOf(name)), "the purged site's Redis data is still there");

        var next = Stack.SiteName("cache-new");
        var (nextPort, _) = await CreateActiveAsync(next);
        Assert.Equal(port, nextPort);
        Assert.Equal("", await RunnerRedis.CliAsync(next, "-n", "0", "get", marker));
        Assert.Equal("0", await RunnerRedis.CliAsync(next, "-n", "1", "llen", "rq:queue:e2e"));
    }
}
