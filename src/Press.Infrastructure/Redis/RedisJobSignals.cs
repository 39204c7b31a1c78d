using Microsoft.Extensions.Logging;
using Press.Core.Ports;
using StackExchange.Redis;

namespace Press.Infrastructure.Redis;

/// <summary>
/// Job wake-ups and progress over Redis pub/sub. Connects lazily and keeps reconnecting in the background; while
/// Redis is down every call fails fast and callers fall back to polling Postgres, so nothing is lost.
/// </summary>
public sealed partial class RedisJobSignals : IJobSignals, IJobChanges, IAsyncDisposable
{
    private const string WakeChannel = "press:jobs:wake";
    // Any job's progress, for readers that care about every job (the route table: a job's end may change a route).
    private const string ChangedChannel = "press:jobs:changed";
    private readonly ConnectionMultiplexer _redis;
    private readonly ILogger<RedisJobSignals> _logger;

    public RedisJobSignals(RedisOptions options, ILogger<RedisJobSignals> logger)
    {
        _logger = logger;
        var config = ConfigurationOptions.Parse(options.Configuration);
        // Press's Redis requires a password (requirepass): runners share the host's network, and only Press may
        // reach its wake-ups and progress. From Press:Redis:Password, or its _FILE (a Docker secret).
        if (options.Password is { Length: > 0 } password) config.Password = password;
        config.AbortOnConnectFail = false;
        config.ConnectTimeout = 2000;
        config.AsyncTimeout = 2000;
        config.SyncTimeout = 2000;
        config.ClientName = "press";
        // Without this, calls made while Redis is down wait in a backlog until they time out (seconds each): every
        // step and request would stall. Failing at once lets callers fall back to Postgres straight away.
        config.BacklogPolicy = BacklogPolicy.FailFast;
        _redis = ConnectionMultiplexer.Connect(config);
    }

    public bool IsConnected => _redis.IsConnected;

    public IConnectionMultiplexer Connection => _redis;

    public Task WakeWorkersAsync(CancellationToken ct) =>
        _redis.GetSubscriber().PublishAsync(RedisChannel.Literal(WakeChannel), "1");

    public Task PublishProgressAsync(Guid jobId, CancellationToken ct)
    {
        var subscriber = _redis.GetSubscriber();
        return Task.WhenAll(subscriber.PublishAsync(ProgressChannel(jobId), "1"), subscriber.PublishAsync(RedisChannel.Literal(ChangedChannel), "1"));
    }

    public async Task<IAsyncDisposable> SubscribeChangesAsync(Action onChange)
    {
        var queue = await _redis.GetSubscriber().SubscribeAsync(RedisChannel.Literal(ChangedChannel));
        queue.OnMessage(_ => onChange());
        return new Unsubscribe(queue);
    }

    /// <summary>Calls <paramref name="onWake"/> whenever a job is enqueued. Resubscribes by itself after reconnects.</summary>
    public async Task SubscribeWakeAsync(Action onWake)
    {
        try
        {
            await _redis.GetSubscriber().SubscribeAsync(RedisChannel.Literal(WakeChannel), (_, _) => onWake());
        }
        catch (RedisException ex)
        {
            // The multiplexer replays subscriptions it knows of on reconnect; one made while down is retried by the caller.
            LogSubscribeFailed(ex.Message);
            throw;
        }
    }

    /// <summary>Signals <paramref name="onProgress"/> on every progress message of the job; dispose to unsubscribe.</summary>
    public async Task<IAsyncDisposable> SubscribeProgressAsync(Guid jobId, Action onProgress)
    {
        var channel = ProgressChannel(jobId);
        var queue = await _redis.GetSubscriber().SubscribeAsync(channel);
        queue.OnMessage(_ => onProgress());
        return new Unsubscribe(queue);
    }

    private static RedisChannel ProgressChannel(Guid jobId) => RedisChannel.Literal($"press:jobs:{jobId:N}:progress");

    public async ValueTask DisposeAsync() => await _redis.DisposeAsync();

    private sealed class Unsubscribe(ChannelMessageQueue queue) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() => await queue.UnsubscribeAsync();
    }

    [LoggerMessage(LogLevel.Warning, "Redis subscription failed ({Error}); polling Postgres until Redis is back")]
    private partial void LogSubscribeFailed(string error);
}

/// <summary><c>Press:Redis</c>.</summary>
public sealed class RedisOptions
{
    public const string Section = "Press:Redis";
    /// <summary>StackExchange.Redis configuration string, e.g. <c>127.0.0.1:48511</c> (no password in it).</summary>
    public string Configuration { get; set; } = "127.0.0.1:48511";

    /// <summary>Press's Redis password (<c>requirepass</c>); <c>Press__Redis__Password_FILE</c> names a file holding it.</summary>
    public string? Password { get; set; }

    public override string ToString() => $"RedisOptions({Configuration}, password {(Password is null ? "unset" : "***")})";
}
