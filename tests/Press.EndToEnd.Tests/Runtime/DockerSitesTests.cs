using System.Net;
using System.Text.Json;
using Npgsql;
using Press.Core.Jobs;
using Press.EndToEnd.Tests.Harness;
using Press.Testing;

namespace Press.EndToEnd.Tests.Runtime;

/// <summary>Three sites created at once through the API, each served by its own runner container.</summary>
public sealed class ThreeDockerSitesFixture : DockerStackFixture
{
    public sealed record Created(string Name, JobView Job, RuntimeSiteView Site, int Port);

    private readonly Lock _lock = new();
    private Task<IReadOnlyList<Created>>? _sites;

    /// <summary>Created once for the class, by the first test that asks.</summary>
    public Task<IReadOnlyList<Created>> SitesAsync()
    {
        lock (_lock) return _sites ??= CreateAsync();
    }

    private async Task<IReadOnlyList<Created>> CreateAsync()
    {
        var names = new[] { "one", "two", "three" }.Select(Stack.SiteName).ToArray();
        var jobs = await Task.WhenAll(names.Select(Stack.CreateSiteAsync));
        // Every test of the class needs all three served: a failed NewSite fails each of them with its own message.
        foreach (var job in jobs) Stack.AssertAllStepsSucceeded(job, Recipes.NewSite);
        var created = new List<Created>();
        foreach (var (name, job) in names.Zip(jobs))
            created.Add(new Created(name, job, await Stack.GetSiteAsync(name), RuntimeStack.AllocatedPort(job)));
        return created;
    }
}

[Collection(SiteRuntimeCollection.Name)]
public sealed class DockerSitesTests(ThreeDockerSitesFixture fixture) : IClassFixture<ThreeDockerSitesFixture>
{
    private RuntimeStack Stack => fixture.Stack;

    [Fact]
    public async Task Three_sites_are_installed_and_served_each_by_its_own_limited_runner_container()
    {
        var sites = await fixture.SitesAsync();
        var siteIds = new List<Guid>();
        foreach (var (name, job, site, allocated) in sites)
        {
            Stack.AssertAllStepsSucceeded(job, Recipes.NewSite);
            Assert.True(site.State == "Active", $"{site}{Stack.Describe()}");
            Assert.True(site.Runtime.Served, $"{site}");
            Assert.Equal("docker", site.Runtime.Driver);

            var container = RuntimeStack.ContainerOf(name);
            var c = await TestEngine.InspectAsync(container) ?? throw new Xunit.Sdk.XunitException($"no container {container}{Stack.Describe()}");
            Assert.Equal("/" + container, c.GetProperty("Name").GetString());
            var config = c.GetProperty("Config");
            var labels = config.GetProperty("Labels");
            Assert.Equal("true", labels.GetProperty("press.managed").GetString());
            Assert.Equal(name, labels.GetProperty("press.site").GetString());
            siteIds.Add(Guid.Parse(labels.GetProperty("press.site-id").GetString()!));
            var port = int.Parse(labels.GetProperty("press.port").GetString()!);
            Assert.Equal(allocated, port);
            Assert.InRange(port, 48600, 49699);
            Assert.Equal(TestServices.DoubleImage, config.GetProperty("Image").GetString());

            var host = c.GetProperty("HostConfig");
            Assert.Equal(512L * 1024 * 1024, host.GetProperty("Memory").GetInt64());
            Assert.Equal(500_000_000L, host.GetProperty("NanoCpus").GetInt64());
            Assert.Equal("unless-stopped", host.GetProperty("RestartPolicy").GetProperty("Name").GetString());
            Assert.Equal("host", host.GetProperty("NetworkMode").GetString());

            var test = config.GetProperty("Healthcheck").GetProperty("Test").EnumerateArray().Select(e => e.GetString()!).ToList();
            Assert.True(test.Count > 2 && test[0] == "CMD" && test[1] == "curl", "health check: " + string.Join(' ', test));
            Assert.Contains($"Host: {name}", test);
            Assert.Contains($"http://127.0.0.1:{port}/api/method/ping", test);

            // Its site folder, and its own Redis's volume read-only: nothing of another site.
            var mounts = c.GetProperty("Mounts").EnumerateArray()
                .Select(m => (m.GetProperty("Type").GetString(), m.GetProperty("Name").GetString(), m.GetProperty("Destination").GetString(), m.GetProperty("RW").GetBoolean()))
                .OrderBy(m => m.Item3).ToList();
            Assert.Equal(
            [
                ("volume", container, $"{SiteFiles.BenchFolder}/sites/{name}", true),
                ("volume", RuntimeStack.RedisContainerOf(name), "/run/press-redis", false),
            ], mounts);

            // Locked down, as the engine applied it.
            Assert.Equal(1024L, host.GetProperty("PidsLimit").GetInt64());
            Assert.Equal(["ALL"], host.GetProperty("CapDrop").EnumerateArray().Select(e => e.GetString()));
            Assert.Equal(["no-new-privileges"], host.GetProperty("SecurityOpt").EnumerateArray().Select(e => e.GetString()));
            Assert.True(host.GetProperty("ReadonlyRootfs").GetBoolean());
            var readOnly = await TestEngine.ExecAsync(container, "touch", "/home/frappe/frappe-bench/apps.txt");
            Assert.True(readOnly.ExitCode != 0 && readOnly.Stderr.Contains("Read-only file system"), $"a write outside the allowed paths: {readOnly}");
            Assert.Equal(0, (await TestEngine.ExecAsync(container, "touch", "/tmp/ok", "/home/frappe/frappe-bench/logs/ok")).ExitCode);
            Assert.True(c.GetProperty("State").GetProperty("Running").GetBoolean(), $"{container} is not running{Stack.Describe()}");

            var ping = await FrappeProbe.PingAsync(name, port);
            Assert.True(ping.IsPong, $"{name} on {port}: {ping}{Stack.Describe()}");

            // Frappe's tables are in the site's own schema.
            var tables = await SiteFiles.TablesAsync(Stack.Db, site.Location.Schema);
            foreach (var table in SiteFiles.FrappeTables) Assert.True(tables.Contains(table), $"{name}: no table {table} in {site.Location.Schema}: [{string.Join(", ", tables)}]");

            // site_config.json: exactly the database and cache keys, readable by the bench user only.
            var stat = await TestEngine.ExecAsync(container, "stat", "-c", "%u %a", SiteFiles.ConfigPathInContainer(name));
            Assert.True(stat.ExitCode == 0, stat.ToString());
            Assert.Equal("1000 600", stat.Stdout.Trim());
            var siteConfig = await SiteFiles.ReadConfigInContainerAsync(name);
            Assert.Equal(SiteFiles.ConfigKeys.Order(), SiteFiles.Keys(siteConfig).Order());
            Assert.Equal("postgres", siteConfig.GetProperty("db_type").GetString());
            Assert.Equal(site.Location.Database, siteConfig.GetProperty("db_name").GetString());
            Assert.Equal(site.Location.Schema, siteConfig.GetProperty("db_schema").GetString());
            // The site's role and schema share one opaque name (README, Tenancy).
            Assert.Equal(site.Location.Schema, siteConfig.GetProperty("db_user").GetString());
            var pg = new NpgsqlConnectionStringBuilder(TestServices.PostgresSuperuser);
            Assert.Equal(pg.Host, siteConfig.GetProperty("db_host").GetString());
            Assert.Equal(pg.Port, siteConfig.GetProperty("db_port").GetInt32());

            // The credentials in it work, and land in the site's schema.
            await using var conn = Stack.Db.ConnectionAs(siteConfig.GetProperty("db_user").GetString()!, siteConfig.GetProperty("db_password").GetString()!);
            await conn.OpenAsync();
            Assert.Equal(site.Location.Schema, await Catalog.Scalar<string>(conn, "SELECT current_schema()::text"));
        }

        Assert.Equal(3, sites.Select(s => s.Port).Distinct().Count());
        Assert.Equal(3, siteIds.Distinct().Count());

        // Docker's own health check (curl from inside, with the Host header) turns healthy: the image and the check agree.
        foreach (var (name, _, _, _) in sites)
            await Eventually.Until(
                async () => (await TestEngine.InspectAsync(RuntimeStack.ContainerOf(name)))?.GetProperty("State").GetProperty("Health").GetProperty("Status").GetString(),
                status => status == "healthy", TimeSpan.FromSeconds(40), $"Docker to report {RuntimeStack.ContainerOf(name)} healthy",
                () => TestEngine.DescribeLogs(RuntimeStack.ContainerOf(name)) + Stack.Describe(), TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task Each_site_caches_in_its_own_Redis_so_one_sites_cache_flush_leaves_the_others_alone()
    {
        var sites = await fixture.SitesAsync();
        var configs = new List<JsonElement>();
        foreach (var s in sites) configs.Add(await SiteFiles.ReadConfigInContainerAsync(s.Name));
        foreach (var config in configs)
        {
            Assert.Equal($"unix://{SiteFiles.RedisSocketInRunner}?db=0", config.GetProperty("redis_cache").GetString());
            Assert.Equal($"unix://{SiteFiles.RedisSocketInRunner}?db=1", config.GetProperty("redis_queue").GetString());
        }

        // Every site shares db_name (one Postgres database), so Frappe's key names are the same for all of them.
        var dbName = configs[0].GetProperty("db_name").GetString()!;
        Assert.All(configs, c => Assert.Equal(dbName, c.GetProperty("db_name").GetString()));
        var key = $"{dbName}|installed_apps";
        foreach (var s in sites)
            Assert.Equal("[\"frappe\"]", await RunnerRedis.CliAsync(s.Name, "-n", "0", "get", key)); // written by new-site

        // Site B clears its whole cache, as Frappe's delete_keys("") does, and more: FLUSHDB.
        Assert.Equal("OK", await RunnerRedis.CliAsync(sites[1].Name, "-n", "0", "flushdb"));
        Assert.Equal("", await RunnerRedis.CliAsync(sites[1].Name, "-n", "0", "get", key));
        Assert.Equal("[\"frappe\"]", await RunnerRedis.CliAsync(sites[0].Name, "-n", "0", "get", key));
        Assert.Equal("[\"frappe\"]", await RunnerRedis.CliAsync(sites[2].Name, "-n", "0", "get", key));
    }

    [Fact]
    public async Task Runner_logs_are_readable_by_operators_and_the_admin_password_is_shown_to_an_admin_once()
    {
        var (name, _, _, port) = (await fixture.SitesAsync())[2];
        var ping = await FrappeProbe.PingAsync(name, port);
        Assert.True(ping.IsPong, $"{ping}");

        var logs = await Stack.Admin.GetAsync($"/api/sites/{name}/logs?tail=50");
        Assert.True(logs.Status == HttpStatusCode.OK, logs.ToString());
        Assert.Equal(name, logs.Json.GetProperty("site").GetString());
        Assert.Equal("docker", logs.Json.GetProperty("driver").GetString());
        var lines = logs.Json.GetProperty("lines").EnumerateArray().Select(l => l.GetString()!).ToList();
        Assert.InRange(lines.Count, 1, 50);
        Assert.True(lines.Any(l => l.Contains("\"GET /api/method/ping HTTP/1.1\" 200", StringComparison.Ordinal) && l.Contains($"site={name}")),
            "no access line of the ping in:\n" + string.Join("\n", lines));

        var one = await Stack.Admin.GetAsync($"/api/sites/{name}/logs?tail=1");
        Assert.Single(one.Json.GetProperty("lines").EnumerateArray());
        Assert.Equal(HttpStatusCode.BadRequest, (await Stack.Admin.GetAsync($"/api/sites/{name}/logs?tail=0")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await Stack.Admin.GetAsync($"/api/sites/nosuch-{Stack.Db.Suffix}.rt.test/logs")).Status);

        using var viewer = new ApiClient(Stack.Manager.BaseUrl, await Stack.Admin.MintTokenAsync("viewer"));
        using var operatorClient = new ApiClient(Stack.Manager.BaseUrl, await Stack.Admin.MintTokenAsync("operator"));
        Assert.Equal(HttpStatusCode.OK, (await operatorClient.GetAsync($"/api/sites/{name}/logs?tail=5")).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.GetAsync($"/api/sites/{name}/logs?tail=5")).Status);

        // Refused to viewers and operators, and their attempts do not use up the one showing.
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PostAsync($"/api/sites/{name}/admin-password")).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await operatorClient.PostAsync($"/api/sites/{name}/admin-password")).Status);

        var first = await Stack.Admin.PostAsync($"/api/sites/{name}/admin-password");
        Assert.True(first.Status == HttpStatusCode.OK, first.ToString());
        Assert.Equal("Administrator", first.Json.GetProperty("userName").GetString());
        var password = first.Json.GetProperty("password").GetString()!;
        Assert.True(password.Length >= 32, $"the Administrator password has {password.Length} characters");

        var second = await Stack.Admin.PostAsync($"/api/sites/{name}/admin-password");
        Assert.True(second.Status == HttpStatusCode.Conflict, second.ToString());
        Assert.DoesNotContain(password, second.Body);
    }

    /// <summary>
    /// Usage and limits on the real engine (docs/architecture.md §15): the engine's stats of the site's containers, its
    /// files in its volume; then a ChangeLimits job recreates the runner and its sidecars with the site's override,
    /// which docker inspect shows, and the site is served again.
    /// </summary>
    [Fact]
    public async Task Usage_comes_from_the_engine_and_a_limits_change_recreates_the_runner_with_them_and_it_serves_again()
    {
        var name = (await fixture.SitesAsync())[2].Name;
        var site = await SiteRecords.LoadAsync(Stack, name);
        var options = new Press.Infrastructure.Runtime.Docker.DockerRuntimeOptions { Endpoint = TestServices.DockerHost, Image = TestServices.DoubleImage };
        using var engine = new Press.Infrastructure.Runtime.Docker.DockerEngine(options);
        await using var sources = new Press.Infrastructure.Postgres.PressDataSources(Stack.Db.Options);
        var runtime = new Press.Infrastructure.Runtime.Docker.DockerSiteRuntime(engine, options,
            new Press.Infrastructure.Runtime.Docker.RuntimeLimits(new Press.Infrastructure.Postgres.SettingsStore(sources, TimeProvider.System), options),
            new Press.Infrastructure.Runtime.RuntimeEndpoints("127.0.0.1", 5432), new Press.Infrastructure.Runtime.FrappePing(new HttpClient()));

        var usage = await runtime.MeasureRunnerAsync(site, CancellationToken.None);
        Assert.Null(usage.Reason); // the runner, its Redis, its workers, scheduler and socket.io all run
        Assert.True(usage.CpuSeconds > 0, $"CPU seconds {usage.CpuSeconds}");
        Assert.True(usage.MemoryBytes > 1_000_000, $"memory {usage.MemoryBytes}");
        Assert.Equal(new Press.Core.Usage.FilesUsage(0, null), await runtime.MeasureFilesAsync(site, CancellationToken.None));

        var response = await Stack.Admin.SendAsync(HttpMethod.Put, $"/api/sites/{name}/limits", new { memoryMb = 768, cpus = 0.75, databaseCapMb = 50 });
        Assert.True(response.Status == HttpStatusCode.Accepted, response.ToString());
        var job = await Stack.Api.WaitForJobAsync(response.As<JobView>().Id, RuntimeStack.JobTimeout, Stack.Describe);

        Stack.AssertAllStepsSucceeded(job, Recipes.ChangeLimits);
        foreach (var container in new[] { RuntimeStack.ContainerOf(name) }.Concat(RuntimeStack.BackgroundContainersOf(name)))
        {
            var host = (await TestEngine.InspectAsync(container))!.Value.GetProperty("HostConfig");
            Assert.Equal(768L * 1024 * 1024, host.GetProperty("Memory").GetInt64());
            Assert.Equal(750_000_000L, host.GetProperty("NanoCpus").GetInt64());
        }
        Assert.Equal("Active", (await Stack.GetSiteAsync(name)).State);
        var usageApi = await Stack.Admin.GetAsync($"/api/sites/{name}/usage");
        Assert.Equal(50L * 1024 * 1024, usageApi.Json.GetProperty("databaseCapBytes").GetInt64());
    }
}
