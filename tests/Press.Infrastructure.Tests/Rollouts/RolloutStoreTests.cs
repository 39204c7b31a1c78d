using Press.Core.Audit;
using Press.Core.Rollouts;
using Press.Infrastructure.Postgres;

namespace Press.Infrastructure.Tests.Rollouts;

/// <summary>Rollouts in PostgreSQL (migration 0020, docs/architecture.md §19): the plan round-trips, one lease at a
/// time, state changes only from the allowed states, and each change is audited with it.</summary>
public sealed class RolloutStoreTests(InfraFixture f) : IClassFixture<InfraFixture>
{
    [Fact]
    public async Task A_rollout_round_trips_is_leased_once_and_changes_state_only_from_the_allowed_ones()
    {
        var store = new RolloutStore(f.Sources, TimeProvider.System);
        var a = await f.CreateSiteRowAsync();
        var b = await f.CreateSiteRowAsync();
        var rollout = new Rollout(Guid.CreateVersion7(), "frappe/erpnext:v16.1.0", RolloutState.Running, 1, 2, 0, "admin", DateTimeOffset.UtcNow, null,
            [new RolloutSite(a.Site.Id, a.Name, 0, RolloutSiteState.Pending, null, null), new RolloutSite(b.Site.Id, b.Name, 1, RolloutSiteState.Pending, null, null)]);
        await store.CreateAsync(rollout, new AuditEntry("admin", "upgrade.start", null, rollout.Id.ToString(), null, null), CancellationToken.None);

        var leased = await store.LeaseDueAsync(TimeSpan.FromSeconds(30), CancellationToken.None);
        Assert.Contains(leased, r => r.Id == rollout.Id);
        Assert.DoesNotContain(await store.LeaseDueAsync(TimeSpan.FromSeconds(30), CancellationToken.None), r => r.Id == rollout.Id);
        await store.ReleaseAsync(rollout.Id, CancellationToken.None);
        Assert.Contains(await store.LeaseDueAsync(TimeSpan.FromSeconds(30), CancellationToken.None), r => r.Id == rollout.Id);

        await store.SaveSiteAsync(rollout.Id, rollout.Sites[0] with { State = RolloutSiteState.Upgrading, JobId = a.Job.Id, Detail = "job" }, CancellationToken.None);
        Assert.True(await store.SetStateAsync(rollout.Id, RolloutState.Paused, "budget", [RolloutState.Running],
            new AuditEntry("admin", "upgrade.pause", null, rollout.Id.ToString(), null, null), CancellationToken.None));
        Assert.False(await store.SetStateAsync(rollout.Id, RolloutState.Paused, "again", [RolloutState.Running], null, CancellationToken.None));
        // Paused with a site still upgrading: leased, so a tick follows that upgrade to its end.
        await store.ReleaseAsync(rollout.Id, CancellationToken.None);
        Assert.Contains(await store.LeaseDueAsync(TimeSpan.FromSeconds(30), CancellationToken.None), r => r.Id == rollout.Id);
        await store.ReleaseAsync(rollout.Id, CancellationToken.None);
        Assert.True(await store.SetStateAsync(rollout.Id, RolloutState.Running, null, [RolloutState.Paused], null, CancellationToken.None, acceptFailures: 1));

        var read = (await store.GetAsync(rollout.Id, CancellationToken.None))!;
        Assert.Equal((RolloutState.Running, 1, "frappe/erpnext:v16.1.0"), (read.State, read.AcceptedFailures, read.Image));
        Assert.Equal([(a.Name, 0, RolloutSiteState.Upgrading, (Guid?)a.Job.Id), (b.Name, 1, RolloutSiteState.Pending, null)],
            read.Sites.Select(s => (s.SiteName, s.Wave, s.State, s.JobId)));
        Assert.Equal(2L, await f.SuperScalarAsync<long>("SELECT count(*) FROM audit_events WHERE target = @t", ("t", rollout.Id.ToString())));
    }
}
