using Press.Core.Ports;
using Press.Core.Sites;

namespace Press.Infrastructure.Runtime;

/// <summary>
/// The "none" driver: no engine to serve Frappe. Runtime steps are Skipped with this reason, the database side is
/// complete, and the site is shown as not served. Never a silent success.
/// </summary>
public sealed class NoSiteRuntime : ISiteRuntime
{
    public const string Reason = "no site runtime is configured (Press:Runtime:Driver=none): the database side is ready but Frappe is not served";

    public string Driver => "none";
    public Task<RuntimeOutcome> StartAsync(Site site, CancellationToken ct) => Task.FromResult(new RuntimeOutcome(false, Reason));
    public Task<RuntimeOutcome> StopAsync(Site site, CancellationToken ct) => Task.FromResult(new RuntimeOutcome(false, Reason));
    public Task<RuntimeOutcome> RemoveAsync(Site site, CancellationToken ct) => Task.FromResult(new RuntimeOutcome(false, Reason));
    public RuntimeStatus Describe(Site site) => new(Driver, false, "not served: " + Reason);
}

/// <summary><c>Press:Runtime</c>.</summary>
public sealed class RuntimeOptions
{
    public const string Section = "Press:Runtime";
    /// <summary>"docker", "process" or "none". Only "none" exists so far.</summary>
    public string Driver { get; set; } = "none";
}
