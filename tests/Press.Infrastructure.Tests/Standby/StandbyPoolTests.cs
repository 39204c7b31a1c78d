using Press.Core.Jobs;
using Press.Core.Ports;
using Press.Core.Sites;
using Press.Core.Standby;
using Press.Core.Tenancy;
using Press.Infrastructure.Postgres;

namespace Press.Infrastructure.Tests.Standby;

/// <summary>The standby pool's transactions against the real metadata store (docs/architecture.md §17).</summary>
public sealed class StandbyPoolTests(InfraFixture f) : IClassFixture<InfraFixture>
{
    private static readonly CancellationToken Ct = CancellationToken.None;
    private StandbyPool Pool() => new(f.Sources, TimeProvider.System);

    /// <summary>A standby of the app set, created as the refiller does and made ready (its NewSite job succeeded).</summary>
    private async Task<NewSiteRecord> ReadyStandbyAsync(AppSet apps)
    {
        var record = NewSiteRecord.For(StandbyNames.New(), apps.Apps, f.Db.SitesDatabase, f.Secrets) with { Standby = true };
        var job = await f.Commands().CreateSiteAsync(record, Recipes.NewSite, InfraFixture.Audit("standby.create", record.Name), Ct);
        await f.FinishJobAsync(job.Id, JobState.Succeeded, SiteState.Active);
        return record;
    }

    private StandbyClaim Claim(string name, AppSet apps) => new(name, apps, f.Secrets.Protect(SitePassword.New()), JobArgs.None);

    [Fact]
    public async Task Two_claims_at_once_take_two_different_standbys_and_a_third_finds_none()
    {
        var apps = AppSet.Of([$"app_{Guid.NewGuid():N}"[..20]]); // an app set of this test only
        var first = await ReadyStandbyAsync(apps);
        var second = await ReadyStandbyAsync(apps);
        Assert.Equal(2, (await Pool().ListAsync(Ct)).Count(s => s.Apps.Equals(apps) && s.PoolState == "ready"));

        var (a, b) = (InfraFixture.NewSiteName("claim-a"), InfraFixture.NewSiteName("claim-b"));
        var claims = await Task.WhenAll(Pool().ClaimAsync(Claim(a, apps), InfraFixture.Audit("site.create", a), Ct),
            Pool().ClaimAsync(Claim(b, apps), InfraFixture.Audit("site.create", b), Ct));
        Assert.Null(await Pool().ClaimAsync(Claim(InfraFixture.NewSiteName("claim-c"), apps), InfraFixture.Audit("site.create"), Ct));

        Assert.Equal(new[] { first.Id, second.Id }.Order(), claims.Select(j => j!.SiteId).Order());
        Assert.All(claims, j => Assert.Equal(JobKind.ClaimStandby, j!.Kind));
        Assert.All(claims, j => Assert.Equal(Recipes.ClaimStandby.Steps, j!.Steps.Select(s => s.Name)));
        var claimedA = await f.Store().GetAsync(claims.Single(j => j!.SiteName == a)!.SiteId, Ct);
        Assert.Equal((a, SiteState.Pending), (claimedA!.Name, claimedA.State));
        // The runtime keeps the standby's name (migration 0023): its Docker containers and volumes are named after it.
        Assert.Equal(claims.Single(j => j!.SiteName == a)!.Args[JobArgs.Standby], claimedA.RuntimeName);
        Assert.Equal(claimedA.RuntimeName, claimedA.RuntimeKey);
        Assert.Equal(new[] { first.Name, second.Name }.Order(), claims.Select(j => j!.Args[JobArgs.Standby]).Order());
        Assert.False(await f.SuperScalarAsync<bool>("SELECT standby FROM sites WHERE name = @n", ("n", a)));
        Assert.Equal($"site.create|{claims.Single(j => j!.SiteName == a)!.Args[JobArgs.Standby]}", await f.SuperScalarAsync<string>(
            "SELECT action || '|' || (details->>'standby') FROM audit_events WHERE site_name = @n", ("n", a)));
        Assert.DoesNotContain(await Pool().ListAsync(Ct), s => s.Apps.Equals(apps));
    }

    [Fact]
    public async Task A_claim_of_a_taken_name_changes_nothing()
    {
        var apps = AppSet.Of([$"app_{Guid.NewGuid():N}"[..20]]);
        var standby = await ReadyStandbyAsync(apps);
        var taken = await f.CreateSiteRowAsync();

        var ex = await Assert.ThrowsAsync<ConflictException>(() => Pool().ClaimAsync(Claim(taken.Name, apps), InfraFixture.Audit("site.create", taken.Name), Ct));

        Assert.Contains("already exists", ex.Message, StringComparison.Ordinal);
        Assert.Contains(await Pool().ListAsync(Ct), s => s.Id == standby.Id && s.PoolState == "ready" && s.Name == standby.Name);
    }

    [Fact]
    public async Task The_fall_back_frees_the_name_for_a_cold_site_once_however_often_it_runs()
    {
        var apps = AppSet.Of([$"app_{Guid.NewGuid():N}"[..20]]);
        var standby = await ReadyStandbyAsync(apps);
        var name = InfraFixture.NewSiteName("fallback");
        var claim = (await Pool().ClaimAsync(Claim(name, apps), InfraFixture.Audit("site.create", name), Ct))!;
        var cold = NewSiteRecord.For(name, apps.Apps, f.Db.SitesDatabase, f.Secrets);

        var job = await Pool().FallBackAsync(claim.Id, standby.Id, cold, InfraFixture.Audit("site.create", name), Ct);
        var again = await Pool().FallBackAsync(claim.Id, standby.Id, NewSiteRecord.For(name, apps.Apps, f.Db.SitesDatabase, f.Secrets),
            InfraFixture.Audit("site.create", name), Ct);

        Assert.Equal((JobKind.NewSite, cold.Id, claim.Id.ToString()), (job.Kind, job.SiteId, job.Args[JobArgs.FallbackFrom]));
        Assert.Equal(job.Id, again.Id);
        var discarded = await f.Store().GetAsync(standby.Id, Ct);
        Assert.Equal((StandbyNames.Discarded(standby.Id), SiteState.Deleted), (discarded!.Name, discarded.State));
        Assert.True(discarded.PurgeAfter <= DateTimeOffset.UtcNow, "the discarded standby's retention is not over");
        Assert.Equal(cold.Id, (await f.Store().FindByNameAsync(name, Ct))!.Id);
        // The discarded row still names the standby's runtime (its purge removes what is left of it); the cold site has none.
        Assert.Equal(standby.Name, discarded.RuntimeName);
        var coldSite = await f.Store().FindByNameAsync(name, Ct);
        Assert.Equal((null, name), (coldSite!.RuntimeName, coldSite.RuntimeKey));
    }

    [Fact]
    public async Task A_site_that_was_never_a_claimed_standby_records_no_runtime_name_and_keeps_names_of_its_own()
    {
        // As every row made before migration 0023: runtime_name NULL, so its Docker runner stays fcs-press-site-<name>.
        var site = await f.CreateSiteRowAsync();
        var loaded = await f.Store().GetAsync(site.Site.Id, Ct);
        Assert.Equal((null, site.Name), (loaded!.RuntimeName, loaded.RuntimeKey));
        Assert.Equal($"fcs-press-site-{site.Name}", Press.Infrastructure.Runtime.Docker.RunnerContainer.Name(loaded));
        Assert.Null(await f.SuperScalarAsync<string?>("SELECT runtime_name FROM sites WHERE id = @id", ("id", site.Site.Id)));
    }
}
