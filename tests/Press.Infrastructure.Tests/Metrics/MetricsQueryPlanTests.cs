using System.Text.Json;
using Npgsql;
using Press.Infrastructure.Metrics;

namespace Press.Infrastructure.Tests.Metrics;

/// <summary>
/// A scrape's database cost is bounded by the live fleet, never by history (docs/architecture.md §13): with 10,000
/// finished jobs, 2,000 purged sites and 50 backups per site, PostgreSQL plans every metrics query through an index
/// (no sequential scan of jobs, backups or sites), and the queries still count what they should.
/// </summary>
public sealed class MetricsQueryPlanTests(MetricsHistoryFixture f) : IClassFixture<MetricsHistoryFixture>
{
    internal static readonly DateTimeOffset Now = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);


    public static TheoryData<string> Queries() => [nameof(MetricsQueries.SitesByState), nameof(MetricsQueries.ActiveJobs), nameof(MetricsQueries.Backups)];

    [Theory]
    [MemberData(nameof(Queries))]
    public async Task Every_metrics_query_reads_through_an_index_never_a_whole_table(string name)
    {
        var scans = await ScansAsync((string)typeof(MetricsQueries).GetField(name)!.GetValue(null)!);
        Assert.NotEmpty(scans);
        var whole = scans.Where(n => n.Type == "Seq Scan").Select(n => n.Relation).ToList();
        Assert.True(whole.Count == 0, $"{name} scans whole tables: {string.Join(", ", whole)}");
        Assert.DoesNotContain(scans, n => n.Relation == "job_steps");
    }

    /// <summary>The check can fail: the hand-written exposition's job count (every job ever) scans the whole table.</summary>
    [Fact]
    public async Task The_former_count_of_every_job_is_seen_scanning_the_history() =>
        Assert.Contains(await ScansAsync("SELECT kind || '|' || state, count(*) FROM jobs GROUP BY kind, state"),
            n => n is { Type: "Seq Scan", Relation: "jobs" });

    private async Task<List<Node>> ScansAsync(string sql)
    {
        await using var conn = await f.Sources.Metadata.OpenConnectionAsync();
        await using var cmd = new NpgsqlCommand("EXPLAIN (FORMAT JSON) " + sql, conn);
        cmd.Parameters.AddWithValue("states", MetricsQueries.LiveStates);
        cmd.Parameters.AddWithValue("watched", MetricsQueries.WatchedStates);
        var plan = JsonDocument.Parse((string)(await cmd.ExecuteScalarAsync())!);
        return Nodes(plan.RootElement[0].GetProperty("Plan")).Where(n => n.Relation is not null).ToList();
    }

    [Fact]
    public async Task The_queries_count_the_live_fleet_and_what_is_unfinished()
    {
        var queries = new MetricsQueries(f.Sources);
        var sites = await queries.SitesByStateAsync(CancellationToken.None);
        Assert.False(sites.ContainsKey("Purged"));
        Assert.True(sites["Active"] >= 40, $"Active: {sites["Active"]}");

        var jobs = await queries.ActiveJobsAsync(CancellationToken.None);
        var restores = Assert.Single(jobs, j => j is { Kind: "RestoreSite", State: "Running" });
        Assert.Equal(2, restores.Count);
        Assert.Equal(Now - TimeSpan.FromHours(5), restores.OldestRunningStart);
        Assert.DoesNotContain(jobs, j => j.State is "Succeeded" or "Failed");

        var backups = (await queries.BackupsAsync(CancellationToken.None)).Where(b => b.Site.StartsWith("site", StringComparison.Ordinal)).ToList();
        Assert.Equal(45, backups.Count); // Active and Suspended; Deleted and Purged are not watched
        var site1 = Assert.Single(backups, b => b.Site == "site1.example.com");
        Assert.True(site1.NewestAttemptFailed);
        Assert.Equal(Now - TimeSpan.FromDays(1), site1.NewestGoodAt); // the newest good one, not the failed newest
        Assert.Single(backups, b => b.NewestAttemptFailed);
        Assert.All(backups, b => Assert.True(b.VerificationOk));
    }

    private sealed record Node(string Type, string? Relation);

    private static IEnumerable<Node> Nodes(JsonElement plan)
    {
        yield return new Node(plan.GetProperty("Node Type").GetString()!,
            plan.TryGetProperty("Relation Name", out var r) ? r.GetString() : null);
        if (plan.TryGetProperty("Plans", out var children))
            foreach (var child in children.EnumerateArray())
                foreach (var n in Nodes(child))
                    yield return n;
    }

    internal static async Task Exec(NpgsqlConnection conn, string sql)
    {
        await using var cmd = new NpgsqlCommand(sql, conn);
        cmd.Parameters.AddWithValue("now", Now);
        await cmd.ExecuteNonQueryAsync();
    }
}

/// <summary>One installation per class, seeded once with the history (<see cref="MetricsQueryPlanTests"/>).</summary>
public sealed class MetricsHistoryFixture : InfraFixture
{
    private static Task Exec(NpgsqlConnection conn, string sql) => MetricsQueryPlanTests.Exec(conn, sql);

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        await using var conn = await Sources.Metadata.OpenConnectionAsync();
        await Exec(conn, """
            INSERT INTO sites (id, name, state, db_name, schema_name, role_name, password_enc, created_at, updated_at)
            SELECT gen_random_uuid(), 'site' || i || '.example.com',
                   CASE WHEN i <= 40 THEN 'Active' WHEN i <= 45 THEN 'Suspended' WHEN i <= 50 THEN 'Deleted' ELSE 'Purged' END,
                   'press_sites', 't_plan' || i, 't_plan' || i, '\x00', @now - interval '400 days', @now
            FROM generate_series(1, 2050) i;

            -- 10,000 finished jobs of the purged and live sites: the history a scrape must not read.
            INSERT INTO jobs (id, site_id, kind, state, created_by, created_at, started_at, finished_at, run_after)
            SELECT gen_random_uuid(), s.id, 'NewSite', CASE WHEN n % 10 = 0 THEN 'Failed' ELSE 'Succeeded' END, 'test',
                   @now - interval '300 days', @now - interval '300 days', @now - interval '300 days', @now - interval '300 days'
            FROM (SELECT id, row_number() OVER () AS r FROM sites) s, generate_series(1, 5) n
            WHERE s.r <= 2000;

            -- 50 backups per live site (most pruned long ago), each with its job; the newest of site1 failed.
            INSERT INTO jobs (id, site_id, kind, state, created_by, created_at, started_at, finished_at, run_after)
            SELECT md5(s.name || n)::uuid, s.id, 'BackupSite',
                   CASE WHEN s.name = 'site1.example.com' AND n = 50 THEN 'Failed' ELSE 'Succeeded' END, 'test',
                   @now - (50 - n) * interval '1 day', @now - (50 - n) * interval '1 day', @now - (50 - n) * interval '1 day',
                   @now - (50 - n) * interval '1 day'
            FROM sites s, generate_series(1, 50) n WHERE s.state <> 'Purged';
            INSERT INTO backups (id, site_id, trigger, created_at, expires_at, good_at, pruned_at, verified_at, verify_ok)
            SELECT j.id, j.site_id, 'Scheduled', j.created_at, j.created_at + interval '30 days',
                   CASE WHEN j.state = 'Succeeded' THEN j.finished_at END,
                   CASE WHEN j.created_at < @now - interval '30 days' THEN @now - interval '1 day' END,
                   j.finished_at, true
            FROM jobs j WHERE j.kind = 'BackupSite';

            -- What is going on now: two running jobs (one for 5 hours), one queued.
            INSERT INTO jobs (id, site_id, kind, state, created_by, created_at, started_at, run_after)
            SELECT gen_random_uuid(), s.id, k.kind, k.state, 'test', @now, @now - k.age, @now
            FROM (VALUES ('site2.example.com', 'RestoreSite', 'Running', interval '5 hours'),
                         ('site3.example.com', 'RestoreSite', 'Running', interval '10 minutes'),
                         ('site4.example.com', 'SuspendSite', 'Queued', interval '0')) AS k(name, kind, state, age)
            JOIN sites s ON s.name = k.name;
            """);
        await Exec(conn, "VACUUM ANALYZE sites");
        await Exec(conn, "VACUUM ANALYZE jobs");
        await Exec(conn, "VACUUM ANALYZE backups");
    }
}
