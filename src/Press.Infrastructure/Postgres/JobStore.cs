using Npgsql;
using Press.Core.Jobs;
using Press.Core.Ports;
using Press.Core.Sites;

namespace Press.Infrastructure.Postgres;

/// <summary>
/// Jobs in the metadata store. Claims use <c>FOR UPDATE SKIP LOCKED</c> plus a lease; every later write checks that
/// the caller still owns the lease, so a worker that was presumed dead cannot overwrite its successor's work.
/// </summary>
public sealed class JobStore(PressDataSources sources, TimeProvider time) : IJobStore
{
    private const string Owned = "EXISTS (SELECT 1 FROM jobs o WHERE o.id = @id AND o.lease_owner = @w FOR SHARE)";

    public async Task<Job?> ClaimNextAsync(string workerId, TimeSpan lease, CancellationToken ct)
    {
        await using var conn = await sources.Metadata.OpenConnectionAsync(ct);
        var now = time.GetUtcNow();
        var id = await conn.ScalarAsync<Guid?>("""
            UPDATE jobs SET state = 'Running', lease_owner = @w, lease_expires_at = @until
            WHERE id = (
                SELECT id FROM jobs
                WHERE (state IN ('Queued', 'Waiting') AND run_after <= @now)
                   OR (state = 'Running' AND lease_expires_at < @now)
                ORDER BY run_after, created_at
                FOR UPDATE SKIP LOCKED LIMIT 1)
            RETURNING id
            """, ct, ("w", workerId), ("now", now), ("until", now + lease));
        return id is { } claimed ? await Rows.ReadJobAsync(conn, claimed, ct) : null;
    }

    public async Task<bool> RenewLeaseAsync(Guid jobId, string workerId, TimeSpan lease, CancellationToken ct)
    {
        await using var conn = await sources.Metadata.OpenConnectionAsync(ct);
        return await conn.ExecAsync(
            "UPDATE jobs SET lease_expires_at = @until WHERE id = @id AND lease_owner = @w AND state = 'Running'",
            ct, ("id", jobId), ("w", workerId), ("until", time.GetUtcNow() + lease)) == 1;
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

    public async Task StartAsync(Guid jobId, string workerId, SiteState? siteState, CancellationToken ct)
    {
        await InTransaction(jobId, workerId, ct, async (conn, now) =>
        {
            await conn.ExecAsync("UPDATE jobs SET started_at = coalesce(started_at, @now) WHERE id = @id",
                ct, ("id", jobId), ("now", now));
            if (siteState is { } state) await SetSiteState(conn, jobId, state, now, ct);
        });
    }

    public Task StepStartedAsync(Guid jobId, string workerId, int ordinal, CancellationToken ct) => Fenced(jobId, workerId, $"""
        UPDATE job_steps SET state = 'Running', attempts = attempts + 1, started_at = @now, finished_at = NULL, error = NULL
        WHERE job_id = @id AND ordinal = @o AND {Owned}
        """, ct, ("o", ordinal));

    public Task StepFinishedAsync(Guid jobId, string workerId, int ordinal, StepState state, string? output, string? error, CancellationToken ct) =>
        Fenced(jobId, workerId, $"""
            UPDATE job_steps SET state = @s, finished_at = @now, output = @out, error = @err
            WHERE job_id = @id AND ordinal = @o AND {Owned}
            """, ct, ("o", ordinal), ("s", state.ToString()), ("out", output), ("err", error));

    public async Task WaitAsync(Guid jobId, string workerId, int ordinal, DateTimeOffset runAfter, string? output, string? error, CancellationToken ct)
    {
        await InTransaction(jobId, workerId, ct, async (conn, now) =>
        {
            await conn.ExecAsync("UPDATE job_steps SET state = 'Pending', finished_at = @now, output = @out, error = @err WHERE job_id = @id AND ordinal = @o",
                ct, ("id", jobId), ("o", ordinal), ("now", now), ("out", output), ("err", error));
            await conn.ExecAsync("UPDATE jobs SET state = 'Waiting', run_after = @after, lease_owner = NULL, lease_expires_at = NULL WHERE id = @id",
                ct, ("id", jobId), ("after", runAfter));
        });
    }

    public async Task SucceedAsync(Guid jobId, string workerId, SiteState? siteState, CancellationToken ct)
    {
        await InTransaction(jobId, workerId, ct, async (conn, now) =>
        {
            await conn.ExecAsync("UPDATE jobs SET state = 'Succeeded', finished_at = @now, lease_owner = NULL, lease_expires_at = NULL WHERE id = @id",
                ct, ("id", jobId), ("now", now));
            await SetSiteState(conn, jobId, siteState, now, ct);
        });
    }

    public async Task FailAsync(Guid jobId, string workerId, string failedStep, string error, SiteState? siteState, CancellationToken ct)
    {
        await InTransaction(jobId, workerId, ct, async (conn, now) =>
        {
            await conn.ExecAsync("""
                UPDATE jobs SET state = 'Failed', finished_at = @now, failed_step = @step, error = @err,
                                lease_owner = NULL, lease_expires_at = NULL
                WHERE id = @id
                """, ct, ("id", jobId), ("now", now), ("step", failedStep), ("err", error));
            await SetSiteState(conn, jobId, siteState, now, ct);
        });
    }

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

    private async Task Fenced(Guid jobId, string workerId, string sql, CancellationToken ct, params (string, object?)[] extra)
    {
        await using var conn = await sources.Metadata.OpenConnectionAsync(ct);
        (string, object?)[] args = [("id", jobId), ("w", workerId), ("now", time.GetUtcNow()), .. extra];
        if (await conn.ExecAsync(sql, ct, args) != 1) throw new LeaseLostException(jobId);
    }

    /// <summary>Locks the job row, checks the lease is still ours, then runs <paramref name="body"/> in the same transaction.</summary>
    private async Task InTransaction(Guid jobId, string workerId, CancellationToken ct, Func<NpgsqlConnection, DateTimeOffset, Task> body)
    {
        await using var conn = await sources.Metadata.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var owned = await conn.ScalarAsync<int?>("SELECT 1 FROM jobs WHERE id = @id AND lease_owner = @w FOR UPDATE",
            ct, ("id", jobId), ("w", workerId));
        if (owned is null) throw new LeaseLostException(jobId);
        await body(conn, time.GetUtcNow());
        await tx.CommitAsync(ct);
    }
}
