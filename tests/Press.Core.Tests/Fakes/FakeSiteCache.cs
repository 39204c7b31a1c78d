using Press.Core.Ports;

namespace Press.Core.Tests.Fakes;

public sealed class FakeSiteCache : ISiteCache
{
    /// <summary>The runner ports whose cache database was flushed, in call order.</summary>
    public List<int> Flushed { get; } = [];

    public Task<string> FlushAsync(int runnerPort, CancellationToken ct)
    {
        Flushed.Add(runnerPort);
        return Task.FromResult($"flushed Redis database {runnerPort - 48600 + 1} (0 key(s))");
    }
}
