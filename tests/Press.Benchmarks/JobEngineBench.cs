using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Press.Core.Audit;
using Press.Core.Jobs;
using Press.Core.Ports;
using Press.Core.Sites;
using Press.Infrastructure.Postgres;
using Press.Testing;

namespace Press.Benchmarks;

/// <summary>One job-engine round: jobs run, with how many claim loops, in how long, and the per-job times (ms).</summary>
public sealed record EngineRound(string Engine, int Workers, int Jobs, double WallSeconds, Summary ClaimMs, Summary RunMs)
{
    public double JobsPerSecond => Jobs / WallSeconds;
}

/// <summary>
/// The job engine's own cost: Press's real <see cref="JobStore"/> (the claim with FOR UPDATE SKIP LOCKED, the lease, every
/// step and state write) and <see cref="JobRunner"/> run jobs whose one step does nothing, against a raw
/// <c>FOR UPDATE SKIP LOCKED</c> queue of the same size on the same server, with 1, 2 and 4 claim loops.
/// <para>
/// The no-op job: the VerifyBackup recipe (one step, changes nothing on the site) with its step replaced here by one that
/// returns at once. Nothing of this ships: the product's recipes and steps stay as they are, and a real job's steps
/// cost what the other benchmarks measure. Each loop is one "worker" with its own worker id, all in this process, so
/// what is measured is PostgreSQL and the engine, not process start-up or the Redis wake-up (an idle real worker is
/// woken by Redis at once, and polls only when Redis is down).
/// </para>
/// </summary>
public sealed class JobEngineBench(PressDatabase db) : IAsyncDisposable
{
    private readonly PressDataSources _sources = new(db.Options);

    public const string PressEngine = "Press JobStore + JobRunner";
    public const string UnfoldedEngine = "Press, writes unfolded (as before issue 15)";

    /// <summary>One VerifyBackup job per site in <paramref name="sites"/>, then <paramref name="workers"/> loops claim and run them all.</summary>
    /// <param name="unfolded">The same-run baseline of the fold: the store makes the start and the success writes of their
    /// own (the interface's default folded writes: five commits per one-step job instead of three), as before issue 15.</param>
    public async Task<EngineRound> PressAsync(IReadOnlyList<string> sites, int workers, CancellationToken ct, bool unfolded = false)
    {
        var commands = new SiteCommandStore(_sources, TimeProvider.System);
        var ids = new List<Guid>(sites.Count);
        foreach (var site in sites)
            ids.Add((await commands.EnqueueAsync(site, Recipes.VerifyBackup, [SiteState.Active], Actor.System("benchmark").Did("backup.verify", site), ct)).Id);

        var store = new JobStore(_sources, TimeProvider.System);
        var runner = new JobRunner(unfolded ? new UnfoldedStore(store) : store, new SiteStore(_sources, TimeProvider.System), [new NoOpStep(StepNames.VerifyRestore)], new NoSignals(), [],
            new JobRunnerOptions(), TimeProvider.System, NullLogger<JobRunner>.Instance);
        var claims = new ConcurrentBag<double>();
        var runs = new ConcurrentBag<double>();
        var lease = new JobRunnerOptions().Lease;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, workers).Select(w => Task.Run(async () =>
        {
            var id = $"bench-{w}";
            while (true)
            {
                var start = Stopwatch.GetTimestamp();
                if (await store.ClaimNextAsync(id, lease, [], ct) is not { } claim) return;
                claims.Add(Timing.MsSince(start));
                start = Stopwatch.GetTimestamp();
                await runner.RunAsync(claim, ct);
                runs.Add(Timing.MsSince(start));
            }
        }, ct)));
        var wall = clock.Elapsed.TotalSeconds;
        await using var conn = await _sources.Metadata.OpenConnectionAsync(ct);
        await using var count = new NpgsqlCommand("SELECT count(*) FROM jobs WHERE id = ANY(@ids) AND state = 'Succeeded'", conn);
        count.Parameters.AddWithValue("ids", ids.ToArray());
        var succeeded = (long)(await count.ExecuteScalarAsync(ct))!;
        if (succeeded < sites.Count) throw new InvalidOperationException($"only {succeeded} of {sites.Count} no-op jobs succeeded");
        return new EngineRound(unfolded ? UnfoldedEngine : PressEngine, workers, sites.Count, wall, Summary.Of(claims), Summary.Of(runs));
    }

    /// <summary>
    /// The floor: a table of <paramref name="jobs"/> queued rows; each loop claims the oldest with one
    /// <c>UPDATE … WHERE id = (SELECT … FOR UPDATE SKIP LOCKED LIMIT 1)</c> and marks it done with a second UPDATE (two
    /// autocommit statements per job — the least a durable queue with a running state needs).
    /// </summary>
    public async Task<EngineRound> RawAsync(int jobs, int workers, CancellationToken ct)
    {
        var su = new NpgsqlConnectionStringBuilder(db.Superuser) { Database = db.MetadataDatabase, MaxPoolSize = 16 };
        await using var raw = NpgsqlDataSource.Create(su.ConnectionString);
        await using (var conn = await raw.OpenConnectionAsync(ct))
        {
            await BackupBench.ExecAsync(conn, """
                DROP TABLE IF EXISTS bench_raw_queue;
                CREATE TABLE bench_raw_queue (id bigserial PRIMARY KEY, state text NOT NULL DEFAULT 'Queued',
                    created_at timestamptz NOT NULL DEFAULT clock_timestamp(), started_at timestamptz, finished_at timestamptz, owner text);
                CREATE INDEX ON bench_raw_queue (id) WHERE state = 'Queued';
                """, ct);
            await BackupBench.ExecAsync(conn, $"INSERT INTO bench_raw_queue (state) SELECT 'Queued' FROM generate_series(1, {jobs}); ANALYZE bench_raw_queue", ct);
        }
        var claims = new ConcurrentBag<double>();
        var runs = new ConcurrentBag<double>();
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, workers).Select(w => Task.Run(async () =>
        {
            await using var conn = await raw.OpenConnectionAsync(ct);
            await using var claim = new NpgsqlCommand("""
                UPDATE bench_raw_queue SET state = 'Running', started_at = clock_timestamp(), owner = @w
                WHERE id = (SELECT id FROM bench_raw_queue WHERE state = 'Queued' ORDER BY id FOR UPDATE SKIP LOCKED LIMIT 1)
                RETURNING id
                """, conn);
            claim.Parameters.AddWithValue("w", $"raw-{w}");
            await using var finish = new NpgsqlCommand("UPDATE bench_raw_queue SET state = 'Done', finished_at = clock_timestamp() WHERE id = @id", conn);
            var id = finish.Parameters.Add("id", NpgsqlTypes.NpgsqlDbType.Bigint);
            while (true)
            {
                var start = Stopwatch.GetTimestamp();
                if (await claim.ExecuteScalarAsync(ct) is not long claimed) return;
                claims.Add(Timing.MsSince(start));
                start = Stopwatch.GetTimestamp();
                id.Value = claimed;
                await finish.ExecuteNonQueryAsync(ct);
                runs.Add(Timing.MsSince(start));
            }
        }, ct)));
        var wall = clock.Elapsed.TotalSeconds;
        await using (var conn = await raw.OpenConnectionAsync(ct))
        {
            var done = await BackupBench.ScalarAsync<long>(conn, "SELECT count(*) FROM bench_raw_queue WHERE state = 'Done'", ct);
            if (done != jobs) throw new InvalidOperationException($"raw queue: {done} of {jobs} done");
            await BackupBench.ExecAsync(conn, "DROP TABLE bench_raw_queue", ct);
        }
        return new EngineRound("raw FOR UPDATE SKIP LOCKED", workers, jobs, wall, Summary.Of(claims), Summary.Of(runs));
    }

    public ValueTask DisposeAsync() => _sources.DisposeAsync();

    /// <summary>Press's store without its folded writes: the interface's defaults make each one as two transactions.</summary>
    private sealed class UnfoldedStore(JobStore store) : IJobStore
    {
        public Task<ClaimedJob?> ClaimNextAsync(string workerId, TimeSpan lease, IReadOnlyCollection<Guid> running, CancellationToken ct) =>
            store.ClaimNextAsync(workerId, lease, running, ct);
        public Task<bool> RenewLeaseAsync(JobLease lease, CancellationToken ct) => store.RenewLeaseAsync(lease, ct);
        public Task<Job?> GetAsync(Guid jobId, CancellationToken ct) => store.GetAsync(jobId, ct);
        public Task<DateTimeOffset?> NextDueAsync(CancellationToken ct) => store.NextDueAsync(ct);
        public Task StartAsync(JobLease lease, SiteState? siteState, CancellationToken ct) => store.StartAsync(lease, siteState, ct);
        public Task StepStartedAsync(JobLease lease, int ordinal, CancellationToken ct) => store.StepStartedAsync(lease, ordinal, ct);
        public Task StepFinishedAsync(JobLease lease, int ordinal, StepState state, string? output, string? error, CancellationToken ct) =>
            store.StepFinishedAsync(lease, ordinal, state, output, error, ct);
        public Task WaitAsync(JobLease lease, int ordinal, DateTimeOffset runAfter, string? output, string? error, CancellationToken ct) =>
            store.WaitAsync(lease, ordinal, runAfter, output, error, ct);
        public Task SucceedAsync(JobLease lease, SiteState? siteState, CancellationToken ct) => store.SucceedAsync(lease, siteState, ct);
        public Task FailAsync(JobLease lease, string failedStep, string error, SiteState? siteState, CancellationToken ct) =>
            store.FailAsync(lease, failedStep, error, siteState, ct);
    }

    private sealed class NoOpStep(string name) : IJobStep
    {
        public string Name => name;
        public Task<StepResult> RunAsync(StepContext context, CancellationToken cancellationToken) => Task.FromResult(StepResult.Ok());
    }

    /// <summary>No transport: the loops never wait for a wake-up (the queue is full when they start).</summary>
    private sealed class NoSignals : IJobSignals
    {
        public Task WakeWorkersAsync(CancellationToken ct) => Task.CompletedTask;
        public Task PublishProgressAsync(Guid jobId, CancellationToken ct) => Task.CompletedTask;
        public bool IsConnected => false;
    }
}
