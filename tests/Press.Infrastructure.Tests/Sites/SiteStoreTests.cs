using Microsoft.Extensions.Time.Testing;
using Press.Core.Jobs;
using Press.Core.Sites;

namespace Press.Infrastructure.Tests.Sites;

/// <summary>Soft-delete bookkeeping the delete, undelete and retention jobs rely on.</summary>
public sealed class SiteStoreTests(InfraFixture f) : IClassFixture<InfraFixture>
{
    private static readonly CancellationToken Ct = CancellationToken.None;
    private static readonly DateTimeOffset T0 = new(2032, 3, 4, 5, 6, 7, TimeSpan.Zero);

    [Fact]
    public async Task MarkDeleted_keeps_the_first_values_and_ClearDeletion_removes_them()
    {
        var site = await f.CreateSiteRowAsync();
        var store = f.Store(new FakeTimeProvider(T0));

        await store.MarkDeletedAsync(site.Site.Id, T0, T0.AddDays(30), Ct);
        await store.MarkDeletedAsync(site.Site.Id, T0.AddHours(1), T0.AddDays(31), Ct); // a re-run step
        var marked = (await store.GetAsync(site.Site.Id, Ct))!;
        Assert.Equal((T0, T0.AddDays(30)), (marked.DeletedAt, marked.PurgeAfter));
        Assert.Equal(T0, marked.UpdatedAt);

        await store.ClearDeletionAsync(site.Site.Id, Ct);
        var cleared = (await store.GetAsync(site.Site.Id, Ct))!;
        Assert.Equal(((DateTimeOffset?)null, (DateTimeOffset?)null), (cleared.DeletedAt, cleared.PurgeAfter));
    }

    [Fact]
    public async Task ListExpiredDeleted_returns_deleted_sites_past_retention_without_a_running_job()
    {
        var store = f.Store();
        async Task<TestSite> Deleted(TimeSpan purgeIn, bool jobActive = false, SiteState state = SiteState.Deleted)
        {
            var s = await f.CreateSiteRowAsync();
            if (!jobActive) await f.FinishJobAsync(s.Job.Id, JobState.Succeeded, state);
            else await f.SetSiteStateAsync(s.Site.Id, state);
            await store.MarkDeletedAsync(s.Site.Id, T0 - TimeSpan.FromDays(30), T0 + purgeIn, Ct);
            return s;
        }

        var expiredLongAgo = await Deleted(-TimeSpan.FromDays(2));
        var expiredJustNow = await Deleted(TimeSpan.Zero);
        var notYet = await Deleted(TimeSpan.FromSeconds(1));
        var busy = await Deleted(-TimeSpan.FromDays(1), jobActive: true);
        var undeleted = await Deleted(-TimeSpan.FromDays(1), state: SiteState.Active);

        var mine = new[] { expiredLongAgo, expiredJustNow, notYet, busy, undeleted }.Select(s => s.Site.Id).ToHashSet();
        var listed = (await store.ListExpiredDeletedAsync(T0, Ct)).Where(s => mine.Contains(s.Id)).Select(s => s.Id);
        Assert.Equal(new[] { expiredLongAgo.Site.Id, expiredJustNow.Site.Id }, listed);
    }
}
