using Press.Core.Jobs;

namespace Press.Core.Tests.Jobs;

public sealed class RetryPolicyTests
{
    private static readonly RetryPolicy FiveFromOneSecondCappedAtThirty = new(5, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30));

    /// <summary>A PostgreSQL failover or restart takes a minute or more; a job must outlast it, not fail after seconds.</summary>
    [Fact]
    public void The_default_retries_a_transient_failure_for_minutes()
    {
        var policy = RetryPolicy.Default;
        var waited = Enumerable.Range(1, policy.MaxAttempts - 1).Aggregate(TimeSpan.Zero, (sum, n) => sum + policy.DelayAfter(n));

        Assert.InRange(waited, TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(10));
        Assert.Equal(TimeSpan.FromSeconds(1), policy.FirstDelay);
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 2)]
    [InlineData(3, 4)]
    [InlineData(4, 8)]
    [InlineData(5, 16)]
    [InlineData(6, 30)]
    [InlineData(7, 30)]
    [InlineData(100, 30)]
    [InlineData(int.MaxValue, 30)]
    public void Delays_double_from_the_first_and_are_capped_at_the_maximum(int attemptsSoFar, int seconds)
    {
        Assert.Equal(TimeSpan.FromSeconds(seconds), FiveFromOneSecondCappedAtThirty.DelayAfter(attemptsSoFar));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void Before_any_attempt_the_delay_is_the_first_delay(int attemptsSoFar)
    {
        Assert.Equal(TimeSpan.FromSeconds(1), FiveFromOneSecondCappedAtThirty.DelayAfter(attemptsSoFar));
    }

    [Fact]
    public void Delays_never_decrease_and_never_exceed_the_maximum()
    {
        var policy = new RetryPolicy(50, TimeSpan.FromMilliseconds(250), TimeSpan.FromMinutes(2));
        var delays = Enumerable.Range(1, 40).Select(policy.DelayAfter).ToList();

        Assert.Equal(TimeSpan.FromMilliseconds(250), delays[0]);
        Assert.Equal(TimeSpan.FromMilliseconds(500), delays[1]);
        Assert.All(delays.Zip(delays.Skip(1)), pair => Assert.True(pair.Second >= pair.First));
        Assert.All(delays, d => Assert.True(d <= TimeSpan.FromMinutes(2)));
        Assert.Equal(TimeSpan.FromMinutes(2), delays[^1]);
    }

    [Fact]
    public void A_maximum_below_the_first_delay_caps_even_the_first()
    {
        var policy = new RetryPolicy(3, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(4));

        Assert.Equal(TimeSpan.FromSeconds(4), policy.DelayAfter(1));
    }

    [Theory]
    [InlineData(0, true)]
    [InlineData(1, true)]
    [InlineData(4, true)]
    [InlineData(5, false)]
    [InlineData(6, false)]
    [InlineData(int.MaxValue, false)]
    public void CanRetry_until_the_attempts_so_far_reach_the_maximum(int attemptsSoFar, bool expected)
    {
        Assert.Equal(expected, FiveFromOneSecondCappedAtThirty.CanRetry(attemptsSoFar));
    }

    [Fact]
    public void A_single_attempt_policy_never_retries()
    {
        var policy = new RetryPolicy(1, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));

        Assert.True(policy.CanRetry(0));
        Assert.False(policy.CanRetry(1));
    }
}
