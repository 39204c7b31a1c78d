using Press.Core.Jobs;
using Press.EndToEnd.Tests.Harness;
using Press.Testing;

namespace Press.EndToEnd.Tests.Runtime;

/// <summary>redis-cli run inside a Docker runner (the double's image carries it), as the site's own code would run.</summary>
public static class RunnerRedis
{
    /// <summary>redis-cli on the runner's own Redis socket; its output trimmed. Fails the test unless it exits 0.</summary>
    public static async Task<string> CliAsync(string site, params string[] args)
    {
        var result = await TestEngine.ExecAsync(RuntimeStack.ContainerOf(site), ["redis-cli", "-s", SiteFiles.RedisSocketInRunner, .. args]);
        Assert.True(result.ExitCode == 0, $"redis-cli {string.Join(' ', args)} in {site}'s runner: {result}");
        return result.Stdout.Trim();
    }

    /// <summary>A bash script run inside the runner as the bench user; stdout and stderr together.</summary>
    public static async Task<string> ShAsync(string site, string script, params string[] args)
    {
        var result = await TestEngine.ExecAsync(RuntimeStack.ContainerOf(site), ["bash", "-c", script, "bash", .. args]);
        return result.Stdout + result.Stderr;
    }
}

/// <summary>A Docker installation whose own Redis has a password (as in production), with two sites A and B.</summary>
public sealed class TwoIsolatedSitesFixture : IAsyncLifetime
{
    private RuntimeStack? _stack;
    public RuntimeStack Stack => _stack ?? throw new InvalidOperationException("fixture not initialised");
    public string A { get; private set; } = "";
    public string B { get; private set; } = "";

    public async Task InitializeAsync()
    {
        _stack = await RuntimeStack.StartDockerAsync(privateRedis: true);
        (A, B) = (Stack.SiteName("iso-a"), Stack.SiteName("iso-b"));
        foreach (var job in await Task.WhenAll(Stack.CreateSiteAsync(A), Stack.CreateSiteAsync(B)))
            Stack.AssertAllStepsSucceeded(job, Recipes.NewSite);
    }

    public async Task DisposeAsync()
    {
        if (_stack is { } stack) await stack.DisposeAsync();
    }
}

/// <summary>
/// Tenant isolation beyond PostgreSQL, from inside site A's runner: A's own cache and queue work; B's cache and queue
/// and Press's own Redis cannot be read or written, by any route a site's code could try — the socket paths (B's is
/// not in A's mount namespace), TCP on every port of Press's range and Redis's default port (B's Redis has no TCP on
/// the host), and Press's Redis (password).
/// </summary>
[Collection(SiteRuntimeCollection.Name)]
public sealed class DockerRedisIsolationTests(TwoIsolatedSitesFixture fixture) : IClassFixture<TwoIsolatedSitesFixture>
{
    private RuntimeStack Stack => fixture.Stack;

    [Fact]
    public async Task From_inside_site_As_runner_only_As_own_cache_and_queue_answer()
    {
        var (a, b) = (fixture.A, fixture.B);
        var secret = $"b-secret-{Guid.NewGuid():N}";

        // B's code puts a session in its cache and a job in a queue of its own (no worker listens on it: the sites'
        // workers would pop a job from short, default or long).
        Assert.Equal("OK", await RunnerRedis.CliAsync(b, "-n", "0", "set", "press_sites|session:b", secret));
        Assert.Equal("1", await RunnerRedis.CliAsync(b, "-n", "1", "rpush", "rq:queue:/home/frappe/frappe-bench:isolation-check", secret));

        // A's own cache and queue work (and the double wrote A's installed apps there, as Frappe's new-site does).
        Assert.Equal("OK", await RunnerRedis.CliAsync(a, "-n", "0", "set", "press_sites|session:a", "mine"));
        Assert.Equal("mine", await RunnerRedis.CliAsync(a, "-n", "0", "get", "press_sites|session:a"));
        Assert.Equal("1", await RunnerRedis.CliAsync(a, "-n", "1", "rpush", "rq:queue:/home/frappe/frappe-bench:isolation-check", "job-a"));
        Assert.Equal("", await RunnerRedis.CliAsync(a, "-n", "0", "get", "press_sites|session:b"));
        Assert.Equal("job-a", await RunnerRedis.CliAsync(a, "-n", "1", "lrange", "rq:queue:/home/frappe/frappe-bench:isolation-check", "0", "-1"));

        // Every unix socket A can see is its own Redis (B's volume is not mounted in A's runner). The .NET runtime's
        // own diagnostic socket of the double's process is left out: it is that process's, in A's private /tmp.
        var sockets = await RunnerRedis.ShAsync(a, "find / /run /tmp /home -type s ! -name 'dotnet-diagnostic-*' 2>/dev/null");
        Assert.Equal([SiteFiles.RedisSocketInRunner], sockets.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct());

        // TCP: every loopback port of Press's range (Press's own Redis among them) and Redis's default port, read and
        // written without credentials as A's code could. Other test runs may hold ports of the range (their own throwaway
        // servers); what matters is that B's data is never read or changed and Press's Redis refuses.
        var pressPort = Stack.PressRedis!.Port;
        var scan = await RunnerRedis.ShAsync(a, """
            for p in 6379 $(seq 48510 49800); do
              (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || continue   # closed: nothing to try
              out=""
              for args in 'get press_sites|session:b' 'set press_sites|session:b hijacked' 'publish press:jobs:wake 1' \
                          '-n 1 lrange rq:queue:/home/frappe/frappe-bench:isolation-check 0 -1'; do
                # shellcheck disable=SC2086
                out="$out | $(IFS=' '; set -f; timeout 2 redis-cli -h 127.0.0.1 -p "$p" $args 2>&1 | tr '\n' ' ')"
              done
              echo "$p:$out"
            done
            """);
        Assert.DoesNotContain(secret, scan);
        var press = Assert.Single(scan.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
            l => l.StartsWith($"{pressPort}:", StringComparison.Ordinal));
        var answers = press.Split('|').Skip(1).ToList();
        Assert.True(answers.Count == 4 && answers.All(r => r.Contains("NOAUTH")), $"Press's Redis on {pressPort} must refuse all four without credentials: {press}");

        // B still has its own data: nothing A did reached it.
        Assert.Equal(secret, await RunnerRedis.CliAsync(b, "-n", "0", "get", "press_sites|session:b"));
        Assert.Equal(secret, await RunnerRedis.CliAsync(b, "-n", "1", "lrange", "rq:queue:/home/frappe/frappe-bench:isolation-check", "0", "-1"));
        Assert.Equal("", await RunnerRedis.CliAsync(b, "-n", "0", "get", "press_sites|session:a"));
    }

    [Fact]
    public async Task Each_sites_Redis_runs_locked_down_without_network_and_keeps_its_queue_across_a_restart()
    {
        var b = fixture.B;
        var sidecar = RuntimeStack.RedisContainerOf(b);
        var inspect = await TestEngine.InspectAsync(sidecar) ?? throw new Xunit.Sdk.XunitException($"no {sidecar}{Stack.Describe()}");
        var host = inspect.GetProperty("HostConfig");
        Assert.Equal("none", host.GetProperty("NetworkMode").GetString());
        Assert.True(host.GetProperty("ReadonlyRootfs").GetBoolean());
        Assert.Equal(["ALL"], host.GetProperty("CapDrop").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(TestServices.RedisImage, inspect.GetProperty("Config").GetProperty("Image").GetString());

        // The route for a client that takes no unix socket (socket.io's node redis): a container that joins the
        // sidecar's own network namespace reaches 127.0.0.1:6379 there — and only there (the scan above finds none).
        Assert.Equal("PONG", (await TestEngine.RunOkAsync("run", "--rm", "--network", $"container:{sidecar}", "--user", "1000:1000",
            "--read-only", "--cap-drop", "ALL", TestServices.RedisImage, "redis-cli", "-h", "127.0.0.1", "-p", "6379", "ping")).Trim());

        Assert.Equal("1", await RunnerRedis.CliAsync(b, "-n", "1", "rpush", "rq:queue:restart-check", "queued-before-restart"));
        await TestEngine.RunOkAsync("restart", "--time", "10", sidecar);
        await Eventually.Until(async () => (await TestEngine.ExecAsync(RuntimeStack.ContainerOf(b), "redis-cli", "-s", SiteFiles.RedisSocketInRunner, "ping")).Stdout.Trim(),
            pong => pong == "PONG", TimeSpan.FromSeconds(20), $"{sidecar} to answer again", Stack.Describe, TimeSpan.FromMilliseconds(250));
        Assert.Equal("queued-before-restart", await RunnerRedis.CliAsync(b, "-n", "1", "lrange", "rq:queue:restart-check", "0", "-1"));
    }
}
