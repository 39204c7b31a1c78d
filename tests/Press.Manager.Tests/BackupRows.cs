using Npgsql;
using Press.Core.Backups;
using Press.Testing;

namespace Press.Manager.Tests;

/// <summary>Writes sites and backups straight into the metadata tables, so the API can be tested without running
/// pg_dump (real backup jobs are the end-to-end tests' business).</summary>
public static class BackupRows
{
    /// <summary>An Active site row as a finished NewSite job would leave it (no role or schema behind it).</summary>
    public static async Task<Guid> InsertActiveSiteAsync(this PressDatabase db, string name, DateTimeOffset createdAt)
    {
        var id = Guid.CreateVersion7();
        await using var conn = await db.OpenAsSuperuserAsync(db.MetadataDatabase);
        await using var cmd = new NpgsqlCommand("""
            INSERT INTO sites (id, name, state, db_name, schema_name, role_name, password_enc, apps, created_at, updated_at)
            VALUES (@id, @name, 'Active', @db, @schema, @schema, '\x00'::bytea, '{}', @at, @at)
            """, conn);
        var schema = "t_" + id.ToString("N")[..20];
        cmd.Parameters.AddWithValue("id", id);
        cmd.Parameters.AddWithValue("name", name);
        cmd.Parameters.AddWithValue("db", db.SitesDatabase);
        cmd.Parameters.AddWithValue("schema", schema);
        cmd.Parameters.AddWithValue("at", createdAt);
        await cmd.ExecuteNonQueryAsync();
        return id;
    }

    public static async Task<Guid> SiteIdAsync(this PressDatabase db, string name)
    {
        await using var conn = await db.OpenAsSuperuserAsync(db.MetadataDatabase);
        await using var cmd = new NpgsqlCommand("SELECT id FROM sites WHERE name = @n AND state <> 'Purged'", conn);
        cmd.Parameters.AddWithValue("n", name);
        return (Guid)(await cmd.ExecuteScalarAsync())!;
    }

    /// <summary>A good backup (its BackupSite job Succeeded) finished at <paramref name="goodAt"/>, with the given parts
    /// recorded and, when <paramref name="withManifest"/>, a manifest listing them.</summary>
    public static async Task<Guid> InsertGoodBackupAsync(this PressDatabase db, Guid siteId, string siteName, DateTimeOffset goodAt,
        IReadOnlyList<BackupPart>? parts = null, bool withManifest = true, bool? verifiedOk = null, Guid? id = null)
    {
        var backupId = id ?? Guid.CreateVersion7();
        parts ??= [];
        var manifest = withManifest
            ? new BackupManifest(BackupManifest.CurrentFormat, backupId, siteName, siteId, db.SitesDatabase, "t_x", "Manual",
                new ManifestPostgres("17.6", "pg_dump (PostgreSQL) 17.6"), [new ManifestApp("frappe", "15.0.0")], parts,
                null, new Dictionary<string, long> { ["tabUser"] = 3 }, parts.Sum(p => p.Size), goodAt, goodAt.AddDays(30)).ToJson()
            : null;
        await using var conn = await db.OpenAsSuperuserAsync(db.MetadataDatabase);
        await using var tx = await conn.BeginTransactionAsync();
        await using (var job = new NpgsqlCommand("""
            INSERT INTO jobs (id, site_id, kind, state, created_by, created_at, started_at, finished_at, run_after)
            VALUES (@id, @site, 'BackupSite', 'Succeeded', 'test', @at, @at, @at, @at)
            """, conn, tx))
        {
            job.Parameters.AddWithValue("id", backupId);
            job.Parameters.AddWithValue("site", siteId);
            job.Parameters.AddWithValue("at", goodAt);
            await job.ExecuteNonQueryAsync();
        }
        await using (var backup = new NpgsqlCommand("""
            INSERT INTO backups (id, site_id, trigger, created_at, expires_at, parts, manifest, good_at, verified_at, verify_ok, verify_detail)
            VALUES (@id, @site, 'Manual', @at, @at + interval '30 days', @parts::jsonb, @manifest::jsonb, @at,
                    CASE WHEN @ok::boolean IS NULL THEN NULL ELSE @at END, @ok::boolean, CASE WHEN @ok::boolean IS NULL THEN NULL ELSE 'checked' END)
            """, conn, tx))
        {
            backup.Parameters.AddWithValue("id", backupId);
            backup.Parameters.AddWithValue("site", siteId);
            backup.Parameters.AddWithValue("at", goodAt);
            backup.Parameters.AddWithValue("parts", System.Text.Json.JsonSerializer.Serialize(parts, new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.Web)));
            backup.Parameters.Add(new NpgsqlParameter("manifest", NpgsqlTypes.NpgsqlDbType.Text) { Value = (object?)manifest ?? DBNull.Value });
            backup.Parameters.Add(new NpgsqlParameter("ok", NpgsqlTypes.NpgsqlDbType.Boolean) { Value = (object?)verifiedOk ?? DBNull.Value });
            await backup.ExecuteNonQueryAsync();
        }
        await tx.CommitAsync();
        return backupId;
    }

    public static async Task ExecAsync(this PressDatabase db, string sql)
    {
        await using var conn = await db.OpenAsSuperuserAsync(db.MetadataDatabase);
        await using var cmd = new NpgsqlCommand(sql, conn);
        await cmd.ExecuteNonQueryAsync();
    }
}
