namespace Press.Core.Jobs;

/// <summary>Capped exponential backoff for transient step failures.</summary>
public sealed record RetryPolicy(int MaxAttempts, TimeSpan FirstDelay, TimeSpan MaxDelay)
{
    /// <summary>
    /// 12 attempts, 1 s doubling to a minute: 6 min 3 s of waiting before a transient failure fails the job. Long enough
    /// for a PostgreSQL failover (Patroni's defaults promote a replica in about 30–40 s; managed services quote one to two
    /// minutes) or a restart with crash recovery; short enough that a job that cannot work fails while someone looks.
    /// </summary>
    public static RetryPolicy Default { get; } = new(12, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1));

    public bool CanRetry(int attemptsSoFar) => attemptsSoFar < MaxAttempts;

    /// <summary>Delay before attempt <paramref name="attemptsSoFar"/> + 1: 1 s, 2 s, 4 s … capped.</summary>
    public TimeSpan DelayAfter(int attemptsSoFar)
    {
        var exponent = Math.Clamp(attemptsSoFar - 1, 0, 20);
        // Compare in ticks as double so a large FirstDelay cannot overflow TimeSpan before the cap applies.
        var ticks = FirstDelay.Ticks * Math.Pow(2, exponent);
        return ticks < MaxDelay.Ticks ? TimeSpan.FromTicks((long)ticks) : MaxDelay;
    }
}
