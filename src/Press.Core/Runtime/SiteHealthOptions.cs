namespace Press.Core.Runtime;

/// <summary><c>Press:Runtime:Health</c>: how long wait-healthy probes a new or restarted runner.</summary>
public sealed class SiteHealthOptions
{
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(1);
    /// <summary>A fresh ERPNext install can take minutes before its first pong.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(10);
}
