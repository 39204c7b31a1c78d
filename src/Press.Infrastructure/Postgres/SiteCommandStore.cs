using System.Text.Json;
using Npgsql;
using Press.Core.Backups;
using Press.Core.Audit;
using Press.Core.Jobs;
using Press.Core.Ports;
using Press.Core.Sites;

namespace Press.Infrastructure.Postgres;

/// <summary>Site row, job, steps and audit event written in one transaction (docs/architecture.md §3).</summary>
public sealed class SiteCommandStore(PressDataSources sources, TimeProvider time) : ISiteCommands
{
    public async Task<Job> CreateSiteAsync(NewSiteRecord site, JobRecipe recipe, AuditEntry audit, CancellationToken ct,
        IReadOnlyDictionary<string, string>? args = null)
    {
        await using var conn = await sources.Metadata.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var now = time.GetUtcNow();
        await InsertSiteAsync(conn, tx, site, now, ct);
        var job = await InsertJobAsync(conn, site.Id, site.Name, recipe, audit.Actor, now, args, null, ct);
        await AuditLog.InsertAsync(conn, audit with { Target = job.Id.ToString() }, now, ct);
        await tx.CommitAsync(ct);
        return job;
    }

    /// <summary>The new site's row, refused (ConflictException) when its name is taken or is a live site's custom domain.
    /// Rolls the transaction back on a taken name (the failed INSERT aborted it).</summary>
    internal static async Task InsertSiteAsync(NpgsqlConnection conn, NpgsqlTransaction tx, NewSiteRecord site, DateTimeOffset now, CancellationToken ct)
    {
        await ThrowIfDomainAsync(conn, site.Name, ct);
        if (site.Placement is { } placement) site = site with { Database = await SitePlacements.ChooseAsync(conn, placement, ct) };
        try
        {
            await conn.ExecAsync("""
                INSERT INTO sites (id, name, state, db_name, schema_name, role_name, password_enc, apps, admin_password_enc, created_at, updated_at, standby,
                                   rehearsal_of)
                VALUES (@id, @name, 'Pending', @db, @schema, @role, @pw, @apps, @admin, @now, @now, @standby, @rehearsalOf)
                """, ct, ("id", site.Id), ("name", site.Name), ("db", site.Database), ("schema", site.Schema),
                ("role", site.RoleName), ("pw", site.EncryptedPassword), ("apps", site.Apps.ToArray()),
                ("admin", site.EncryptedAdminPassword), ("now", now), ("standby", site.Standby), ("rehearsalOf", site.RehearsalOf));
        }
        catch (PostgresException ex) when (ex is { SqlState: PostgresErrorCodes.UniqueViolation, ConstraintName: "sites_name_live" })
        {
            await tx.RollbackAsync(ct);
            throw await NameTakenAsync(conn, site.Name, ct);
        }
    }

    /// <summary>A live site's custom domain is a host name too: a site may not take it (routing needs one owner per host).</summary>
    internal static async Task ThrowIfDomainAsync(NpgsqlConnection conn, string name, CancellationToken ct)
    {
        var domainOwner = await conn.ScalarAsync<string>($"""
            SELECT s.name FROM site_domains d JOIN sites s ON s.id = d.site_id WHERE d.domain = @n AND {StateSql.SiteNotPurged("s")}
            """, ct, ("n", name));
        if (domainOwner is not null)
            throw new ConflictException($"'{name}' is a custom domain of site '{domainOwner}': remove it there first, or choose another name.");
    }

    internal static async Task<ConflictException> NameTakenAsync(NpgsqlConnection conn, string name, CancellationToken ct)
    {
        var state = await conn.ScalarAsync<string>($"SELECT state FROM sites WHERE name = @n AND {StateSql.SiteNotPurged()}", ct, ("n", name));
        return new ConflictException(state == nameof(SiteState.Deleted)
            ? $"A soft-deleted site named '{name}' exists: undelete it, purge it, or choose another name."
            : $"A site named '{name}' already exists (state {state}): choose another name.");
    }

    public async Task<Job> EnqueueAsync(string siteName, JobRecipe recipe, IReadOnlyList<SiteState> allowedFrom, AuditEntry audit, CancellationToken ct,
        IReadOnlyDictionary<string, string>? args = null, BackupTrigger? backup = null)
    {
        await using var conn = await sources.Metadata.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var now = time.GetUtcNow();
        Guid siteId;
        SiteState state;
        await using (var cmd = Sql.Command(conn, $"SELECT id, state FROM sites WHERE name = @n AND {StateSql.SiteNotPurged()} FOR UPDATE", ("n", siteName)))
        await using (var r = await cmd.ExecuteReaderAsync(ct))
        {
            if (!await r.ReadAsync(ct)) throw SiteErrors.NotFound(siteName);
            (siteId, state) = (r.GetGuid(0), Enum.Parse<SiteState>(r.GetString(1)));
        }
        await ThrowIfJobActive(conn, siteId, siteName, ct);
        if (!allowedFrom.Contains(state))
            throw new ConflictException($"Site '{siteName}' is {state}; {recipe.Kind} needs it to be {string.Join(" or ", allowedFrom)}.");
        var job = await InsertJobAsync(conn, siteId, siteName, recipe, audit.Actor, now, args, backup, ct);
        await AuditLog.InsertAsync(conn, audit with { Target = job.Id.ToString() }, now, ct);
        await tx.CommitAsync(ct);
        return job;
    }

    public async Task<Job> RetryAsync(Guid jobId, AuditEntry audit, CancellationToken ct)
    {
        await using var conn = await sources.Metadata.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var now = time.GetUtcNow();
        // Lock the job row first: concurrent retries of one job must let exactly one through.
        var locked = await conn.ScalarAsync<string>("SELECT state FROM jobs WHERE id = @id FOR UPDATE", ct, ("id", jobId));
        var job = locked is null ? null : await Rows.ReadJobAsync(conn, jobId, ct);
        if (job is null) throw new NotFoundException($"No job {jobId}.");
        if (job.State != JobState.Failed)
            throw new ConflictException($"Job {jobId} is {job.State}; only Failed jobs can be retried.");
        // The site row too, as EnqueueAsync does, so a retry and a new operation cannot both pass the checks.
        await conn.ExecAsync("SELECT 1 FROM sites WHERE id = @s FOR UPDATE", ct, ("s", job.SiteId));
        await ThrowIfJobActive(conn, job.SiteId, job.SiteName, ct);
        // A newer job has changed the site since this one failed: replaying the old one could undo it.
        var newer = await conn.ScalarAsync<Guid?>(
            "SELECT id FROM jobs WHERE site_id = @s AND created_at > @c ORDER BY created_at DESC LIMIT 1", ct,
            ("s", job.SiteId), ("c", job.CreatedAt));
        if (newer is { } newerId)
            throw new ConflictException($"Job {newerId} ran on site '{job.SiteName}' after job {jobId} failed; start a new operation instead of retrying the old one.");
        // Resume from the failed step: steps that succeeded stay done. A job whose failure was undone (a restore) starts
        // over: the undo took back what its earlier steps did.
        if (Recipes.For(job.Kind).RetryFromStart)
            await conn.ExecAsync("UPDATE job_steps SET state = 'Pending', attempts = 0, error = NULL, output = NULL WHERE job_id = @id",
                ct, ("id", jobId));
        else
            await conn.ExecAsync("UPDATE job_steps SET state = 'Pending', attempts = 0, error = NULL WHERE job_id = @id AND state IN ('Failed', 'Running')",
                ct, ("id", jobId));
        await conn.ExecAsync("""
            UPDATE jobs SET state = 'Queued', run_after = @now, failed_step = NULL, error = NULL, finished_at = NULL,
                            lease_owner = NULL, lease_expires_at = NULL
            WHERE id = @id
            """, ct, ("id", jobId), ("now", now));
        await AuditLog.InsertAsync(conn, audit with { SiteName = job.SiteName }, now, ct);
        var queued = await Rows.ReadJobAsync(conn, jobId, ct);
        await tx.CommitAsync(ct);
        return queued!;
    }

    private static async Task ThrowIfJobActive(NpgsqlConnection conn, Guid siteId, string siteName, CancellationToken ct)
    {
        var running = await conn.ScalarAsync<Guid?>(
            $"SELECT id FROM jobs WHERE site_id = @s AND {StateSql.JobUnfinished()}", ct, ("s", siteId));
        if (running is { } id)
            throw new ConflictException($"Job {id} is already running on site '{siteName}'; wait for it to finish.", id);
    }

    internal static async Task<Job> InsertJobAsync(NpgsqlConnection conn, Guid siteId, string siteName, JobRecipe recipe,
        string actor, DateTimeOffset now, IReadOnlyDictionary<string, string>? args, BackupTrigger? backup, CancellationToken ct)
    {
        // Core chooses the trigger (BackupTriggers.For); a recipe that takes a backup without one is a programming error.
        if (recipe.Steps.Contains(StepNames.BackupDatabase) != backup.HasValue)
            throw new InvalidOperationException($"{recipe.Kind} {(backup.HasValue ? "takes no backup" : "takes a backup")}: pass BackupTriggers.For(recipe) as its trigger.");
        var id = Guid.CreateVersion7(now);
        args ??= JobArgs.None;
        try
        {
            await conn.ExecAsync("""
                INSERT INTO jobs (id, site_id, kind, state, created_by, created_at, run_after, args)
                VALUES (@id, @site, @kind, 'Queued', @by, @now, @now, @args::jsonb)
                """, ct, ("id", id), ("site", siteId), ("kind", recipe.Kind.ToString()), ("by", actor), ("now", now),
                ("args", JsonSerializer.Serialize(args)));
        }
        catch (PostgresException ex) when (ex is { SqlState: PostgresErrorCodes.UniqueViolation, ConstraintName: "jobs_one_active_per_site" })
        {
            // Lost a race with another request between the check and the insert.
            throw new ConflictException($"Another job is already running on site '{siteName}'; wait for it to finish.");
        }
        await conn.ExecAsync("""
            INSERT INTO job_steps (job_id, ordinal, name, state)
            SELECT @id, o, n, 'Pending' FROM unnest(@names::text[]) WITH ORDINALITY AS t(n, o)
            """, ct, ("id", id), ("names", recipe.Steps.ToArray()));
        if (backup is { } trigger)
            await BackupStore.InsertAsync(conn, id, siteId, trigger, now, ct);
        var steps = recipe.Steps.Select((n, i) => new JobStep(i + 1, n, StepState.Pending, 0, null, null, null, null)).ToList();
        return new Job(id, recipe.Kind, JobState.Queued, siteId, siteName, actor, now, null, null, null, null, steps) { Args = args };
    }
}
