using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Press.EndToEnd.Tests.Harness;
using Press.Testing;

namespace Press.EndToEnd.Tests;

/// <summary>
/// Manager and worker on a private redis-server; one site is created while Redis is up, then Redis is SIGKILLed
/// and the worker's /metrics must show it polling.
/// </summary>
public sealed class RedisDownFixture : IAsyncLifetime
{
    private PressDatabase? _db;

    public PressDatabase Db => _db!;
    public Scene Scene { get; private set; } = new();
    public RedisServer Redis { get; private set; } = null!;
    public PressProcess Manager { get; private set; } = null!;
    public PressProcess Worker { get; private set; } = null!;
    public PressApi Api { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        try
        {
            await SetUpAsync();
        }
        catch
        {
            await DisposeAsync();
            throw;
        }
    }

    private async Task SetUpAsync()
    {
        _db = await PressDatabase.CreateAsync();
        Redis = Scene.Track(await RedisServer.StartAsync());
        var redisConfig = new Dictionary<string, string?> { ["Press:Redis:Configuration"] = Redis.Endpoint };
        Manager = await Scene.StartManagerAsync(Db, "manager", redisConfig);
        Worker = await Scene.StartWorkerAsync(Db, "worker", new Dictionary<string, string?>(redisConfig)
        {
            ["Press:Worker:FallbackPollInterval"] = "00:00:01",
        });
        Api = await PressApi.LoginAsync(Manager.BaseUrl, Db.AdminPassword);
        await ConnectedMetric(1);

        var before = await Api.CreateSiteAsync("before.redis.test");
        var done = await Api.WaitForJobAsync(before.Id, TimeSpan.FromSeconds(30), Scene.Describe);
        Assert.True(done.State == "Succeeded", done.Describe() + Scene.Describe());

        await Redis.KillAsync();
        await ConnectedMetric(0);
    }

    /// <summary>Waits until the worker's <c>press_worker_redis_connected</c> gauge shows <paramref name="expected"/>.</summary>
    public Task ConnectedMetric(int expected) =>
        Eventually.Until(async () => (await Worker.GetAsync("/metrics")).Body,
            body => Exposition.Value(body, "press_worker_redis_connected") == expected.ToString(),
            TimeSpan.FromSeconds(20), $"the worker's /metrics to show press_worker_redis_connected {expected}", Scene.Describe);

    /// <summary>Idempotent: runs after a failed initialisation too.</summary>
    public async Task DisposeAsync()
    {
        Api?.Dispose();
        Api = null!;
        await Scene.DisposeAsync();
        Scene = new Scene();
        if (_db is { } db)
        {
            _db = null;
            await db.DisposeAsync();
        }
    }
}

/// <summary>
/// Redis only wakes workers and carries progress (docs/architecture.md §3): with Redis dead, sites are still created (the
/// worker polls Postgres), the worker says so in /metrics, and the manager's /readyz reports Redis unreachable.
/// </summary>
public sealed class RedisDownTests(RedisDownFixture stack) : IClassFixture<RedisDownFixture>
{
    [Fact]
    public async Task Sites_are_still_created_while_Redis_is_down_and_readiness_says_why()
    {
        var api = stack.Api;
        var queued = await api.CreateSiteAsync("after.redis.test");
        var job = await api.WaitForJobAsync(queued.Id, TimeSpan.FromSeconds(90), stack.Scene.Describe);
        Assert.True(job.State == "Succeeded", job.Describe() + stack.Scene.Describe());
        Assert.All(job.Steps, s => Assert.Equal(1, s.Attempts));
        Assert.Equal("Active", (await api.GetSiteAsync("after.redis.test")).State);
        await stack.ConnectedMetric(0);

        var (readyStatus, readyBody) = await stack.Manager.GetAsync("/readyz");
        Assert.True(readyStatus == HttpStatusCode.ServiceUnavailable, $"/readyz: {(int)readyStatus} {readyBody}");
        using var ready = JsonDocument.Parse(readyBody);
        Assert.Equal("Unhealthy", ready.RootElement.GetProperty("status").GetString());
        var checks = ready.RootElement.GetProperty("checks");
        Assert.Equal("Unhealthy", checks.GetProperty("redis").GetProperty("status").GetString());
        Assert.Contains("Redis unreachable", checks.GetProperty("redis").GetProperty("detail").GetString());
        Assert.Equal("Healthy", checks.GetProperty("postgres").GetProperty("status").GetString());

        var (liveStatus, liveBody) = await stack.Manager.GetAsync("/healthz");
        Assert.True(liveStatus == HttpStatusCode.OK, $"/healthz: {(int)liveStatus} {liveBody}");
    }

    /// <summary>
    /// RedisJobSignals promises that "while Redis is down every call fails fast and callers fall back to polling
    /// Postgres". A wake-up or progress message that cannot be sent must not hold up the API request that enqueued
    /// the job, nor the steps of a running job (each step's work takes milliseconds here).
    /// </summary>
    [Fact]
    public async Task While_Redis_is_down_signals_fail_fast_instead_of_stalling_requests_and_jobs()
    {
        var api = stack.Api;
        var clock = Stopwatch.StartNew();
        var queued = await api.CreateSiteAsync("failfast.redis.test");
        var post = clock.Elapsed;
        var job = await api.WaitForJobAsync(queued.Id, TimeSpan.FromSeconds(90), stack.Scene.Describe);
        Assert.True(job.State == "Succeeded", job.Describe() + stack.Scene.Describe());
        var run = job.FinishedAt!.Value - job.StartedAt!.Value;
        var workerLines = string.Join("\n  ", stack.Worker.Log.Lines.Where(l => l.Contains(job.Id.ToString())));

        Assert.True(post < TimeSpan.FromSeconds(1.5) && run < TimeSpan.FromSeconds(1.5),
            $"with Redis down, POST /api/sites took {post.TotalSeconds:0.0} s and the NewSite job ran {run.TotalSeconds:0.0} s " +
            $"(started {job.StartedAt:HH:mm:ss.fff}, finished {job.FinishedAt:HH:mm:ss.fff} UTC); the worker's log of it:\n  {workerLines}");
    }
}
