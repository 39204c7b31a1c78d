using Npgsql;
using Press.Core.Audit;
using Press.Core.Jobs;
using Press.Core.Ports;
using Press.Core.Rehearsals;
using Press.Core.Sites;

namespace Press.Infrastructure.Postgres;

/// <summary>Upgrade rehearsals and their scratch sites (migration 0022, docs/architecture.md §20).</summary>
public sealed class RehearsalStore(PressDataSources sources, TimeProvider time) : IRehearsalStore
{
    private const string Columns = """
        r.id, r.site_id, r.site_name, r.scratch_site_id, x.name, r.image, r.backup_id, r.outcome, r.created_by, r.created_at, r.finished_at,
        r.failed_step, r.migrate_ms, r.migrate_succeeded, r.migrate_output, x.state
        """;

    public async Task<Job> StartAsync(NewSiteRecord scratch, Site rehearsed, JobRecipe recipe, AuditEntry audit,
        IReadOnlyDictionary<string, string> args, CancellationToken ct)
    {
        if (scratch.RehearsalOf != rehearsed.Id) throw new ArgumentException("the scratch must name the site it copies", nameof(scratch));
        await using var conn = await sources.Metadata.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var now = time.GetUtcNow();
        await SiteCommandStore.InsertSiteAsync(conn, tx, scratch, now, ct);
        var job = await SiteCommandStore.InsertJobAsync(conn, scratch.Id, scratch.Name, recipe, audit.Actor, now, args, null, ct);
        await conn.ExecAsync("""
            INSERT INTO rehearsals (id, site_id, site_name, scratch_site_id, image, backup_id, outcome, created_by, created_at)
            VALUES (@id, @site, @name, @scratch, @image, @backup, 'Running', @by, @now)
            """, ct, ("id", job.Id), ("site", rehearsed.Id), ("name", rehearsed.Name), ("scratch", scratch.Id),
            ("image", args[JobArgs.Image]), ("backup", Guid.Parse(args[JobArgs.BackupId])), ("by", audit.Actor), ("now", now));
        await AuditLog.InsertAsync(conn, audit with { Target = job.Id.ToString() }, now, ct);
        await tx.CommitAsync(ct);
        return job;
    }

    public async Task<Rehearsal?> GetAsync(Guid id, CancellationToken ct)
    {
        await using var conn = await sources.Metadata.OpenConnectionAsync(ct);
        return (await ReadAsync(conn, "r.id = @id", "", ct, ("id", id))).SingleOrDefault();
    }

    public async Task<IReadOnlyList<Rehearsal>> ListForSiteAsync(Guid siteId, int limit, CancellationToken ct)
    {
        await using var conn = await sources.Metadata.OpenConnectionAsync(ct);
        return await ReadAsync(conn, "r.site_id = @s", "ORDER BY r.created_at DESC, r.id DESC LIMIT @l", ct, ("s", siteId), ("l", limit));
    }

    public async Task<Rehearsal?> FindAsync(Guid siteId, string image, DateTimeOffset since, CancellationToken ct)
    {
        await using var conn = await sources.Metadata.OpenConnectionAsync(ct);
        return (await ReadAsync(conn, "r.site_id = @s AND r.image = @i AND r.created_at >= @since", "ORDER BY r.created_at DESC LIMIT 1", ct,
            ("s", siteId), ("i", image), ("since", since))).SingleOrDefault();
    }

    public async Task SaveMigrateAsync(Guid id, TimeSpan duration, bool succeeded, string outputTail, CancellationToken ct)
    {
        await using var conn = await sources.Metadata.OpenConnectionAsync(ct);
        await conn.ExecAsync("""
            UPDATE rehearsals SET migrate_ms = @ms, migrate_succeeded = @ok, migrate_output = @out WHERE id = @id AND outcome = 'Running'
            """, ct, ("id", id), ("ms", (long)duration.TotalMilliseconds), ("ok", succeeded), ("out", outputTail));
    }

    public async Task<bool> FinishAsync(Guid id, RehearsalOutcome outcome, string? failedStep, AuditEntry audit, CancellationToken ct)
    {
        await using var conn = await sources.Metadata.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var now = time.GetUtcNow();
        var finished = await conn.ExecAsync("""
            UPDATE rehearsals SET outcome = @o, failed_step = @step, finished_at = @now WHERE id = @id AND outcome = 'Running'
            """, ct, ("id", id), ("o", outcome.ToString()), ("step", failedStep), ("now", now)) == 1;
        if (finished) await AuditLog.InsertAsync(conn, audit, now, ct);
        await tx.CommitAsync(ct);
        return finished;
    }

    private static async Task<List<Rehearsal>> ReadAsync(NpgsqlConnection conn, string where, string orderAndLimit, CancellationToken ct,
        params (string, object?)[] args)
    {
        await using var cmd = Sql.Command(conn, $"SELECT {Columns} FROM rehearsals r JOIN sites x ON x.id = r.scratch_site_id WHERE {where} {orderAndLimit}", args);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var list = new List<Rehearsal>();
        while (await r.ReadAsync(ct))
            list.Add(new Rehearsal(r.GetGuid(0), r.GetGuid(1), r.GetString(2), r.GetGuid(3), r.GetString(4), r.GetString(5), r.GetGuid(6),
                Enum.Parse<RehearsalOutcome>(r.GetString(7)), r.GetString(8), r.GetFieldValue<DateTimeOffset>(9), Rows.NullableTime(r, 10))
            {
                FailedStep = Rows.NullableString(r, 11),
                MigrateDuration = r.IsDBNull(12) ? null : TimeSpan.FromMilliseconds(r.GetInt64(12)),
                MigrateSucceeded = r.IsDBNull(13) ? null : r.GetBoolean(13),
                MigrateOutput = Rows.NullableString(r, 14),
                ScratchState = Enum.Parse<SiteState>(r.GetString(15)),
            });
        return list;
    }
}
