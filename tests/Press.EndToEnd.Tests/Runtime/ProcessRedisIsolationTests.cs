using System.Diagnostics;
using System.Text.Json;
using Press.Core.Jobs;
using Press.EndToEnd.Tests.Harness;

namespace Press.EndToEnd.Tests.Runtime;

/// <summary>A process-driver installation whose own Redis has a password, with two sites A and B.</summary>
public sealed class TwoProcessSitesFixture : IAsyncLifetime
{
    private RuntimeStack? _stack;
    public RuntimeStack Stack => _stack ?? throw new InvalidOperationException("fixture not initialised");
    public string A { get; private set; } = "";
    public string B { get; private set; } = "";

    public async Task InitializeAsync()
    {
        _stack = await RuntimeStack.StartProcessAsync(privateRedis: true);
        (A, B) = (Stack.SiteName("piso-a"), Stack.SiteName("piso-b"));
        foreach (var job in await Task.WhenAll(Stack.CreateSiteAsync(A), Stack.CreateSiteAsync(B)))
            Stack.AssertAllStepsSucceeded(job, Recipes.NewSite);
    }

    public async Task DisposeAsync()
    {
        if (_stack is { } stack) await stack.DisposeAsync();
    }
}

/// <summary>
/// The process driver's equivalent of the Docker isolation test, from site A's runner process (bench serve, as the
/// worker started it). What holds here: each site is configured with its own Redis (a redis-server with no TCP port);
/// the runner carries none of Press's settings in its environment; Press's Redis refuses it; no TCP route reaches B's
/// data. What does not: every site runs as the same OS user, so A's code could open B's socket by its path — the
/// process driver keeps sites apart from mistakes, not from hostile code (README, Known limits).
/// </summary>
[Collection(SiteRuntimeCollection.Name)]
public sealed class ProcessRedisIsolationTests(TwoProcessSitesFixture fixture) : IClassFixture<TwoProcessSitesFixture>
{
    private RuntimeStack Stack => fixture.Stack;

    private JsonElement Config(string site) =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(ProcessRunners.SiteFolder(Stack.BenchFolder!, site), "site_config.json"))).RootElement.Clone();

    private static string Socket(JsonElement config) => new Uri(config.GetProperty("redis_cache").GetString()!).AbsolutePath;

    [Fact]
    public async Task Site_As_runner_is_configured_with_its_own_Redis_carries_none_of_Presss_settings_and_Presss_Redis_refuses_it()
    {
        var (a, b) = (Config(fixture.A), Config(fixture.B));
        var (socketA, socketB) = (Socket(a), Socket(b));
        Assert.NotEqual(socketA, socketB);
        Assert.StartsWith(Path.Combine(Stack.BenchFolder!, ".press-redis") + "/", socketA);
        Assert.Equal($"unix://{socketA}?db=0", a.GetProperty("redis_cache").GetString());
        Assert.Equal($"unix://{socketA}?db=1", a.GetProperty("redis_queue").GetString());
        // Owner-only: no other OS user reaches a site's Redis.
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, new DirectoryInfo(Path.GetDirectoryName(socketA)!).UnixFileMode);

        // The double's new-site wrote through A's own redis_cache, as Frappe does; B's Redis holds its own copy only.
        var key = $"{a.GetProperty("db_name").GetString()}|installed_apps";
        Assert.Equal("[\"frappe\"]", await CliAsync("-s", socketA, "-n", "0", "get", key));
        Assert.Equal("OK", await CliAsync("-s", socketA, "-n", "0", "set", "session:a", "mine"));
        Assert.Equal("", await CliAsync("-s", socketB, "-n", "0", "get", "session:a"));

        // The runner process (bench serve) has a clean environment: no Press__ setting, no secret file path.
        var pid = ProcessRunners.Pid(Stack.BenchFolder!, fixture.A) ?? throw new Xunit.Sdk.XunitException("no runner pid");
        var environment = (await File.ReadAllTextAsync($"/proc/{pid}/environ")).Split('\0', StringSplitOptions.RemoveEmptyEntries);
        Assert.DoesNotContain(environment, e => e.StartsWith("Press__", StringComparison.Ordinal) || e.Contains("_FILE=", StringComparison.Ordinal));

        // Press's Redis, reached as A's code would reach it: NOAUTH for reads and writes.
        var port = Stack.PressRedis!.Port.ToString();
        foreach (var args in new[] { new[] { "get", "x" }, ["publish", "press:jobs:wake", "1"], ["set", "x", "y"] })
            Assert.Contains("NOAUTH", await CliAsync(["-h", "127.0.0.1", "-p", port, .. args]));

        // A site's Redis has no TCP port: nothing on the loopback answers with B's data.
        var secret = $"b-secret-{Guid.NewGuid():N}";
        Assert.Equal("OK", await CliAsync("-s", socketB, "-n", "0", "set", "session:b", secret));
        var info = await CliAsync("-s", socketB, "config", "get", "port");
        Assert.Equal(["port", "0"], info.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries));
    }

    /// <summary>redis-cli as a child process with a runner's clean environment; stdout and stderr, trimmed.</summary>
    private static async Task<string> CliAsync(params string[] args)
    {
        var start = new ProcessStartInfo("redis-cli") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.Environment.Clear();
        start.Environment["PATH"] = Environment.GetEnvironmentVariable("PATH");
        foreach (var arg in args) start.ArgumentList.Add(arg);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("cannot start redis-cli");
        var output = await process.StandardOutput.ReadToEndAsync() + await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(20));
        return output.Trim();
    }
}
