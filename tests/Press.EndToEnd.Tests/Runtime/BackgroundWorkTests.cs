using System.Net;
using System.Text.Json;
using Press.Core.Jobs;
using Press.EndToEnd.Tests.Harness;

namespace Press.EndToEnd.Tests.Runtime;

/// <summary>Two served sites A and B of one installation, for the background-work tests of a driver.</summary>
public abstract class TwoBackgroundSitesFixture : IAsyncLifetime
{
    private RuntimeStack? _stack;
    public RuntimeStack Stack => _stack ?? throw new InvalidOperationException("fixture not initialised");
    public string A { get; private set; } = "";
    public string B { get; private set; } = "";
    public IReadOnlyList<JobView> Jobs { get; private set; } = [];

    protected abstract Task<RuntimeStack> StartAsync();

    public async Task InitializeAsync()
    {
        _stack = await StartAsync();
        (A, B) = (Stack.SiteName("bg-a"), Stack.SiteName("bg-b"));
        Jobs = await Task.WhenAll(Stack.CreateSiteAsync(A), Stack.CreateSiteAsync(B));
    }

    public async Task DisposeAsync()
    {
        if (_stack is { } stack) await stack.DisposeAsync();
    }
}

public sealed class DockerBackgroundSitesFixture : TwoBackgroundSitesFixture
{
    protected override Task<RuntimeStack> StartAsync() => RuntimeStack.StartDockerAsync(proxy: true);
}

public sealed class ProcessBackgroundSitesFixture : TwoBackgroundSitesFixture
{
    protected override Task<RuntimeStack> StartAsync() => RuntimeStack.StartProcessAsync(proxy: true);
}

/// <summary>
/// What each driver must give a site besides its web server (docs/architecture.md §9, docs/frappe.md §7): a request that
/// enqueues a job has it run by the site's own worker, never another site's; the scheduler is enabled after install and
/// its jobs run; the workers and scheduler are part of the site's health.
/// </summary>
public abstract class BackgroundWorkTests(TwoBackgroundSitesFixture fixture)
{
    protected RuntimeStack Stack => fixture.Stack;

    /// <summary>redis-cli on the site's own Redis, queue database (1); stdout trimmed.</summary>
    protected abstract Task<string> QueueCliAsync(string site, params string[] args);

    /// <summary>The output of one of the site's background processes (worker-short, worker-long, schedule).</summary>
    protected abstract Task<string> BackgroundLogAsync(string site, string role);

    private static readonly HttpClient Http = new(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(10) };

    /// <summary>POST the double's enqueueing request to the site's runner, as a browser's request reaches Frappe.</summary>
    protected async Task<string> EnqueueAsync(string site, string queue)
    {
        var port = RuntimeStack.AllocatedPort(fixture.Jobs[site == fixture.A ? 0 : 1]);
        using var request = new HttpRequestMessage(HttpMethod.Post, $"http://127.0.0.1:{port}/api/method/frappe_test_double.enqueue?queue={queue}");
        request.Headers.Host = site;
        using var response = await Http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"enqueue on {site}: {(int)response.StatusCode} {body}{Stack.Describe()}");
        return JsonDocument.Parse(body).RootElement.GetProperty("message").GetProperty("job_id").GetString()!;
    }

    [Fact]
    public void Each_new_site_had_its_scheduler_enabled_after_install()
    {
        foreach (var job in fixture.Jobs)
        {
            Stack.AssertAllStepsSucceeded(job, Recipes.NewSite);
            Assert.Contains("enable-scheduler", job.Step(StepNames.EnableScheduler).Output);
        }
    }

    [Theory]
    [InlineData("default")]
    [InlineData("short")]
    [InlineData("long")]
    public async Task A_job_a_request_enqueues_is_run_by_the_sites_own_worker_and_never_seen_by_another_sites(string queue)
    {
        var (a, b) = (fixture.A, fixture.B);
        var id = await EnqueueAsync(a, queue);

        var status = await Eventually.Until(() => QueueCliAsync(a, "hget", $"rq:job:{id}", "status"), s => s is "finished" or "failed",
            TimeSpan.FromSeconds(30), $"job {id} of {a} to be run by its worker", Stack.Describe, TimeSpan.FromMilliseconds(250));
        Assert.True(status == "finished", $"job {id}: {await QueueCliAsync(a, "hget", $"rq:job:{id}", "exc_info")}");
        var site = await Stack.GetSiteAsync(a);
        Assert.Equal(site.Location.Schema, await QueueCliAsync(a, "hget", $"rq:job:{id}", "result")); // ran as A, in A's schema
        Assert.Equal("0", await QueueCliAsync(b, "exists", $"rq:job:{id}"));
        var worker = queue == "long" ? "worker-long" : "worker-short";
        Assert.Contains(id, await BackgroundLogAsync(a, worker));
        foreach (var role in ProcessRunners.BackgroundRoles) Assert.DoesNotContain(id, await BackgroundLogAsync(b, role));
    }

    /// <summary>Engine.IO's first request, as a browser's socket.io client sends it, with the site's host name.</summary>
    private async Task<(HttpStatusCode Status, string Body)> HandshakeAsync(int port, string host)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{port}/socket.io/?EIO=4&transport=polling");
        request.Headers.Host = host;
        using var response = await Http.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Socket_io_is_reached_through_the_proxy_at_slash_socket_io_and_through_Press_where_Traefik_sends_it()
    {
        var a = fixture.A;
        var proxy = Stack.ProxyPort ?? throw new InvalidOperationException("the stack runs no proxy");
        var (status, body) = await Eventually.Until(() => HandshakeAsync(proxy, a), r => r.Status == HttpStatusCode.OK,
            TimeSpan.FromSeconds(20), $"socket.io of {a} to answer through the proxy", Stack.Describe, TimeSpan.FromMilliseconds(250));
        Assert.StartsWith("0{\"sid\":", body);
        Assert.Contains("\"upgrades\":[\"websocket\"]", body);
        // Traefik routes Host(a) && PathPrefix(/socket.io) to Press's own port (TraefikConfig): the same answer there.
        var api = Stack.Manager.BaseUrl.Port;
        var (apiStatus, apiBody) = await HandshakeAsync(api, a);
        Assert.True(apiStatus == HttpStatusCode.OK && apiBody.StartsWith("0{\"sid\":", StringComparison.Ordinal), $"{apiStatus} {apiBody}");
        // It is the site's own socket.io that answered: its log has the request with A's host name, B's has none.
        Assert.Contains($"host={a}", await BackgroundLogAsync(a, "socketio"));
        Assert.DoesNotContain($"host={a}", await BackgroundLogAsync(fixture.B, "socketio"));
        // Anything else under /socket.io is socket.io's to refuse, not the web server's.
        Assert.Equal(HttpStatusCode.BadRequest, await GetAsync(proxy, a, "/socket.io/?transport=unknown"));
    }

    private static async Task<HttpStatusCode> GetAsync(int port, string host, string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{port}{path}");
        request.Headers.Host = host;
        using var response = await Http.SendAsync(request);
        return response.StatusCode;
    }

    [Fact]
    public async Task The_scheduler_enqueues_the_sites_scheduled_job_and_its_worker_runs_it()
    {
        var a = fixture.A;
        var ran = await Eventually.Until(() => BackgroundLogAsync(a, "worker-short"),
            log => log.Contains($"frappe.email.queue.flush of {a}: finished", StringComparison.Ordinal),
            TimeSpan.FromSeconds(30), $"the scheduled e-mail flush of {a} to run", Stack.Describe, TimeSpan.FromMilliseconds(500));
        Assert.Contains($"{a}: enqueued frappe.email.queue.flush", await BackgroundLogAsync(a, "schedule"));
        Assert.DoesNotContain($"frappe.email.queue.flush of {fixture.B}", ran);
    }
}

[Collection(SiteRuntimeCollection.Name)]
public sealed class DockerBackgroundWorkTests(DockerBackgroundSitesFixture fixture)
    : BackgroundWorkTests(fixture), IClassFixture<DockerBackgroundSitesFixture>
{
    protected override Task<string> QueueCliAsync(string site, params string[] args) => RunnerRedis.CliAsync(site, ["-n", "1", .. args]);

    protected override async Task<string> BackgroundLogAsync(string site, string role) =>
        (await TestEngine.RunAsync("logs", $"{RuntimeStack.ContainerOf(site)}-{role}")).ToString();

    [Fact]
    public async Task A_stopped_worker_makes_the_site_unhealthy_until_the_reconciler_starts_it_again()
    {
        var a = fixture.A;
        var worker = $"{RuntimeStack.ContainerOf(a)}-worker-long";
        foreach (var role in ProcessRunners.BackgroundRoles)
        {
            var inspect = await TestEngine.InspectAsync($"{RuntimeStack.ContainerOf(a)}-{role}") ?? throw new Xunit.Sdk.XunitException($"no {role} container of {a}{Stack.Describe()}");
            Assert.True(inspect.GetProperty("State").GetProperty("Running").GetBoolean(), $"{role} of {a} is not running");
            Assert.Equal(["ALL"], inspect.GetProperty("HostConfig").GetProperty("CapDrop").EnumerateArray().Select(e => e.GetString()));
        }

        await TestEngine.RunOkAsync("stop", "--time", "5", worker);
        await Stack.RestartWorkerAsync(); // the reconciler runs at the worker's start
        await Eventually.Until(async () => (await TestEngine.InspectAsync(worker))?.GetProperty("State").GetProperty("Running").GetBoolean() == true,
            running => running, TimeSpan.FromSeconds(30), $"{worker} to be started again by the reconciler", Stack.Describe, TimeSpan.FromMilliseconds(250));
        var id = await EnqueueAsync(a, "long");
        Assert.Equal("finished", await Eventually.Until(() => QueueCliAsync(a, "hget", $"rq:job:{id}", "status"), s => s == "finished",
            TimeSpan.FromSeconds(30), $"job {id} to run on the restarted worker", Stack.Describe, TimeSpan.FromMilliseconds(250)));
    }
}

[Collection(SiteRuntimeCollection.Name)]
public sealed class ProcessBackgroundWorkTests(ProcessBackgroundSitesFixture fixture)
    : BackgroundWorkTests(fixture), IClassFixture<ProcessBackgroundSitesFixture>
{
    private JsonElement Config(string site) =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(ProcessRunners.SiteFolder(Stack.BenchFolder!, site), "site_config.json"))).RootElement.Clone();

    protected override async Task<string> QueueCliAsync(string site, params string[] args)
    {
        var socket = new Uri(Config(site).GetProperty("redis_queue").GetString()!).AbsolutePath;
        var start = new System.Diagnostics.ProcessStartInfo("redis-cli") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in (string[])["-s", socket, "-n", "1", .. args]) start.ArgumentList.Add(arg);
        using var process = System.Diagnostics.Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync() + await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return output.Trim();
    }

    protected override async Task<string> BackgroundLogAsync(string site, string role)
    {
        var log = Path.Combine(ProcessRunners.SiteFolder(Stack.BenchFolder!, site), "logs", $"press-{role}.log");
        return File.Exists(log) ? await File.ReadAllTextAsync(log) : "";
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void Each_site_runs_bench_serve_without_the_reloader_beside_its_own_workers_and_scheduler()
    {
        var bench = Stack.BenchFolder!;
        var runner = ProcessRunners.Pid(bench, fixture.A) ?? throw new Xunit.Sdk.XunitException("no runner pid");
        var argv = File.ReadAllText($"/proc/{runner}/cmdline").Split('\0', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["serve", "--port", RuntimeStack.AllocatedPort(fixture.Jobs[0]).ToString(), "--noreload"], argv[^4..]);
        var expected = new Dictionary<string, string[]>
        {
            ["worker-short"] = ["worker", "--queue", "short,default"], ["worker-long"] = ["worker", "--queue", "long"], ["schedule"] = ["schedule"],
        };
        foreach (var (role, args) in expected)
        {
            var pid = ProcessRunners.Pid(bench, fixture.A, role) ?? throw new Xunit.Sdk.XunitException($"no {role} pid");
            Assert.True(ProcessRunners.IsRunner(pid), $"{role} (pid {pid}) is not running");
            var cmdline = File.ReadAllText($"/proc/{pid}/cmdline").Split('\0', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(args, cmdline[^args.Length..]);
        }
    }
}
