using Npgsql;
using Press.Core.Jobs;
using Press.Core.Ports;
using Press.Core.Sites;

namespace Press.Infrastructure.Postgres;

/// <summary>
/// Jobs in the metadata store. A claim takes the oldest runnable job with <c>FOR UPDATE SKIP LOCKED</c> and gives it a
/// fresh random token and a lease that runs out by the DATABASE's clock (workers' clocks may be off by hours). Every
/// later write of the claimant checks the token under a lock on the job's row, so once the job was claimed again — by
/// another worker, or by the same worker after its run was given up — nothing of the earlier claim lands. Writes are
/// retried through transient errors (<see cref="PostgresErrors.RetryAsync"/>) and are idempotent, because a retry may
/// find that its first try committed and only the answer was lost.
/// </summary>
public sealed class JobStore(PressDataSources sources, TimeProvider time) : IJobStore
{
    /// <summary>For writes other stores make under a job's lease (a backup's parts): true while the claim holds the
    /// job. Its share lock keeps a concurrent claim out until the write commits. Parameters: see <see cref="LeaseArgs"/>.</summary>
    internal const string LeaseHolds =
        "EXISTS (SELECT 1 FROM jobs lease_job WHERE lease_job.id = @lease_job AND lease_job.lease_token = @lease_token AND lease_job.state = 'Running' FOR SHARE)";

    internal static (string, object?)[] LeaseArgs(JobLease lease) => [("lease_job", lease.JobId), ("lease_token", lease.Token)];

    public async Task<ClaimedJob?> ClaimNextAsync(string workerId, TimeSpan lease, IReadOnlyCollection<Guid> running, CancellationToken ct)
    {
        await using var conn = await sources.Metadata.OpenConnectionAsync(ct);
        // Whether a queued or waiting job is due follows the worker's clock (retry delays and schedules come from
        // TimeProvider, so tests fast-forward them); whether a lease ran out follows the database's clock alone.
        Guid id, token;
        int abandoned;
        await using (var cmd = Sql.Command(conn, """
            UPDATE jobs SET state = 'Running', lease_owner = @w, lease_token = gen_random_uuid(),
                            lease_expires_at = clock_timestamp() + @lease, unfinished_claims = unfinished_claims + 1
            WHERE id = (
                SELECT id FROM jobs
                WHERE ((state IN ('Queued', 'Waiting') AND run_after <= @now)
                       OR (state = 'Running' AND lease_expires_at < now()))
                  AND id <> ALL (@running)
                ORDER BY run_after, created_at
                FOR UPDATE SKIP LOCKED LIMIT 1)
            RETURNING id, lease_token, unfinished_claims - 1
            """, ("w", workerId), ("lease", lease), ("now", time.GetUtcNow()), ("running", running.ToArray())))
        await using (var r = await cmd.ExecuteReaderAsync(ct))
        {
            if (!await r.ReadAsync(ct)) return null;
            (id, token, abandoned) = (r.GetGuid(0), r.GetGuid(1), r.GetInt32(2));
        }
        var job = await Rows.ReadJobAsync(conn, id, ct) ?? throw new InvalidOperationException($"claimed job {id} vanished");
        return new ClaimedJob(job, new JobLease(id, workerId, token, lease), abandoned);
    }

    public async Task<bool> RenewLeaseAsync(JobLease lease, CancellationToken ct)
    {
        await using var conn = await sources.Metadata.OpenConnectionAsync(ct);
        return await conn.ExecAsync(
            "UPDATE jobs SET lease_expires_at = clock_timestamp() + @lease WHERE id = @id AND lease_token = @t AND state = 'Running'",
            ct, ("id", lease.JobId), ("t", lease.Token), ("lease", lease.Length)) == 1;
    }

    public async Task<Job?> GetAsync(Guid jobId, CancellationToken ct)
    {
        await using var conn = await sources.Metadata.OpenConnectionAsync(ct);
        return await Rows.ReadJobAsync(conn, jobId, ct);
    }

    public async Task<DateTimeOffset?> NextDueAsync(CancellationToken ct)
    {
        await using var conn = await sources.Metadata.OpenConnectionAsync(ct);
        // Npgsql reads a scalar timestamptz as a UTC DateTime.
        var due = await conn.ScalarAsync<DateTime?>(
            "SELECT min(run_after) FROM jobs WHERE state IN ('Queued', 'Waiting')", ct);
        return due is { } d ? new DateTimeOffset(DateTime.SpecifyKind(d, DateTimeKind.Utc)) : null;
    }

    public Task StartAsync(JobLease lease, SiteState? siteState, CancellationToken ct) =>
        InTransaction(lease, landed: null, ct, (conn, now, token) => Start(conn, lease, siteState, now, token));

    private static async Task Start(NpgsqlConnection conn, JobLease lease, SiteState? siteState, DateTimeOffset now, CancellationToken ct)
    {
        // Renewed here too: the runner counts its deadline from just before this write.
        await conn.ExecAsync("""
            UPDATE jobs SET started_at = coalesce(started_at, @now), lease_expires_at = clock_timestamp() + @lease WHERE id = @id
            """, ct, ("id", lease.JobId), ("now", now), ("lease", lease.Length));
        if (siteState is { } state) await SetSiteState(conn, lease.JobId, state, now, ct);
    }

    public Task StepStartedAsync(JobLease lease, int ordinal, CancellationToken ct) =>
        InTransaction(lease, landed: null, ct, (conn, now, token) => StepStarted(conn, lease, ordinal, now, token));

    /// <summary>One transaction, one commit: the start's writes, then the step's (issue 15: a commit is most of a no-op job's time).</summary>
    public Task StartWithStepAsync(JobLease lease, SiteState? siteState, int ordinal, CancellationToken ct) =>
        InTransaction(lease, landed: null, ct, async (conn, now, token) =>
        {
            await Start(conn, lease, siteState, now, token);
            await StepStarted(conn, lease, ordinal, now, token);
        });

    public Task StepFinishedAsync(JobLease lease, int ordinal, StepState state, string? output, string? error, CancellationToken ct) =>
        InTransaction(lease, landed: null, ct, async (conn, now, token) =>
        {
            await StepFinished(conn, lease, ordinal, state, output, error, now, token);
            await OutcomeRecorded(conn, lease, token);
        });

    /// <summary>One transaction, one commit. A retry whose first try committed finds the job Succeeded with this
    /// claim's token and stops there, as <see cref="SucceedAsync"/> does.</summary>
    public Task FinishLastStepAsync(JobLease lease, int ordinal, StepState state, string? output, SiteState? siteState, CancellationToken ct) =>
        InTransaction(lease, landed: JobState.Succeeded, ct, async (conn, now, token) =>
        {
            await StepFinished(conn, lease, ordinal, state, output, null, now, token);
            await Succeed(conn, lease, siteState, now, token);
        });

    private static Task StepStarted(NpgsqlConnection conn, JobLease lease, int ordinal, DateTimeOffset now, CancellationToken ct) =>
        StepAsync(conn, lease, ordinal, """
            UPDATE job_steps SET state = 'Running',
                                 attempts = attempts + CASE WHEN started_by IS DISTINCT FROM @t THEN 1 ELSE 0 END,
                                 started_at = CASE WHEN started_by IS DISTINCT FROM @t THEN @now ELSE started_at END,
                                 started_by = @t, finished_at = NULL, error = NULL
            WHERE job_id = @id AND ordinal = @o
            """, ct, ("t", lease.Token), ("now", now));

    private static Task StepFinished(NpgsqlConnection conn, JobLease lease, int ordinal, StepState state, string? output, string? error,
        DateTimeOffset now, CancellationToken ct) =>
        StepAsync(conn, lease, ordinal,
            "UPDATE job_steps SET state = @s, finished_at = @now, output = @out, error = @err WHERE job_id = @id AND ordinal = @o",
            ct, ("s", state.ToString()), ("now", now), ("out", output), ("err", error));

    public Task WaitAsync(JobLease lease, int ordinal, DateTimeOffset runAfter, string? output, string? error, CancellationToken ct) =>
        InTransaction(lease, landed: JobState.Waiting, ct, async (conn, now, token) =>
        {
            await StepAsync(conn, lease, ordinal,
                "UPDATE job_steps SET state = 'Pending', finished_at = @now, output = @out, error = @err WHERE job_id = @id AND ordinal = @o",
                token, ("now", now), ("out", output), ("err", error));
            await conn.ExecAsync("UPDATE jobs SET state = 'Waiting', run_after = @after, lease_owner = NULL, lease_expires_at = NULL WHERE id = @id",
                token, ("id", lease.JobId), ("after", runAfter));
            await OutcomeRecorded(conn, lease, token);
        });

    public Task SucceedAsync(JobLease lease, SiteState? siteState, CancellationToken ct) =>
        InTransaction(lease, landed: JobState.Succeeded, ct, (conn, now, token) => Succeed(conn, lease, siteState, now, token));

    private static async Task Succeed(NpgsqlConnection conn, JobLease lease, SiteState? siteState, DateTimeOffset now, CancellationToken ct)
    {
        // The outcome recorded in the same statement (unfinished_claims = 0): one round trip fewer than OutcomeRecorded.
        await conn.ExecAsync("""
            UPDATE jobs SET state = 'Succeeded', finished_at = @now, lease_owner = NULL, lease_expires_at = NULL, unfinished_claims = 0
            WHERE id = @id
            """, ct, ("id", lease.JobId), ("now", now));
        await SetSiteState(conn, lease.JobId, siteState, now, ct);
    }

    public Task FailAsync(JobLease lease, string failedStep, string error, SiteState? siteState, CancellationToken ct) =>
        InTransaction(lease, landed: JobState.Failed, ct, async (conn, now, token) =>
        {
            await conn.ExecAsync("""
                UPDATE jobs SET state = 'Failed', finished_at = @now, failed_step = @step, error = @err,
                                lease_owner = NULL, lease_expires_at = NULL
                WHERE id = @id
                """, token, ("id", lease.JobId), ("now", now), ("step", failedStep), ("err", error));
            await OutcomeRecorded(conn, lease, token);
            await SetSiteState(conn, lease.JobId, siteState, now, token);
        });

    private static async Task SetSiteState(NpgsqlConnection conn, Guid jobId, SiteState? newState, DateTimeOffset now, CancellationToken ct)
    {
        if (newState is not { } state) return;
        // A purged site gives up its host names with its port: another site may claim them.
        if (state == SiteState.Purged)
            await conn.ExecAsync("DELETE FROM site_domains WHERE site_id = (SELECT site_id FROM jobs WHERE id = @id)", ct, ("id", jobId));
        await conn.ExecAsync("""
            UPDATE sites SET state = @s, updated_at = @now,
                             purged_at = CASE WHEN @s = 'Purged' THEN @now ELSE purged_at END,
                             runner_port = CASE WHEN @s = 'Purged' THEN NULL ELSE runner_port END
            WHERE id = (SELECT site_id FROM jobs WHERE id = @id)
            """, ct, ("id", jobId), ("s", state.ToString()), ("now", now));
    }

    private static async Task StepAsync(NpgsqlConnection conn, JobLease lease, int ordinal, string sql, CancellationToken ct,
        params (string, object?)[] extra)
    {
        if (await conn.ExecAsync(sql, ct, [("id", lease.JobId), ("o", ordinal), .. extra]) != 1)
            throw new InvalidOperationException($"Job {lease.JobId} has no step {ordinal}.");
    }

    /// <summary>The claim recorded something: the count of claims that ended without an outcome starts over.</summary>
    private static Task OutcomeRecorded(NpgsqlConnection conn, JobLease lease, CancellationToken ct) =>
        conn.ExecAsync("UPDATE jobs SET unfinished_claims = 0 WHERE id = @id", ct, ("id", lease.JobId));

    /// <summary>
    /// Locks the job's row, checks the claim still holds the job, runs <paramref name="body"/> and commits; retried
    /// through transient errors. <paramref name="landed"/> is the state an earlier try of this very write leaves: found
    /// with this claim's token, the write is done (its answer was lost). A cancelled token writes nothing: a run whose
    /// lease is gone stops here even if the database would still take the write.
    /// </summary>
    private Task InTransaction(JobLease lease, JobState? landed, CancellationToken ct,
        Func<NpgsqlConnection, DateTimeOffset, CancellationToken, Task> body) =>
        PostgresErrors.RetryAsync(async token =>
        {
            token.ThrowIfCancellationRequested();
            await using var conn = await sources.Metadata.OpenConnectionAsync(token);
            await using var tx = await conn.BeginTransactionAsync(token);
            var state = await ClaimedStateAsync(conn, lease, token);
            if (state == landed) return true;
            if (state != JobState.Running) throw new LeaseLostException(lease.JobId);
            await body(conn, time.GetUtcNow(), token);
            await tx.CommitAsync(token);
            return true;
        }, time, ct);

    /// <summary>The job's state, locked, when this claim still holds it; else <see cref="LeaseLostException"/>.</summary>
    private static async Task<JobState> ClaimedStateAsync(NpgsqlConnection conn, JobLease lease, CancellationToken ct)
    {
        var state = await conn.ScalarAsync<string>("SELECT state FROM jobs WHERE id = @id AND lease_token = @t FOR UPDATE",
            ct, ("id", lease.JobId), ("t", lease.Token));
        return state is null ? throw new LeaseLostException(lease.JobId) : Enum.Parse<JobState>(state);
    }
}
