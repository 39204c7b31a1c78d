using System.Net;
using System.Text.Json;
using Npgsql;
using Press.Core.Jobs;
using Press.EndToEnd.Tests.Harness;
using Press.Testing;
using StackExchange.Redis;

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

            var mount = Assert.Single(c.GetProperty("Mounts").EnumerateArray());
            Assert.Equal("volume", mount.GetProperty("Type").GetString());
            Assert.Equal(container, mount.GetProperty("Name").GetString());
            Assert.Equal($"{SiteFiles.BenchFolder}/sites/{name}", mount.GetProperty("Destination").GetString());
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
    public async Task Each_site_caches_in_its_own_Redis_database_so_one_sites_cache_flush_leaves_the_others_alone()
    {
        var sites = await fixture.SitesAsync();
        var configs = new List<JsonElement>();
        foreach (var s in sites) configs.Add(await SiteFiles.ReadConfigInContainerAsync(s.Name));
        var urls = configs.Select(c => c.GetProperty("redis_cache").GetString()!).ToList();
        var indexes = urls.Select(SiteFiles.RedisDatabase).ToList();
        var context = "redis_cache: " + string.Join(", ", sites.Zip(urls).Select(p => $"{p.First.Name} → {p.Second}"));

        foreach (var url in urls) Assert.StartsWith($"redis://{TestServices.Redis}/", url);
        Assert.True(indexes.Distinct().Count() == 3, context);
        Assert.DoesNotContain(0, indexes); // database 0 is Press's own
        foreach (var (site, index) in sites.Zip(indexes))
            Assert.Contains($"Redis database {index}", site.Job.Step(StepNames.AllocateRunner).Output);

        // Every site shares db_name (one Postgres database), so Frappe's key names are the same for all of them.
        var dbName = configs[0].GetProperty("db_name").GetString()!;
        Assert.All(configs, c => Assert.Equal(dbName, c.GetProperty("db_name").GetString()));
        var key = $"{dbName}|installed_apps";

        await using var redis = await ConnectionMultiplexer.ConnectAsync(new ConfigurationOptions
        {
            EndPoints = { TestServices.Redis }, AllowAdmin = true, AbortOnConnectFail = true, ConnectTimeout = 5000,
        });
        var (a, b, c) = (redis.GetDatabase(indexes[0]), redis.GetDatabase(indexes[1]), redis.GetDatabase(indexes[2]));
        Assert.Equal("[\"frappe\"]", (string?)await a.StringGetAsync(key));
        Assert.False(await redis.GetDatabase(0).KeyExistsAsync(key), $"{key} is in Press's database 0. {context}");

        // Site B clears its whole cache, as Frappe's delete_keys("") does: every "db_name|*" key of its Redis.
        var server = redis.GetServer(redis.GetEndPoints().Single());
        var bKeys = server.Keys(indexes[1], $"{dbName}|*").ToArray();
        Assert.Contains(bKeys, k => k == key);
        await b.KeyDeleteAsync(bKeys);

        Assert.False(await b.KeyExistsAsync(key), context);
        Assert.True(await a.KeyExistsAsync(key), $"site A's {key} vanished with site B's cache flush. {context}");
        Assert.True(await c.KeyExistsAsync(key), $"site C's {key} vanished with site B's cache flush. {context}");
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
}
