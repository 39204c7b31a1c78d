using Press.Core.Audit;
using Press.Core.Jobs;
using Press.Core.Ports;
using Press.Core.Routing;
using Press.Core.Settings;
using Press.Core.Sites;
using Press.Core.Standby;
using Press.Core.Tenancy;
using Press.Core.Tests.Fakes;

namespace Press.Core.Tests.Standby;

/// <summary>The standby pool's rules (docs/architecture.md §17): app sets, names, what to create next, claims, routing.</summary>
public sealed class StandbyRulesTests
{
    private static readonly AppSet Frappe = AppSet.Of([]);
    private static readonly AppSet Erp = AppSet.Of(["erpnext"]);

    [Fact]
    public void An_app_set_is_its_apps_sorted_without_frappe_whatever_the_order_asked()
    {
        Assert.Equal("erpnext,hrms", AppSet.Of(["hrms", "frappe", "erpnext", "hrms"]).Key);
        Assert.Equal(AppSet.Of(["hrms", "erpnext"]), AppSet.Of(["erpnext", "hrms"]));
        Assert.Equal("frappe", AppSet.Of(["frappe"]).Key);
        Assert.Equal([Frappe, Erp, AppSet.Of(["erpnext", "hrms"])], AppSet.ParseList("frappe; erpnext ;hrms,erpnext;erpnext"));
    }

    [Fact]
    public void The_app_sets_setting_names_every_problem()
    {
        Assert.Null(AppSet.Problem("frappe;erpnext,hrms"));
        Assert.Contains("'Bad'", AppSet.Problem("frappe;Bad,erpnext"));
        Assert.Contains("separated by ';'", AppSet.Problem("frappe;;erpnext"));
        Assert.Equal("must be a whole number of sites per app set between 0 and 50", PressSettings.Validators[PressSettings.StandbySizeKey]("51"));
        Assert.Equal("0", PressSettings.DefaultValues[PressSettings.StandbySizeKey]);
    }

    [Fact]
    public void Standby_names_are_opaque_under_invalid_and_no_customer_may_ask_for_one()
    {
        var name = StandbyNames.New();
        Assert.Matches("^standby-[a-z2-7]{16}\\.invalid$", name);
        Assert.NotEqual(name, StandbyNames.New());
        Assert.Empty(SiteNameRules.Validate("erp.example.com"));
        Assert.Contains(SiteNameRules.Validate(name), p => p.Contains("standby sites", StringComparison.Ordinal));
        Assert.Contains(SiteNameRules.Validate("shop.invalid"), p => p.Contains("RFC 6761", StringComparison.Ordinal));
        var id = Guid.NewGuid();
        Assert.True(StandbyNames.IsDiscarded(StandbyNames.Discarded(id)));
        Assert.Equal(StandbyNames.Discarded(id), StandbyNames.Discarded(id));
        Assert.False(StandbyNames.IsDiscarded(name));
    }

    [Fact]
    public void The_plan_fills_each_app_set_round_robin_within_the_bound_on_creates()
    {
        var counts = new List<StandbyCount> { new(Frappe, Ready: 1, Creating: 0, Broken: 0), new(Erp, 0, 0, 0) };
        Assert.Equal([Frappe, Erp, Frappe, Erp], StandbyPlan.Next(3, [Frappe, Erp], counts, maxCreating: 4));
        Assert.Equal([Frappe, Erp], StandbyPlan.Next(3, [Frappe, Erp], counts, maxCreating: 2));
        // Creating ones count against both the target and the bound.
        Assert.Equal([Erp], StandbyPlan.Next(3, [Frappe, Erp], [new(Frappe, 1, 2, 0), new(Erp, 0, 1, 0)], maxCreating: 4));
        // Broken ones count against the target: a pool whose creates fail does not grow.
        Assert.Empty(StandbyPlan.Next(2, [Frappe], [new(Frappe, 0, 0, 2)], maxCreating: 4));
        Assert.Empty(StandbyPlan.Next(0, [Frappe], [], maxCreating: 4));
    }

    [Fact]
    public void Pool_states_follow_the_site_state_and_its_running_job()
    {
        StandbySite Site(SiteState state, bool busy) => new(Guid.NewGuid(), StandbyNames.New(), Frappe, state, busy, DateTimeOffset.UnixEpoch);
        Assert.Equal("ready", Site(SiteState.Active, false).PoolState);
        Assert.Equal("creating", Site(SiteState.Active, true).PoolState);
        Assert.Equal("creating", Site(SiteState.Installing, true).PoolState);
        Assert.Equal("broken", Site(SiteState.Broken, false).PoolState);
        var counted = StandbyCount.Of([Frappe, Erp], [Site(SiteState.Active, false), Site(SiteState.Installing, true), Site(SiteState.Broken, false)]);
        Assert.Equal([new StandbyCount(Frappe, 1, 1, 1), new StandbyCount(Erp, 0, 0, 0)], counted);
    }

    [Fact]
    public void A_standby_is_never_routed_not_even_to_a_maintenance_page()
    {
        var table = RoutePlanner.Plan([
            new SiteRouting("erp.example.com", SiteState.Active, 48600, true, []),
            new SiteRouting("standby-aaaa.invalid", SiteState.Active, 48601, true, ["leak.example.com"], Standby: true),
        ], "press.example.net");
        Assert.Equal(["erp.example.com", "press.example.net"], table.Routes.Select(r => r.Host));
    }

    [Fact]
    public void The_claim_recipe_renames_before_it_starts_and_falls_back_to_a_cold_create()
    {
        var recipe = Recipes.For(JobKind.ClaimStandby);
        Assert.Equal([StepNames.RenameSite, StepNames.WriteSiteConfig, StepNames.StartRuntime, StepNames.RotateAdminPassword,
            StepNames.WaitHealthy, StepNames.RegisterSsoClient, StepNames.ConfigureSiteSso], recipe.Steps);
        Assert.Equal([StepNames.FallBackToColdCreate], recipe.Undo);
        Assert.Null(recipe.FailureState(StepNames.WaitHealthy)); // the undo sets the discarded row's state
        Assert.Contains(Recipes.ClaimStandby, Recipes.All);
    }

    private readonly FakeSiteCommands _commands = new();
    private readonly FakeStandbyPool _pool = new();

    private SiteOperations Operations(int standbySize) => new(_commands, new FakeSecretProtector(), new FakeJobSignals(),
        new TenancyOptions { SitesDatabase = "press_sites_test" }, new FakeSiteStore(), new FakeBackupStore(), new FakeBackupStore(),
        new PressHost("press.example.net"), new FakeSettingsStore(PressSettings.Defaults with { StandbySize = standbySize }), new FakeSiteSsoStore(), _pool);

    [Fact]
    public async Task A_create_claims_a_ready_standby_of_its_app_set_and_answers_with_the_claim_job()
    {
        var ready = new StandbySite(Guid.NewGuid(), StandbyNames.New(), Erp, SiteState.Active, false, DateTimeOffset.UnixEpoch);
        _pool.Sites.Add(ready);
        var alice = new Actor("alice", "203.0.113.9");

        var job = await Operations(1).CreateAsync(new NewSiteRequest("erp.example.com", ["erpnext"]), alice, CancellationToken.None);

        Assert.Equal(JobKind.ClaimStandby, job.Kind);
        Assert.Equal(ready.Id, job.SiteId);
        Assert.Equal(ready.Name, job.Args[JobArgs.Standby]);
        Assert.Empty(_commands.Creates);
        var (claim, audit) = Assert.Single(_pool.Claims);
        Assert.Equal("erp.example.com", claim.Name);
        Assert.Equal(("site.create", "erp.example.com", "standby"), (audit.Action, audit.SiteName, audit.Details!["from"]));
        Assert.NotEmpty(claim.EncryptedAdminPassword);
    }

    [Fact]
    public async Task Without_a_ready_standby_of_the_app_set_or_with_the_pool_off_the_site_is_created_cold()
    {
        _pool.Sites.Add(new StandbySite(Guid.NewGuid(), StandbyNames.New(), Frappe, SiteState.Active, false, DateTimeOffset.UnixEpoch));
        var alice = new Actor("alice", null);

        var other = await Operations(1).CreateAsync(new NewSiteRequest("erp.example.com", ["erpnext"]), alice, CancellationToken.None);
        var off = await Operations(0).CreateAsync(new NewSiteRequest("crm.example.com", []), alice, CancellationToken.None);

        Assert.Equal([JobKind.NewSite, JobKind.NewSite], [other.Kind, off.Kind]);
        Assert.Empty(_pool.Claims);
        Assert.Equal(["erp.example.com", "crm.example.com"], _commands.Creates.Select(c => c.Site.Name));
        Assert.All(_commands.Creates, c => Assert.False(c.Site.Standby));
    }
}
