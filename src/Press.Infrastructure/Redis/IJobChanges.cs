namespace Press.Infrastructure.Redis;

/// <summary>
/// A signal on every job's progress (a step started or ended, a job ended), for readers that follow all jobs rather
/// than one. Best effort like every Redis signal: a reader also polls, so a lost message only delays it.
/// </summary>
public interface IJobChanges
{
    /// <summary>Calls <paramref name="onChange"/> on each change; dispose to unsubscribe. Throws while Redis is down
    /// (the multiplexer replays a subscription it holds after a reconnect; one refused while down is the caller's to retry).</summary>
    Task<IAsyncDisposable> SubscribeChangesAsync(Action onChange);
}
