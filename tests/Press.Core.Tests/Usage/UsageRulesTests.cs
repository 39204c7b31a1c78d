using Press.Core.Usage;

namespace Press.Core.Tests.Usage;

public sealed class UsageRulesTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Cpu_ratio_is_cpu_seconds_used_per_second_between_two_samples() =>
        Assert.Equal(0.5, UsageRules.CpuRatio(100, T0, 130, T0.AddSeconds(60)));

    [Fact]
    public void Cpu_ratio_has_no_value_on_a_first_sample_a_restarted_runner_or_no_elapsed_time()
    {
        Assert.Null(UsageRules.CpuRatio(null, null, 130, T0));
        Assert.Null(UsageRules.CpuRatio(100, T0, 5, T0.AddSeconds(60))); // counter went back: recreated runner
        Assert.Null(UsageRules.CpuRatio(100, T0, 130, T0));
        Assert.Null(UsageRules.CpuRatio(100, T0, null, T0.AddSeconds(60)));
    }

    private static SiteUsage U(string site, long? db, int? capMb = null) =>
        new(site, T0, db, null, null, null, null, null, null, 0, 0, null, new SiteLimits(null, null, capMb));

    [Fact]
    public void Top_keeps_the_k_largest_with_a_value_ties_by_name()
    {
        var usage = new[] { U("a", 10), U("b", 30), U("c", null), U("d", 30), U("e", 5) };

        Assert.Equal([("b", 30.0), ("d", 30.0), ("a", 10.0)], UsageRules.Top(usage, 3, u => u.DatabaseBytes));
        Assert.Empty(UsageRules.Top(usage, 0, u => u.DatabaseBytes));
    }

    [Fact]
    public void Top_bounds_the_series_whatever_the_fleet_size()
    {
        var fleet = Enumerable.Range(0, 10_000).Select(i => U($"site-{i}", i)).ToList();

        var top = UsageRules.Top(fleet, 20, u => u.DatabaseBytes);

        Assert.Equal(20, top.Count);
        Assert.Equal(("site-9999", 9999.0), top[0]);
    }

    [Fact]
    public void Cap_ratio_and_over_cap_only_for_a_site_with_a_cap_and_a_measure()
    {
        var over = U("a", 3L * 1024 * 1024, capMb: 2);
        Assert.Equal(1.5, UsageRules.CapRatio(over));
        Assert.True(over.DatabaseOverCap);
        Assert.False(U("b", 2L * 1024 * 1024, capMb: 2).DatabaseOverCap); // at the cap is not over it
        Assert.Null(UsageRules.CapRatio(U("c", 100)));
        Assert.Null(UsageRules.CapRatio(U("d", null, capMb: 2)));
    }
}
