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
        var delay = FirstDelay * Math.Pow(2, exponent);
        return delay < MaxDelay ? delay : MaxDelay;
    }
}
