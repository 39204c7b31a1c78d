using System.Text.Json;
using Npgsql;
using Press.Core.Backups;
using Press.Core.Jobs;
using Press.Core.Ports;
using Press.Core.Sites;

namespace Press.Infrastructure.Postgres;

/// <summary>Backups and restores in the metadata store. State is derived in SQL from the row and its job.</summary>
public sealed class BackupStore(PressDataSources sources) : IBackupStore, IRestoreLog
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private static readonly string Select = $"""
        SELECT b.id, b.site_id, s.name, b.trigger,
               CASE WHEN b.pruned_at IS NOT NULL THEN 'Pruned'
                    WHEN b.good_at IS NOT NULL THEN 'Good'
                    WHEN {StateSql.JobFinished("j")} THEN 'Failed'
                    ELSE 'Running' END,
               b.created_at, b.expires_at, COALESCE(b.good_at, CASE WHEN {StateSql.JobFinished("j")} THEN j.finished_at END),
               CASE WHEN b.good_at IS NULL AND j.state IN ('Failed', 'Cancelled') THEN j.error
                    WHEN b.good_at IS NULL AND j.state = 'Succeeded' THEN 'nothing was backed up: the site had no schema' END,
               b.parts::text, b.dump::text, b.manifest::text, b.verified_at, b.verify_ok, b.verify_detail
        FROM backups b JOIN sites s ON s.id = b.site_id JOIN jobs j ON j.id = b.id
        """;

    /// <summary>Called inside the transaction that creates the job (SiteCommandStore). Expiry from the retention setting.</summary>
    internal static Task InsertAsync(NpgsqlConnection conn, Guid jobId, Guid siteId, BackupTrigger trigger, DateTimeOffset now, CancellationToken ct) =>
        conn.ExecAsync("""
            INSERT INTO backups (id, site_id, trigger, created_at, expires_at)
            VALUES (@id, @site, @trigger, @now,
                    @now + make_interval(days => COALESCE((SELECT value::int FROM settings WHERE key = @key), @days)))
            """, ct, ("id", jobId), ("site", siteId), ("trigger", trigger.ToString()), ("now", now),
            ("key", Core.Settings.PressSettings.BackupRetentionDaysKey), ("days", Core.Settings.PressSettings.Defaults.BackupRetentionDays));

    public async Task<Backup?> GetAsync(Guid backupId, CancellationToken ct) =>
        (await ReadAsync("b.id = @id", ct, ("id", backupId))).SingleOrDefault();

    public Task<IReadOnlyList<Backup>> ListForSiteAsync(Guid siteId, CancellationToken ct) =>
        ReadAsync("b.site_id = @s ORDER BY b.created_at DESC", ct, ("s", siteId));

    public Task RecordPartAsync(JobLease lease, BackupPart part, CancellationToken ct) => UnderLeaseAsync(lease, """
        UPDATE backups SET parts = (SELECT COALESCE(jsonb_agg(p), '[]') FROM jsonb_array_elements(parts) p WHERE p->>'name' <> @name)
                                   || jsonb_build_array(@part::jsonb)
        """, ct, ("name", part.Name), ("part", JsonSerializer.Serialize(part, Json)));

    public Task RecordDumpAsync(JobLease lease, SchemaDumpInfo dump, CancellationToken ct) =>
        UnderLeaseAsync(lease, "UPDATE backups SET dump = @d::jsonb", ct, ("d", JsonSerializer.Serialize(dump, Json)));

    public Task MarkGoodAsync(JobLease lease, BackupManifest manifest, DateTimeOffset at, CancellationToken ct) =>
        UnderLeaseAsync(lease, "UPDATE backups SET manifest = @m::jsonb, good_at = COALESCE(good_at, @at)", ct,
            ("m", manifest.ToJson()), ("at", at));

    /// <summary>Updates the backup the lease's job takes (same id), only while that claim still holds the job.</summary>
    private async Task UnderLeaseAsync(JobLease lease, string update, CancellationToken ct, params (string, object?)[] args)
    {
        await using var conn = await sources.Metadata.OpenConnectionAsync(ct);
        if (await conn.ExecAsync($"{update} WHERE id = @lease_job AND {JobStore.LeaseHolds}", ct, [.. JobStore.LeaseArgs(lease), .. args]) != 1)
            throw new LeaseLostException(lease.JobId);
    }

    public async Task RecordVerificationAsync(Guid backupId, BackupVerification v, CancellationToken ct)
    {
        await using var conn = await sources.Metadata.OpenConnectionAsync(ct);
        await conn.ExecAsync("UPDATE backups SET verified_at = @at, verify_ok = @ok, verify_detail = @d WHERE id = @id", ct,
            ("id", backupId), ("at", v.At), ("ok", v.Ok), ("d", v.Detail));
    }

    public async Task MarkPrunedAsync(Guid backupId, DateTimeOffset at, CancellationToken ct)
    {
        await using var conn = await sources.Metadata.OpenConnectionAsync(ct);
        await conn.ExecAsync("UPDATE backups SET pruned_at = COALESCE(pruned_at, @at) WHERE id = @id", ct, ("id", backupId), ("at", at));
    }

    public Task<IReadOnlyList<Backup>> ListPrunableAsync(DateTimeOffset now, CancellationToken ct) =>
        // Not the site's newest good backup, not a soft-deleted site's (kept until the purge), not one still running.
        ReadAsync($"""
            b.pruned_at IS NULL AND b.expires_at <= @now AND s.state NOT IN ('Deleted', 'Purged')
            AND (b.good_at IS NOT NULL OR {StateSql.JobFinished("j")})
            AND b.id IS DISTINCT FROM (SELECT g.id FROM backups g WHERE g.site_id = b.site_id AND g.good_at IS NOT NULL
                                       AND g.pruned_at IS NULL ORDER BY g.good_at DESC LIMIT 1)
            ORDER BY b.created_at
            """, ct, ("now", now));

    public async Task<IReadOnlyList<SiteBackupSummary>> SummariesAsync(CancellationToken ct)
    {
        await using var conn = await sources.Metadata.OpenConnectionAsync(ct);
        await using var cmd = Sql.Command(conn, """
            SELECT s.id, s.name, s.state, s.created_at, g.good_at, g.id,
                   (SELECT max(b.created_at) FROM backups b WHERE b.site_id = s.id AND b.trigger = 'Scheduled'),
                   g.verified_at, g.verify_ok
            FROM sites s
            LEFT JOIN LATERAL (SELECT b.id, b.good_at, b.verified_at, b.verify_ok FROM backups b
                               WHERE b.site_id = s.id AND b.good_at IS NOT NULL AND b.pruned_at IS NULL
                               ORDER BY b.good_at DESC LIMIT 1) g ON true
            WHERE s.state NOT IN ('Deleted', 'Purged', 'Pending')
              AND NOT s.standby -- nothing to keep yet: a standby is backed up once claimed (docs/architecture.md §17)
              AND s.rehearsal_of IS NULL -- a rehearsal's scratch copy lives minutes and is dropped (§20)
            ORDER BY s.name
            """);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var list = new List<SiteBackupSummary>();
        while (await r.ReadAsync(ct))
            list.Add(new SiteBackupSummary(r.GetGuid(0), r.GetString(1), Enum.Parse<SiteState>(r.GetString(2)),
                r.GetFieldValue<DateTimeOffset>(3), Rows.NullableTime(r, 4), r.IsDBNull(5) ? null : r.GetGuid(5),
                Rows.NullableTime(r, 6), Rows.NullableTime(r, 7), r.IsDBNull(8) ? null : r.GetBoolean(8)));
        return list;
    }

    private async Task<IReadOnlyList<Backup>> ReadAsync(string whereAndOrder, CancellationToken ct, params (string, object?)[] args)
    {
        await using var conn = await sources.Metadata.OpenConnectionAsync(ct);
        await using var cmd = Sql.Command(conn, $"{Select} WHERE {whereAndOrder}", args);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var list = new List<Backup>();
        while (await r.ReadAsync(ct))
        {
            var verification = r.IsDBNull(12) ? null
                : new BackupVerification(r.GetFieldValue<DateTimeOffset>(12), !r.IsDBNull(13) && r.GetBoolean(13), Rows.NullableString(r, 14) ?? "");
            list.Add(new Backup(r.GetGuid(0), r.GetGuid(1), r.GetString(2), Enum.Parse<BackupTrigger>(r.GetString(3)),
                Enum.Parse<BackupState>(r.GetString(4)), r.GetFieldValue<DateTimeOffset>(5), r.GetFieldValue<DateTimeOffset>(6),
                Rows.NullableTime(r, 7), Rows.NullableString(r, 8),
                JsonSerializer.Deserialize<List<BackupPart>>(r.GetString(9), Json) ?? [],
                r.IsDBNull(10) ? null : JsonSerializer.Deserialize<SchemaDumpInfo>(r.GetString(10), Json),
                r.IsDBNull(11) ? null : BackupManifest.FromJson(r.GetString(11)),
                verification));
        }
        return list;
    }

    // ---- IRestoreLog ----

    public async Task RecordSwapAsync(SiteRestore x, CancellationToken ct)
    {
        await using var conn = await sources.Metadata.OpenConnectionAsync(ct);
        await conn.ExecAsync("""
            INSERT INTO site_restores (job_id, site_id, backup_id, restore_id, previous_schema, previous_database, swapped_at, rollback_until)
            VALUES (@j, @s, @b, @r, @p, @pdb::text, @at, @until) ON CONFLICT (job_id) DO NOTHING
            """, ct, ("j", x.JobId), ("s", x.SiteId), ("b", x.BackupId), ("r", x.RestoreId), ("p", x.PreviousSchema),
            // Null (a restore in place): the table's trigger records the site's own database.
            ("pdb", x.PreviousDatabase), ("at", x.SwappedAt), ("until", x.RollbackUntil));
    }

    public async Task<SiteRestore?> CurrentAsync(Guid siteId, CancellationToken ct) =>
        (await ReadRestoresAsync("site_id = @s AND rolled_back_at IS NULL AND discarded_at IS NULL ORDER BY swapped_at DESC LIMIT 1", ct, ("s", siteId))).SingleOrDefault();

    public async Task<SiteRestore?> ForJobAsync(Guid jobId, CancellationToken ct) =>
        (await ReadRestoresAsync("job_id = @j", ct, ("j", jobId))).SingleOrDefault();

    public async Task MarkRolledBackAsync(Guid jobId, DateTimeOffset at, CancellationToken ct)
    {
        await using var conn = await sources.Metadata.OpenConnectionAsync(ct);
        await conn.ExecAsync("UPDATE site_restores SET rolled_back_at = COALESCE(rolled_back_at, @at) WHERE job_id = @j", ct, ("j", jobId), ("at", at));
    }

    public async Task MarkDiscardedAsync(Guid jobId, DateTimeOffset at, CancellationToken ct)
    {
        await using var conn = await sources.Metadata.OpenConnectionAsync(ct);
        await conn.ExecAsync("UPDATE site_restores SET discarded_at = COALESCE(discarded_at, @at) WHERE job_id = @j", ct, ("j", jobId), ("at", at));
    }

    public async Task ForgetAsync(Guid jobId, CancellationToken ct)
    {
        await using var conn = await sources.Metadata.OpenConnectionAsync(ct);
        await conn.ExecAsync("DELETE FROM site_restores WHERE job_id = @j", ct, ("j", jobId));
    }

    public Task<IReadOnlyList<SiteRestore>> ListExpiredAsync(DateTimeOffset now, CancellationToken ct) =>
        ReadRestoresAsync("discarded_at IS NULL AND rolled_back_at IS NULL AND rollback_until <= @now ORDER BY rollback_until", ct, ("now", now));

    private async Task<IReadOnlyList<SiteRestore>> ReadRestoresAsync(string whereAndOrder, CancellationToken ct, params (string, object?)[] args)
    {
        await using var conn = await sources.Metadata.OpenConnectionAsync(ct);
        await using var cmd = Sql.Command(conn, $"""
            SELECT job_id, site_id, backup_id, restore_id, previous_schema, swapped_at, rollback_until, rolled_back_at, discarded_at,
                   previous_database
            FROM site_restores WHERE {whereAndOrder}
            """, args);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var list = new List<SiteRestore>();
        while (await r.ReadAsync(ct))
            list.Add(new SiteRestore(r.GetGuid(0), r.GetGuid(1), r.GetGuid(2), r.GetString(3), r.GetString(4),
                r.GetFieldValue<DateTimeOffset>(5), r.GetFieldValue<DateTimeOffset>(6), Rows.NullableTime(r, 7), Rows.NullableTime(r, 8))
                { PreviousDatabase = r.GetString(9) });
        return list;
    }
}
