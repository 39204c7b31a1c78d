using Microsoft.Extensions.Time.Testing;
using Press.Core.Ports;
using Press.Core.Sites;
using Press.Core.Tenancy;
using Press.Core.Tests.Fakes;
using Press.Core.Usage;

namespace Press.Core.Tests.Usage;

public sealed class UsageSamplerTests
{
    private sealed class Sizes(Dictionary<TenantLocation, long> bytes) : IDatabaseSizes
    {
        public List<IReadOnlyList<TenantLocation>> Asked { get; } = [];

        public Task<SizeReport> MeasureAsync(IReadOnlyList<TenantLocation> locations, CancellationToken ct)
        {
            Asked.Add(locations);
            return Task.FromResult(new SizeReport(bytes, new Dictionary<TenantLocation, string>()));
        }
    }

    [Fact]
    public async Task One_pass_measures_every_site_records_failures_as_reasons_and_computes_cpu_from_the_previous_pass()
    {
        var active = TestData.Site("erp.example.com");
        var suspended = TestData.Site("old.example.com", SiteState.Suspended);
        var broken = TestData.Site("broken.example.com");
        var store = new FakeSiteUsageStore();
        store.Sites.AddRange([active, suspended, broken]);
        var sizes = new Sizes(new() { [active.Location] = 5000 });
        var cpuSeconds = 10.0;
        var runtime = new FakeSiteRuntime(RuntimeOutcome.Done("ok"))
        {
            Runner = _ => new RunnerUsage(cpuSeconds, 1000, null),
            Files = site => site.Name == "broken.example.com" ? throw new IOException("permission denied") : new FilesUsage(42, null),
        };
        var time = new FakeTimeProvider(TestData.Now);
        var sampler = new UsageSampler(store, sizes, runtime, time);

        var first = await sampler.SampleAsync(CancellationToken.None);
        time.Advance(TimeSpan.FromSeconds(60));
        cpuSeconds = 40;
        var second = await sampler.SampleAsync(CancellationToken.None);

        var erp = first.Single(s => s.SiteId == active.Id);
        Assert.Equal(5000, erp.DatabaseBytes);
        Assert.Equal(new FilesUsage(42, null), erp.Files);
        Assert.Equal(new RunnerUsage(10, 1000, null), erp.Runner);
        Assert.Null(erp.CpuRatio);
        Assert.Equal(0.5, second.Single(s => s.SiteId == active.Id).CpuRatio);
        var old = second.Single(s => s.SiteId == suspended.Id);
        Assert.Equal(RunnerUsage.Unmeasured("the site is Suspended: its runner does not run"), old.Runner);
        Assert.Equal(FilesUsage.Unmeasured("not measured: permission denied"), second.Single(s => s.SiteId == broken.Id).Files);
        Assert.Equal(2, store.Saved.Count);
        Assert.Equal(3, store.Saved[1].Count);
    }
}
