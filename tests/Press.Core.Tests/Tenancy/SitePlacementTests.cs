using Press.Core.Tenancy;

namespace Press.Core.Tests.Tenancy;

/// <summary>Where new sites go (docs/architecture.md §16), as a pure rule over the databases' fill.</summary>
public sealed class SitePlacementTests
{
    private static readonly SitePlacement Rule = new("press_sites", SitesPerDatabase: 2);

    [Fact]
    public void A_fresh_installation_starts_in_the_database_bootstrap_made()
    {
        Assert.Equal("press_sites", Rule.Choose([]));
        Assert.Equal("press_sites", Rule.Choose([new("press_sites", false, 1)]));
    }

    [Fact]
    public void When_every_database_is_full_the_next_one_is_named_after_the_highest()
    {
        Assert.Equal("press_sites_002", Rule.Choose([new("press_sites", false, 2)]));
        Assert.Equal("press_sites_004", Rule.Choose([new("press_sites", false, 2), new("press_sites_003", false, 5), new("press_sites_002", true, 0)]));
    }

    [Fact]
    public void The_least_filled_open_database_wins_and_ties_go_to_the_oldest()
    {
        Assert.Equal("press_sites_003", Rule.Choose([new("press_sites", false, 1), new("press_sites_002", false, 1), new("press_sites_003", false, 0)]));
        Assert.Equal("press_sites_002", Rule.Choose([new("press_sites", false, 2), new("press_sites_003", false, 1), new("press_sites_002", false, 1)]));
    }

    [Fact]
    public void A_closed_database_and_one_that_is_not_Presss_get_no_new_site()
    {
        Assert.Equal("press_sites_002", Rule.Choose([new("press_sites", true, 0)]));
        // Sites an older installation kept elsewhere are counted there, never placed there.
        Assert.Equal("press_sites", Rule.Choose([new("legacy_db", false, 0)]));
        Assert.Null(Rule.Index("press_sites_02"));
        Assert.Null(Rule.Index("press_sites_001"));
        Assert.Null(Rule.Index("press_sitesx002"));
        Assert.Equal(7, Rule.Index("press_sites_007"));
    }

    [Fact]
    public void A_lowered_cap_sends_new_sites_past_databases_already_over_it()
    {
        var lowered = Rule with { SitesPerDatabase = 1 };
        Assert.Equal("press_sites_002", lowered.Choose([new("press_sites", false, 2)]));
        Assert.True(lowered.IsFull(1));
        Assert.False(Rule.IsFull(1));
    }
}
