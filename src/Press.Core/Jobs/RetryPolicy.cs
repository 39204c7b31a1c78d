namespace Press.Core.Jobs;

/// <summary>Capped exponential backoff for transient step failures.</summary>
public sealed record RetryPolicy(int MaxAttempts, TimeSpan FirstDelay, TimeSpan MaxDelay)
{
    public static RetryPolicy Default { get; } = new(5, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30));

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
