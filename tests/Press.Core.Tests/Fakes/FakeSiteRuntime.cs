using Press.Core.Ports;
using Press.Core.Sites;

namespace Press.Core.Tests.Fakes;

public sealed class FakeSiteRuntime(RuntimeOutcome outcome) : ISiteRuntime
{
    /// <summary>"start", "stop" or "remove" with the site name, in call order.</summary>
    public List<string> Calls { get; } = [];

    public string Driver => "fake";

    public Task<RuntimeOutcome> StartAsync(Site site, CancellationToken ct) => Record("start", site);
    public Task<RuntimeOutcome> StopAsync(Site site, CancellationToken ct) => Record("stop", site);
    public Task<RuntimeOutcome> RemoveAsync(Site site, CancellationToken ct) => Record("remove", site);

    public RuntimeStatus Describe(Site site) => new(Driver, outcome.Applied, outcome.Applied ? null : outcome.Message);

    private Task<RuntimeOutcome> Record(string what, Site site)
    {
        Calls.Add($"{what} {site.Name}");
        return Task.FromResult(outcome);
    }
}
