using Microsoft.Extensions.Time.Testing;
using Press.Core.Jobs;
using Press.Core.Settings;
using Press.Core.Sites;
using Press.Core.Sites.Steps;
using Press.Core.Tests.Fakes;

namespace Press.Core.Tests.Sites.Steps;

public sealed class DeletionStepsTests
{
    private readonly FakeTimeProvider _time = new(TestData.Now);

    [Fact]
    public async Task MarkDeleted_records_now_and_a_purge_date_retention_days_later()
    {
        var site = TestData.Site(state: SiteState.Active);
        var sites = new FakeSiteStore(site);
        var step = new MarkDeletedStep(sites, new FakeSettingsStore(new PressSettings(7)), _time);

        var result = await step.RunAsync(TestData.Context(site, Recipes.DeleteSite), CancellationToken.None);

        var call = Assert.Single(sites.MarkDeletedCalls);
        Assert.Equal(new FakeSiteStore.MarkDeletedCall(site.Id, TestData.Now, TestData.Now.AddDays(7)), call);
        var done = Assert.IsType<StepResult.Done>(result);
        Assert.Equal($"deleted at {TestData.Now:O}; kept until {TestData.Now.AddDays(7):O}", done.Output);
    }

    [Fact]
    public async Task MarkDeleted_uses_the_default_retention_of_30_days()
    {
        var site = TestData.Site();
        var sites = new FakeSiteStore(site);
        var step = new MarkDeletedStep(sites, new FakeSettingsStore(PressSettings.Defaults), _time);

        await step.RunAsync(TestData.Context(site, Recipes.DeleteSite), CancellationToken.None);

        Assert.Equal(TestData.Now.AddDays(30), Assert.Single(sites.MarkDeletedCalls).PurgeAfter);
    }

    [Fact]
    public async Task MarkDeleted_on_a_site_already_marked_keeps_the_first_dates()
    {
        var deletedAt = TestData.Now.AddHours(-3);
        var purgeAfter = deletedAt.AddDays(30);
        var site = TestData.Site(deletedAt: deletedAt, purgeAfter: purgeAfter);
        var sites = new FakeSiteStore(site);
        var settings = new FakeSettingsStore(new PressSettings(1));
        var step = new MarkDeletedStep(sites, settings, _time);

        var result = await step.RunAsync(TestData.Context(site, Recipes.DeleteSite), CancellationToken.None);

        Assert.Empty(sites.MarkDeletedCalls);
        Assert.Equal(0, settings.Reads);
        var done = Assert.IsType<StepResult.Done>(result);
        Assert.Equal($"already marked deleted at {deletedAt:O}; purge after {purgeAfter:O}", done.Output);
    }

    [Fact]
    public async Task MarkDeleted_run_twice_after_a_crash_writes_the_dates_once()
    {
        var site = TestData.Site();
        var sites = new FakeSiteStore(site);
        var step = new MarkDeletedStep(sites, new FakeSettingsStore(new PressSettings(7)), _time);
        await step.RunAsync(TestData.Context(site, Recipes.DeleteSite), CancellationToken.None);
        _time.Advance(TimeSpan.FromMinutes(2));

        var again = await step.RunAsync(TestData.Context(sites.Sites[site.Id], Recipes.DeleteSite), CancellationToken.None);

        Assert.Single(sites.MarkDeletedCalls);
        Assert.Equal(TestData.Now, sites.Sites[site.Id].DeletedAt);
        Assert.StartsWith("already marked deleted", Assert.IsType<StepResult.Done>(again).Output);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(-86_400)]
    [InlineData(0)]
    public async Task CheckRetention_fails_permanently_once_the_window_has_ended(int secondsFromNow)
    {
        var purgeAfter = TestData.Now.AddSeconds(secondsFromNow);
        var site = TestData.Site(state: SiteState.Deleted, deletedAt: purgeAfter.AddDays(-30), purgeAfter: purgeAfter);

        var result = await new CheckRetentionStep(_time).RunAsync(TestData.Context(site, Recipes.UndeleteSite), CancellationToken.None);

        var fail = Assert.IsType<StepResult.Fail>(result);
        Assert.Equal(FailureKind.Permanent, fail.Kind);
        Assert.Equal($"the retention window ended at {purgeAfter:O}; the site can no longer be undeleted", fail.Error);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(86_400 * 29)]
    public async Task CheckRetention_succeeds_inside_the_window(int secondsFromNow)
    {
        var purgeAfter = TestData.Now.AddSeconds(secondsFromNow);
        var site = TestData.Site(state: SiteState.Deleted, deletedAt: purgeAfter.AddDays(-30), purgeAfter: purgeAfter);

        var result = await new CheckRetentionStep(_time).RunAsync(TestData.Context(site, Recipes.UndeleteSite), CancellationToken.None);

        var done = Assert.IsType<StepResult.Done>(result);
        Assert.Equal($"inside the retention window (purge after {purgeAfter:O})", done.Output);
    }

    [Fact]
    public async Task CheckRetention_follows_the_clock()
    {
        var purgeAfter = TestData.Now.AddDays(1);
        var site = TestData.Site(state: SiteState.Deleted, deletedAt: TestData.Now, purgeAfter: purgeAfter);
        var step = new CheckRetentionStep(_time);

        Assert.IsType<StepResult.Done>(await step.RunAsync(TestData.Context(site, Recipes.UndeleteSite), CancellationToken.None));
        _time.Advance(TimeSpan.FromDays(1));
        Assert.IsType<StepResult.Fail>(await step.RunAsync(TestData.Context(site, Recipes.UndeleteSite), CancellationToken.None));
    }

    [Fact]
    public async Task CheckRetention_succeeds_for_a_site_without_a_purge_date()
    {
        var site = TestData.Site(state: SiteState.Deleted);

        var result = await new CheckRetentionStep(_time).RunAsync(TestData.Context(site, Recipes.UndeleteSite), CancellationToken.None);

        Assert.IsType<StepResult.Done>(result);
    }

    [Fact]
    public async Task ClearDeletion_clears_the_marks_of_the_site()
    {
        var site = TestData.Site(state: SiteState.Deleted, deletedAt: TestData.Now.AddDays(-1), purgeAfter: TestData.Now.AddDays(29));
        var sites = new FakeSiteStore(site);

        var result = await new ClearDeletionStep(sites).RunAsync(TestData.Context(site, Recipes.UndeleteSite), CancellationToken.None);

        Assert.Equal([site.Id], sites.ClearDeletionCalls);
        Assert.Null(sites.Sites[site.Id].DeletedAt);
        Assert.Null(sites.Sites[site.Id].PurgeAfter);
        Assert.Equal(new StepResult.Done("deletion marks cleared"), result);
    }
}
