using Press.Core.Ports;
using Press.Core.Sites;

namespace Press.Core.Tests.Fakes;

public sealed class FakeSiteStore : ISiteStore
{
    public sealed record MarkDeletedCall(Guid SiteId, DateTimeOffset DeletedAt, DateTimeOffset PurgeAfter);

    public Dictionary<Guid, Site> Sites { get; } = [];
    public List<MarkDeletedCall> MarkDeletedCalls { get; } = [];
    public List<Guid> ClearDeletionCalls { get; } = [];
    public int Reads { get; private set; }

    public FakeSiteStore(params Site[] sites)
    {
        foreach (var site in sites) Sites[site.Id] = site;
    }

    /// <summary>What <see cref="CountServedAsync"/> answers; null counts the sites held here that have a runner port.</summary>
    public int? Served { get; set; }

    public Task<int> CountServedAsync(CancellationToken ct) =>
        Task.FromResult(Served ?? Sites.Values.Count(s => s.State != SiteState.Purged && s.RunnerPort is not null));

    public Task<Site?> FindByNameAsync(string name, CancellationToken ct) =>
        Task.FromResult(Sites.Values.FirstOrDefault(s => s.Name == name && s.State != SiteState.Purged));

    public Task<Site?> GetAsync(Guid siteId, CancellationToken ct)
    {
        Reads++;
        return Task.FromResult(Sites.GetValueOrDefault(siteId));
    }

    public Task MarkDeletedAsync(Guid siteId, DateTimeOffset deletedAt, DateTimeOffset purgeAfter, CancellationToken ct)
    {
        MarkDeletedCalls.Add(new MarkDeletedCall(siteId, deletedAt, purgeAfter));
        if (Sites.TryGetValue(siteId, out var site) && site.DeletedAt is null)
            Sites[siteId] = site with { DeletedAt = deletedAt, PurgeAfter = purgeAfter };
        return Task.CompletedTask;
    }

    public Task ClearDeletionAsync(Guid siteId, CancellationToken ct)
    {
        ClearDeletionCalls.Add(siteId);
        if (Sites.TryGetValue(siteId, out var site))
            Sites[siteId] = site with { DeletedAt = null, PurgeAfter = null };
        return Task.CompletedTask;
    }

    public Task MarkDiscardedAsync(Guid siteId, DateTimeOffset at, CancellationToken ct)
    {
        if (Sites.TryGetValue(siteId, out var site) && site.State != SiteState.Purged)
            Sites[siteId] = site with { State = SiteState.Deleted, DeletedAt = site.DeletedAt ?? at, PurgeAfter = at };
        return Task.CompletedTask;
    }

    public Task MarkPurgedAsync(Guid siteId, DateTimeOffset at, CancellationToken ct)
    {
        if (Sites.TryGetValue(siteId, out var site))
            Sites[siteId] = site with { State = SiteState.Purged, PurgedAt = site.PurgedAt ?? at, RunnerPort = null };
        return Task.CompletedTask;
    }

    /// <summary>Hands out ports from 48600 upwards, once per site.</summary>
    public Task<int> AllocateRunnerPortAsync(Guid siteId, CancellationToken ct)
    {
        var site = Sites[siteId];
        if (site.RunnerPort is { } existing) return Task.FromResult(existing);
        var port = Core.Runtime.RunnerPorts.First + Sites.Values.Count(s => s.RunnerPort is not null);
        Sites[siteId] = site with { RunnerPort = port };
        return Task.FromResult(port);
    }

    public Task SaveAppsAsync(Guid siteId, IReadOnlyList<string> apps, CancellationToken ct)
    {
        Sites[siteId] = Sites[siteId] with { Apps = apps };
        return Task.CompletedTask;
    }

    public Task SaveSealedConfigAsync(Guid siteId, byte[] sealedConfig, CancellationToken ct)
    {
        Sites[siteId] = Sites[siteId] with { SealedConfig = sealedConfig };
        return Task.CompletedTask;
    }

    public Task SaveRunnerImageAsync(Guid siteId, RunnerImage? image, CancellationToken ct)
    {
        Sites[siteId] = Sites[siteId] with { Image = image };
        return Task.CompletedTask;
    }

    public Task SaveAppVersionsAsync(Guid siteId, IReadOnlyDictionary<string, string> versions, CancellationToken ct)
    {
        Sites[siteId] = Sites[siteId] with { AppVersions = versions };
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<Site>> ListExpiredDeletedAsync(DateTimeOffset now, CancellationToken ct) =>
        Task.FromResult<IReadOnlyList<Site>>(
            Sites.Values.Where(s => s.State == SiteState.Deleted && s.PurgeAfter is { } p && p <= now).ToList());

    /// <summary>Database → sites held, for <see cref="SwitchDatabaseAsync"/>'s cap.</summary>
    public Dictionary<string, int> DatabaseCounts { get; } = [];

    public Task<bool> SwitchDatabaseAsync(Guid siteId, string from, string to, int? cap, CancellationToken ct)
    {
        var site = Sites[siteId];
        if (site.Location.Database == to) return Task.FromResult(true);
        if (site.Location.Database != from) throw new InvalidOperationException($"site is in {site.Location.Database}, not {from}");
        if (cap is { } max && DatabaseCounts.GetValueOrDefault(to) >= max) return Task.FromResult(false);
        Sites[siteId] = site with { Location = site.Location with { Database = to } };
        DatabaseCounts[to] = DatabaseCounts.GetValueOrDefault(to) + 1;
        DatabaseCounts[from] = Math.Max(0, DatabaseCounts.GetValueOrDefault(from) - 1);
        return Task.FromResult(true);
    }
}
