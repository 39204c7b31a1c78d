using Press.Infrastructure.Postgres.Archive;

namespace Press.Infrastructure.Tests.Postgres;

/// <summary>pg_dump and pg_restore argument lists and the dump plan, as pure functions (docs/architecture.md §6).</summary>
public sealed class PgArgsTests
{
    [Fact]
    public void A_whole_schema_archive()
    {
        Assert.Equal(
            ["--format=custom", "--compress=zstd:1", "--dbname=press_sites_001", "--schema=t_abc", "--role=t_abc", "--snapshot=00000003-1", "--enable-row-security", "--no-password"],
            PgArgs.DumpSchema("press_sites_001", "t_abc", "t_abc", "00000003-1", "zstd:1", []));
    }

    [Fact]
    public void The_definitions_archive_of_a_parallel_dump_leaves_out_the_rows_of_exactly_the_data_archives_tables()
    {
        // Table by table: "t_abc".* would leave out the sequences' values too.
        Assert.Equal(
            ["--format=custom", "--compress=lz4:3", "--dbname=press_sites", "--schema=t_abc",
             "--exclude-table-data=\"t_abc\".\"tabItem\"", "--exclude-table-data=\"t_abc\".\"x.*\"",
             "--role=r", "--snapshot=s", "--enable-row-security", "--no-password"],
            PgArgs.DumpSchema("press_sites", "t_abc", "r", "s", "lz4:3", ["tabItem", "x.*"]));
    }

    [Fact]
    public void Tools_before_16_get_no_compress_option()
    {
        Assert.Equal(
            ["--format=custom", "--dbname=press_sites", "--schema=t_abc", "--role=r", "--snapshot=s", "--enable-row-security", "--no-password"],
            PgArgs.DumpSchema("press_sites", "t_abc", "r", "s", null, []));
    }

    [Fact]
    public void A_data_archive_names_each_table_quoted_so_pattern_characters_are_literal()
    {
        Assert.Equal(
            ["--format=custom", "--compress=zstd:1", "--dbname=press_sites", "--data-only",
             "--table=\"t_abc\".\"tabSales Invoice\"", "--table=\"t_abc\".\"a*b?.c\"\"d\"",
             "--role=r", "--snapshot=s", "--enable-row-security", "--no-password"],
            PgArgs.DumpRows("press_sites", "t_abc", ["tabSales Invoice", "a*b?.c\"d"], "r", "s", "zstd:1"));
        Assert.Throws<ArgumentException>(() => PgArgs.DumpRows("press_sites", "t_abc", [], "r", "s", "zstd:1"));
    }

    [Theory]
    [InlineData("host=evil dbname=x")]
    [InlineData("postgresql://evil/x")]
    [InlineData("")]
    public void A_database_that_pg_dump_would_read_as_a_connection_string_is_refused(string database)
    {
        Assert.Throws<ArgumentException>(() => PgArgs.DumpSchema(database, "t_abc", "r", "s", null, []));
        Assert.Throws<ArgumentException>(() => PgArgs.DumpRows(database, "t_abc", ["x"], "r", "s", null));
    }

    [Fact]
    public void Restore_phases()
    {
        string[] common = ["--schema=t_old", "--no-owner", "--no-privileges", "--exit-on-error"];
        Assert.Equal([.. common, "-f", "-"], PgArgs.Restore("t_old", PgArgs.RestorePhase.Whole));
        Assert.Equal([.. common, "--section=pre-data", "-f", "-"], PgArgs.Restore("t_old", PgArgs.RestorePhase.BeforeRows));
        Assert.Equal([.. common, "-f", "-"], PgArgs.Restore("t_old", PgArgs.RestorePhase.Rows));
        Assert.Equal([.. common, "--section=data", "--section=post-data", "-f", "-"], PgArgs.Restore("t_old", PgArgs.RestorePhase.AfterRows));
        Assert.Equal([.. common, "--section=data", "--section=post-data", "--use-list=/tmp/l 1", "-f", "-"],
            PgArgs.Restore("t_old", PgArgs.RestorePhase.AfterRows, "/tmp/l 1"));
        Assert.Equal(["--schema=t_old", "--section=data", "--section=post-data", "--list"], PgArgs.ListAfterRows("t_old"));
    }

    [Theory]
    [InlineData(17, "zstd:1", "zstd:1")]
    [InlineData(16, "lz4", "lz4")]
    [InlineData(16, "gzip:9", "gzip:9")]
    [InlineData(17, "none", "none")]
    [InlineData(15, "zstd:1", null)] // pg_dump 15 knows only gzip (-Z 0-9): its default
    [InlineData(13, "lz4:1", null)]
    public void Compression_follows_the_tools(int major, string configured, string? expected)
    {
        Assert.Equal(expected, DumpPlan.CompressionFor(major, configured));
        Assert.Equal(expected ?? "gzip", DumpPlan.Describe(expected));
    }

    [Theory]
    [InlineData("zstd:23")]
    [InlineData("zstd:0")]
    [InlineData("brotli")]
    [InlineData("zstd:1;rm")]
    [InlineData("")]
    public void A_compression_pg_dump_would_refuse_is_refused_before_any_dump(string configured)
    {
        var ex = Assert.Throws<ArgumentException>(() => DumpPlan.CompressionFor(17, configured));
        Assert.Contains("Press:Backups:Compression", ex.Message);
    }

    [Fact]
    public void Large_tables_first_onto_the_lightest_archive()
    {
        var spread = DumpPlan.Spread([("a", 100), ("b", 700), ("c", 300), ("d", 300), ("e", 50)], thresholdBytes: 1000, jobs: 2);
        // b (700) → 1; c (300) → 2; d (300) → 2 (600); a (100) → 2 (700); e (50) → 1 (750).
        Assert.Equal([["b", "e"], ["a", "c", "d"]], spread.Select(p => p.ToArray()).ToArray());
    }

    [Fact]
    public void Small_schemas_single_tables_and_one_job_are_one_archive()
    {
        Assert.Empty(DumpPlan.Spread([("a", 400), ("b", 500)], thresholdBytes: 1000, jobs: 4));
        Assert.Empty(DumpPlan.Spread([("a", 5000)], thresholdBytes: 1000, jobs: 4));
        Assert.Empty(DumpPlan.Spread([("a", 5000), ("b", 5000)], thresholdBytes: 1000, jobs: 1));
        Assert.Empty(DumpPlan.Spread([], thresholdBytes: 0, jobs: 4));
    }

    [Fact]
    public void Never_more_archives_than_tables()
    {
        var spread = DumpPlan.Spread([("a", 0), ("b", 0)], thresholdBytes: 0, jobs: 8);
        Assert.Equal([["a"], ["b"]], spread.Select(p => p.ToArray()).ToArray());
    }
}
