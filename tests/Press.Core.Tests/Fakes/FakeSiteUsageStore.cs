using Press.Core.Ports;
using Press.Core.Sites;
using Press.Core.Usage;

namespace Press.Core.Tests.Fakes;

public sealed class FakeSiteUsageStore : ISiteUsageStore
{
    public Dictionary<Guid, SiteLimits> Limits { get; } = [];
    public List<Site> Sites { get; } = [];
    public List<IReadOnlyList<UsageSample>> Saved { get; } = [];

    public Task<SiteLimits> GetLimitsAsync(Guid siteId, CancellationToken ct) => Task.FromResult(Limits.GetValueOrDefault(siteId, SiteLimits.None));

    public Task SaveLimitsAsync(Guid siteId, SiteLimits limits, CancellationToken ct)
    {
        Limits[siteId] = limits;
        return Task.CompletedTask;
    }

    public Task SaveSamplesAsync(IReadOnlyList<UsageSample> samples, CancellationToken ct)
    {
        Saved.Add(samples);
        return Task.CompletedTask;
    }

    public Task AddTrafficAsync(IReadOnlyDictionary<string, (long Requests, long Errors5xx)> counts, DateTimeOffset at, CancellationToken ct) =>
        throw new NotSupportedException();

    public Task<SiteUsage?> GetAsync(string siteName, CancellationToken ct) => throw new NotSupportedException();

    public Task<IReadOnlyList<SiteUsage>> ListAsync(CancellationToken ct) => throw new NotSupportedException();

    public Task<IReadOnlyList<Site>> ListSitesToMeasureAsync(CancellationToken ct) => Task.FromResult<IReadOnlyList<Site>>(Sites);
}
