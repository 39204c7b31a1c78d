using Npgsql;
using Press.Core.Audit;
using Press.Core.Jobs;
using Press.Core.Ports;
using Press.Core.Sites;
using Press.Core.Standby;

namespace Press.Infrastructure.Postgres;

/// <summary>The standby sites in the metadata (docs/architecture.md §17): counted, claimed and discarded in one transaction each.</summary>
public sealed class StandbyPool(PressDataSources sources, TimeProvider time) : IStandbyPool
{
    public async Task<IReadOnlyList<StandbySite>> ListAsync(CancellationToken ct)
    {
        await using var conn = await sources.Metadata.OpenConnectionAsync(ct);
        await using var cmd = Sql.Command(conn, $"""
            SELECT s.id, s.name, s.apps, s.state, s.created_at,
                   EXISTS (SELECT 1 FROM jobs j WHERE j.site_id = s.id AND {StateSql.JobUnfinished("j")})
            FROM sites s WHERE s.standby AND {StateSql.SiteNotPurged("s")} ORDER BY s.created_at, s.id
            """);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var list = new List<StandbySite>();
        while (await r.ReadAsync(ct))
            list.Add(new StandbySite(r.GetGuid(0), r.GetString(1), AppSet.Of(r.GetFieldValue<string[]>(2)), Enum.Parse<SiteState>(r.GetString(3)),
                r.GetBoolean(5), r.GetFieldValue<DateTimeOffset>(4)));
        return list;
    }

    public async Task<Job?> ClaimAsync(StandbyClaim claim, AuditEntry audit, CancellationToken ct)
    {
        await using var conn = await sources.Metadata.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var now = time.GetUtcNow();
        // The same refusals as a cold create, before a standby is even looked at.
        await SiteCommandStore.ThrowIfDomainAsync(conn, claim.Name, ct);
        if (await conn.ScalarAsync<Guid?>($"SELECT id FROM sites WHERE name = @n AND {StateSql.SiteNotPurged()}", ct, ("n", claim.Name)) is not null)
            throw await SiteCommandStore.NameTakenAsync(conn, claim.Name, ct);
        // SKIP LOCKED: two claims at once take two different standbys (or one falls back to a cold create), never one twice.
        // Standbys are created with their app set's sorted apps, so the arrays compare as sets.
        string standby;
        Guid siteId;
        await using (var cmd = Sql.Command(conn, $"""
            SELECT s.id, s.name FROM sites s
            WHERE s.standby AND s.state = 'Active' AND s.apps = @apps::text[]
              AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.site_id = s.id AND {StateSql.JobUnfinished("j")})
            ORDER BY s.created_at, s.id LIMIT 1 FOR UPDATE OF s SKIP LOCKED
            """, ("apps", claim.Apps.Apps.ToArray())))
        await using (var r = await cmd.ExecuteReaderAsync(ct))
        {
            if (!await r.ReadAsync(ct)) return null;
            (siteId, standby) = (r.GetGuid(0), r.GetString(1));
        }
        // The row takes the requested name; its runtime keeps the standby's (runtime_name, migration 0023): the claim's
        // rename-site step moves the runtime to the new name without renaming its containers or volumes.
        try
        {
            await conn.ExecAsync("""
                UPDATE sites SET name = @name, runtime_name = coalesce(runtime_name, name), standby = false, state = 'Pending',
                                 admin_password_enc = @admin, admin_password_shown_at = NULL, updated_at = @now
                WHERE id = @id
                """, ct, ("id", siteId), ("name", claim.Name), ("admin", claim.EncryptedAdminPassword), ("now", now));
        }
        catch (PostgresException ex) when (ex is { SqlState: PostgresErrorCodes.UniqueViolation, ConstraintName: "sites_name_live" })
        {
            await tx.RollbackAsync(ct); // a cold create of the same name won the race
            throw await SiteCommandStore.NameTakenAsync(conn, claim.Name, ct);
        }
        var args = new Dictionary<string, string>(claim.Args) { [JobArgs.Standby] = standby };
        var job = await SiteCommandStore.InsertJobAsync(conn, siteId, claim.Name, Recipes.ClaimStandby, audit.Actor, now, args, null, ct);
        var details = new Dictionary<string, string>(audit.Details ?? new Dictionary<string, string>()) { [JobArgs.Standby] = standby };
        await AuditLog.InsertAsync(conn, audit with { Target = job.Id.ToString(), Details = details }, now, ct);
        await tx.CommitAsync(ct);
        return job;
    }

    public async Task<Job> FallBackAsync(Guid claimJobId, Guid siteId, NewSiteRecord cold, AuditEntry audit, CancellationToken ct,
        IReadOnlyDictionary<string, string>? args = null)
    {
        await using var conn = await sources.Metadata.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var now = time.GetUtcNow();
        await conn.ExecAsync("SELECT 1 FROM sites WHERE id = @id FOR UPDATE", ct, ("id", siteId));
        var earlier = await conn.ScalarAsync<Guid?>("SELECT id FROM jobs WHERE args ->> @key = @claim", ct,
            ("key", JobArgs.FallbackFrom), ("claim", claimJobId.ToString()));
        if (earlier is { } done)
            return await Rows.ReadJobAsync(conn, done, ct) ?? throw new InvalidOperationException($"job {done} vanished");
        // Free the name first: the cold site takes it in the same transaction. Deleted with its retention over, so the
        // retention scheduler purges the schema and role; its runtime was removed by the step before this call.
        await conn.ExecAsync("""
            UPDATE sites SET name = @discarded, runtime_name = coalesce(runtime_name, name), standby = false, state = 'Deleted', deleted_at = @now, purge_after = @now, updated_at = @now
            WHERE id = @id
            """, ct, ("id", siteId), ("discarded", StandbyNames.Discarded(siteId)), ("now", now));
        await SiteCommandStore.InsertSiteAsync(conn, tx, cold, now, ct);
        var jobArgs = new Dictionary<string, string>(args ?? JobArgs.None) { [JobArgs.FallbackFrom] = claimJobId.ToString() };
        var job = await SiteCommandStore.InsertJobAsync(conn, cold.Id, cold.Name, Recipes.NewSite, audit.Actor, now, jobArgs, null, ct);
        await AuditLog.InsertAsync(conn, audit with { Target = job.Id.ToString() }, now, ct);
        await tx.CommitAsync(ct);
        return job;
    }
}
