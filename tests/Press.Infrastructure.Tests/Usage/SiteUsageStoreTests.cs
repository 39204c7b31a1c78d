using Press.Core.Usage;
using Press.Infrastructure.Postgres;

namespace Press.Infrastructure.Tests.Usage;

/// <summary>The usage and limits rows (migration 0017) on a real PostgreSQL.</summary>
public sealed class SiteUsageStoreTests(InfraFixture f) : IClassFixture<InfraFixture>
{
    private SiteUsageStore Store => new(f.Sources, TimeProvider.System);

    [Fact]
    public async Task Samples_overwrite_the_newest_and_traffic_adds_up_across_flushes()
    {
        var site = await f.CreateSiteRowAsync();
        var at = new DateTimeOffset(2026, 12, 2, 12, 0, 0, TimeSpan.Zero);
        var ct = CancellationToken.None;

        await Store.AddTrafficAsync(new Dictionary<string, (long, long)> { [site.Name] = (5, 1), ["unknown.example.com"] = (9, 9) }, at, ct);
        await Store.SaveSamplesAsync([new UsageSample(site.Site.Id, at, 100, null, new FilesUsage(7, null), new RunnerUsage(3, 4096, null), null)], ct);
        await Store.SaveSamplesAsync([new UsageSample(site.Site.Id, at.AddMinutes(1), 200, null, FilesUsage.Unmeasured("gone"),
            RunnerUsage.Unmeasured("stopped"), 0.25)], ct);
        await Store.AddTrafficAsync(new Dictionary<string, (long, long)> { [site.Name] = (2, 2) }, at.AddMinutes(2), ct);
        await Store.SaveLimitsAsync(site.Site.Id, new SiteLimits(1024, 1.5, 1), ct);

        var usage = await Store.GetAsync(site.Name, ct);

        Assert.Equal(new SiteUsage(site.Name, at.AddMinutes(1), 200, null, null, "gone", 0.25, null, "stopped", 7, 3, at.AddMinutes(2),
            new SiteLimits(1024, 1.5, 1)), usage);
        Assert.True(usage!.DatabaseOverCap == false);
        Assert.Contains(await Store.ListAsync(ct), u => u.Site == site.Name);
        Assert.Equal(new SiteLimits(1024, 1.5, 1), await Store.GetLimitsAsync(site.Site.Id, ct));
        Assert.Null(await Store.GetAsync("unknown.example.com", ct));
    }

    [Fact]
    public async Task A_site_never_sampled_reads_as_empty_with_its_limits_and_saving_the_defaults_clears_them()
    {
        var site = await f.CreateSiteRowAsync();
        var ct = CancellationToken.None;
        await Store.SaveLimitsAsync(site.Site.Id, new SiteLimits(512, null, 10), ct);
        await Store.SaveLimitsAsync(site.Site.Id, new SiteLimits(512, null, 10), ct); // idempotent

        Assert.Equal(new SiteUsage(site.Name, null, null, null, null, null, null, null, null, 0, 0, null, new SiteLimits(512, null, 10)),
            await Store.GetAsync(site.Name, ct));

        await Store.SaveLimitsAsync(site.Site.Id, SiteLimits.None, ct);
        Assert.Equal(SiteLimits.None, await Store.GetLimitsAsync(site.Site.Id, ct));
    }
}
