using Press.Core.Sites;

namespace Press.Core.Ports;

/// <summary>What serves a site's Frappe (architecture §9): Docker, a local bench process, or none.</summary>
public interface ISiteRuntime
{
    /// <summary>"docker", "process" or "none".</summary>
    string Driver { get; }

    Task<RuntimeOutcome> StartAsync(Site site, CancellationToken ct);
    Task<RuntimeOutcome> StopAsync(Site site, CancellationToken ct);
    /// <summary>Removes the runner and the site's files (purge).</summary>
    Task<RuntimeOutcome> RemoveAsync(Site site, CancellationToken ct);
    RuntimeStatus Describe(Site site);
}

/// <param name="Applied">false when the driver has nothing to do; the step is then Skipped with <paramref name="Message"/>.</param>
public sealed record RuntimeOutcome(bool Applied, string Message);

public sealed record RuntimeStatus(string Driver, bool Served, string? Reason);
