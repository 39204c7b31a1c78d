using Press.Infrastructure.Postgres.Archive;

namespace Press.Infrastructure.Tests.Postgres;

/// <summary>The split of a parallel restore's last phase, from what pg_restore 17 prints for <c>--list --section=data
/// --section=post-data</c> (this listing is its output for a schema with a partitioned table, an exclusion
/// constraint, a foreign key and an index whose name held a newline, which pg_restore prints as a space).</summary>
public sealed class PostDataPlanTests
{
    private const string Listing = """
        ;
        ; Archive created at 2026-12-03 02:35:23 UTC
        ;     dbname: lsexp
        ;
        ; Selected TOC Entries:
        ;
        3301; 0 20944 TABLE DATA s item postgres
        3311; 0 0 SEQUENCE SET s item_id_seq postgres
        3147; 2606 20951 CONSTRAINT s item item_id_excl postgres
        3149; 2606 20949 CONSTRAINT s item item_pkey postgres
        3145; 2606 20939 CONSTRAINT s tabSales Invoice tabSales Invoice_pkey postgres
        3141; 1259 20942 INDEX s customer index postgres
        3313; 0 0 COMMENT s INDEX "customer index" postgres
        3150; 1259 20963 INDEX s p_v_idx postgres
        3151; 1259 20964 INDEX s p1_v_idx postgres
        3152; 0 0 INDEX ATTACH s p1_v_idx postgres
        3153; 2606 20952 FK CONSTRAINT s item item_parent_fkey postgres
        """;

    [Fact]
    public void Index_builds_go_round_robin_to_the_builders_everything_that_needs_them_to_the_last_phase_and_comments_everywhere()
    {
        var plan = PostDataPlan.From(Listing, sessions: 2)!;

        Assert.Equal(
        [
            ["3147; 2606 20951 CONSTRAINT s item item_id_excl postgres", "3145; 2606 20939 CONSTRAINT s tabSales Invoice tabSales Invoice_pkey postgres",
             "3313; 0 0 COMMENT s INDEX \"customer index\" postgres", "3150; 1259 20963 INDEX s p_v_idx postgres"],
            ["3149; 2606 20949 CONSTRAINT s item item_pkey postgres", "3141; 1259 20942 INDEX s customer index postgres",
             "3313; 0 0 COMMENT s INDEX \"customer index\" postgres", "3151; 1259 20964 INDEX s p1_v_idx postgres"],
        ], plan.Builders);
        Assert.Equal(
        [
            "3301; 0 20944 TABLE DATA s item postgres", "3311; 0 0 SEQUENCE SET s item_id_seq postgres",
            "3313; 0 0 COMMENT s INDEX \"customer index\" postgres", "3152; 0 0 INDEX ATTACH s p1_v_idx postgres",
            "3153; 2606 20952 FK CONSTRAINT s item item_parent_fkey postgres",
        ], plan.Last);
    }

    [Fact]
    public void One_session_or_nothing_to_build_gives_what_it_can()
    {
        Assert.Single(PostDataPlan.From(Listing, sessions: 1)!.Builders);
        Assert.Equal(6, PostDataPlan.From(Listing, sessions: 8)!.Builders.Count); // never a builder without an index to build
        var none = PostDataPlan.From("3311; 0 0 SEQUENCE SET s q postgres\n", sessions: 2)!;
        Assert.Empty(none.Builders);
        Assert.Equal(["3311; 0 0 SEQUENCE SET s q postgres"], none.Last);
    }

    [Theory]
    [InlineData("3141; 1259 20942 INDEX s a postgres\n3141; 1259 20943 INDEX s b postgres")] // a dump id twice
    [InlineData("INDEX s a postgres")] // not an entry line
    public void A_listing_that_is_not_pg_restores_gives_no_plan_so_the_phase_runs_whole(string listing)
    {
        Assert.Null(PostDataPlan.From(listing, sessions: 2));
    }
}
