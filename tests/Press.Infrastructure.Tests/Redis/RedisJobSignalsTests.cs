using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using Press.Infrastructure.Redis;
using Press.Testing;
using StackExchange.Redis;

namespace Press.Infrastructure.Tests.Redis;

/// <summary>Redis wakes workers and carries progress; when it is down, calls fail fast instead of hanging.</summary>
public sealed class RedisJobSignalsTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private static RedisJobSignals Connect(string? configuration = null) =>
        new(new RedisOptions { Configuration = configuration ?? TestServices.Redis, Password = configuration is null ? TestServices.RedisPassword : null },
            NullLogger<RedisJobSignals>.Instance);

    [Fact]
    public async Task A_wake_subscriber_receives_WakeWorkers_from_another_connection()
    {
        await using var worker = Connect();
        await using var manager = Connect();
        Assert.True(worker.IsConnected);
        var woken = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await worker.SubscribeWakeAsync(() => woken.TrySetResult());

        await manager.WakeWorkersAsync(CancellationToken.None);

        await woken.Task.WaitAsync(Patience);
    }

    [Fact]
    public async Task A_progress_subscription_receives_its_own_job_only()
    {
        await using var watcher = Connect();
        await using var worker = Connect();
        Guid mine = Guid.NewGuid(), other = Guid.NewGuid();
        var mineCount = 0;
        var gotMine = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var gotOther = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var subscription = await watcher.SubscribeProgressAsync(mine, () =>
        {
            Interlocked.Increment(ref mineCount);
            gotMine.TrySetResult();
        });
        await using var otherSubscription = await watcher.SubscribeProgressAsync(other, () => gotOther.TrySetResult());

        // Same publisher, same order: when "mine" arrives, "other" was already delivered if it were going to be.
        await worker.PublishProgressAsync(other, CancellationToken.None);
        await worker.PublishProgressAsync(mine, CancellationToken.None);

        await gotMine.Task.WaitAsync(Patience);
        await gotOther.Task.WaitAsync(Patience);
        Assert.Equal(1, Volatile.Read(ref mineCount));
    }

    [Fact]
    public async Task A_disposed_progress_subscription_stops_listening()
    {
        await using var watcher = Connect();
        await using var probe = Connect();
        var job = Guid.NewGuid();
        var channel = RedisChannel.Literal($"press:jobs:{job:N}:progress");
        var subscription = await watcher.SubscribeProgressAsync(job, () => { });
        Assert.Equal(1, await probe.Connection.GetSubscriber().PublishAsync(channel, "1"));

        await subscription.DisposeAsync();
        Assert.Equal(0, await probe.Connection.GetSubscriber().PublishAsync(channel, "1"));
    }

    private const string ClosedPort = "127.0.0.1:49799";

    private static void RequireClosed()
    {
        using var client = new TcpClient();
        try
        {
            client.Connect("127.0.0.1", 49799);
        }
        catch (SocketException)
        {
            return;
        }
        Assert.Fail("something listens on 127.0.0.1:49799; this test needs the port closed");
    }

    // "Fast" is told by how a call fails, not by a stopwatch (CI runs these at a load of 14 on two cores, where the 2-s
    // connect timeout once took longer than 5 s). With the fail-fast backlog a call made while disconnected is refused
    // at once: "No connection is active/available to service this operation". A backlogged call would wait out
    // AsyncTimeout and fail with "The message timed out in the backlog…" (also a RedisConnectionException, so the
    // message is what tells them apart). HangGuard only stops a test that hangs.
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(60);

    private static async Task AssertRefusedAtOnceAsync(Func<Task> call)
    {
        var refused = await Assert.ThrowsAsync<RedisConnectionException>(() => call().WaitAsync(HangGuard));
        Assert.StartsWith("No connection is active/available", refused.Message);
    }

    [Fact]
    public async Task Against_a_closed_port_it_reports_disconnected_and_fails_fast()
    {
        RequireClosed();
        await using var signals = await Task.Run(() => Connect(ClosedPort)).WaitAsync(HangGuard);
        Assert.False(signals.IsConnected);

        await AssertRefusedAtOnceAsync(() => signals.WakeWorkersAsync(CancellationToken.None));
        await AssertRefusedAtOnceAsync(() => signals.PublishProgressAsync(Guid.NewGuid(), CancellationToken.None));
    }

    [Fact]
    public async Task Subscribing_against_a_closed_port_fails_fast_so_the_caller_can_fall_back_to_polling()
    {
        RequireClosed();
        await using var signals = Connect(ClosedPort);
        await AssertRefusedAtOnceAsync(() => signals.SubscribeWakeAsync(() => { }));
    }
}
