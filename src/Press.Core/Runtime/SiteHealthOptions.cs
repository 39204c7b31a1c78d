namespace Press.Core.Runtime;

/// <summary><c>Press:Runtime:Health</c>: how long wait-healthy probes a new or restarted runner.</summary>
public sealed class SiteHealthOptions
{
    /// <summary>The longest wait between two probes; the first waits are shorter (<see cref="DelayAfter"/>).</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(1);
    /// <summary>A fresh ERPNext install can take minutes before its first pong.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>The wait after the <paramref name="attempt"/>-th probe that found the runner not healthy yet: a quarter
    /// of <see cref="Interval"/> more each time up to the interval (250, 500, 750 ms, then 1 s by default). A runner
    /// that was just started often answers within a second: it is seen then, not a whole interval later.</summary>
    public TimeSpan DelayAfter(int attempt) => Interval / 4 * Math.Clamp(attempt, 1, 4);

    /// <summary>How long the probes up to <paramref name="attempt"/> have waited in all (what the timeout counts).</summary>
    public TimeSpan WaitedAfter(int attempt) =>
        Enumerable.Range(1, Math.Max(0, attempt)).Aggregate(TimeSpan.Zero, (waited, a) => waited + DelayAfter(a));
}
