using Npgsql;
using Press.Core.Backups;
using Press.Core.Jobs;
using Press.Core.Ports;
using Press.Core.Sites;
using static Press.Infrastructure.Postgres.PostgresErrors;

namespace Press.Infrastructure.Postgres.Archive;

/// <summary>
/// <see cref="ISchemaArchive"/> with pg_dump, pg_restore and psql. Whatever reads or writes a site's data — the dump,
/// its row counts, the restore — runs logged in as a helper login holding exactly the site role's powers
/// (<see cref="TenantLogin"/>), because reading and writing data runs code the tenant wrote. Press's own sessions
/// (search path pinned) only look at the catalog and run DDL that runs no user code: creating, renaming and dropping
/// schemas.
/// </summary>
public sealed class PgSchemaArchive(BackupOptions options, PressDataSources sources) : ISchemaArchive
{
    private ToolCheck? _ok;

    /// <summary>A good check is kept (tools and server do not change under a running worker); a failed one, or one that
    /// could not reach the server, is made again next time, so fixing the tools needs no restart.</summary>
    public async Task<ToolCheck> CheckToolsAsync(CancellationToken ct)
    {
        if (_ok is { } ok) return ok;
        var check = await CheckOnceAsync(ct);
        if (check.Ok) _ok = check;
        return check;
    }

    private async Task<ToolCheck> CheckOnceAsync(CancellationToken ct)
    {
        string server;
        await using (var conn = await sources.Sites.OpenConnectionAsync(ct))
            server = (await conn.ScalarAsync<string>("SHOW server_version", ct))!;
        var serverMajor = int.Parse(server.Split('.', ' ')[0], System.Globalization.CultureInfo.InvariantCulture);
        var dump = await PgTool.VersionAsync(options, "pg_dump", ct);
        var restore = await PgTool.VersionAsync(options, "pg_restore", ct);
        var psql = await PgTool.VersionAsync(options, "psql", ct);
        var where = string.IsNullOrEmpty(options.ToolsFolder) ? "on PATH" : $"in {options.ToolsFolder}";
        string? problem = null;
        foreach (var (tool, version) in new[] { ("pg_dump", dump), ("pg_restore", restore), ("psql", psql) })
        {
            if (version is null) { problem = $"{tool} was not found {where}"; break; }
            if (PgTool.MajorOf(version) != serverMajor) { problem = $"{tool} {where} is '{version}' but the server is PostgreSQL {server}"; break; }
            if (tool != "pg_dump" && PgTool.LacksRestrict(version))
            {
                problem = $"{tool} {where} is '{version}', older than the release that made psql refuse meta-commands inside a dump " +
                          $"(CVE-2025-8714, fixed in {PgTool.RestrictSince(serverMajor)}): a tenant's object names could run shell commands in psql during a restore";
                break;
            }
        }
        if (problem is not null)
            problem += $": backups need pg_dump, pg_restore and psql of major version {serverMajor} (a newer pg_restore emits settings an older server refuses; an older pg_dump refuses a newer server). " +
                       "Install them and set Press:Backups:ToolsFolder to their folder.";
        return new ToolCheck(server, dump, restore, problem);
    }

    private async Task<ToolCheck> RequireToolsAsync(CancellationToken ct)
    {
        var check = await CheckToolsAsync(ct);
        return check.Ok ? check : throw new StepFailedException(FailureKind.Permanent, check.Problem!);
    }

    public Task<(SchemaDumpInfo Info, UploadedObject Archive)> DumpAsync(
        Site site, Func<Stream, CancellationToken, Task<UploadedObject>> upload, CancellationToken ct) =>
        Guard("dump", () => DumpCoreAsync(site, upload, ct));

    private async Task<(SchemaDumpInfo Info, UploadedObject Archive)> DumpCoreAsync(
        Site site, Func<Stream, CancellationToken, Task<UploadedObject>> upload, CancellationToken ct)
    {
        var check = await RequireToolsAsync(ct);
        await using var login = await TenantLogin.CreateAsync(sources, site.Location.Database, site.RoleName, options.ToolTimeout, ct);
        // One snapshot for the dump and the row counts: the manifest's counts describe exactly the dumped data.
        await using var conn = await login.OpenAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, ct);
        var snapshot = (await conn.ScalarAsync<string>("SELECT pg_catalog.pg_export_snapshot()", ct))!;

        // --enable-row-security: the site's own forced policies apply to it, in the dump as in the counts. Without it
        // pg_dump refuses such a table, and a tenant could make every backup fail — and with it its own deletion.
        using var dump = PgTool.Start(options, "pg_dump", login.Connection,
            ["--format=custom", $"--schema={site.Location.Schema}", $"--role={site.RoleName}", $"--snapshot={snapshot}",
             "--enable-row-security", "--no-password"], stdin: true);
        dump.StandardInput.Close(); // nothing to read: never the worker's own stdin
        var errors = PgTool.CollectErrorsAsync(dump);
        try
        {
            var counting = CountRowsInAsync(conn, site.Location.Schema, ct);
            var uploading = upload(new ToolOutputStream(dump, errors, "pg_dump"), ct);
            if (await Task.WhenAny(counting, uploading) == counting && counting.IsFaulted)
            {
                // A count that failed (the site's own code raising) ends the snapshot's transaction, and pg_dump's error
                // would only say it lost the snapshot: report the count's own error.
                PgTool.Kill(dump);
                try { await uploading; } catch (Exception) when (!ct.IsCancellationRequested) { }
            }
            var tables = await counting;
            var archive = await uploading;
            await tx.RollbackAsync(ct);
            return (new SchemaDumpInfo(check.ServerVersion!, check.DumpVersion!, tables), archive);
        }
        finally
        {
            PgTool.Kill(dump);
        }
    }

    /// <summary>
    /// Into a fresh schema that Press creates, owned by the target role (dropping first what an interrupted attempt
    /// left under that exact name), then pg_restore's SQL with the dump's schema name rewritten to it, run by psql as
    /// the target role in one transaction that ends by marking the schema complete. A complete schema is left as it is.
    /// </summary>
    public Task<string> RestoreAsync(Stream archive, string database, string dumpSchema, string targetSchema, string liveSchema,
        string targetRole, CancellationToken ct) =>
        Guard("restore", () => RestoreCoreAsync(archive, database, dumpSchema, targetSchema, liveSchema, targetRole, ct));

    private async Task<string> RestoreCoreAsync(Stream archive, string database, string dumpSchema, string targetSchema, string liveSchema,
        string targetRole, CancellationToken ct)
    {
        await RequireToolsAsync(ct);
        await using (var conn = await sources.OpenSitesAsync(database, ct))
        {
            if (await conn.ScalarAsync<string>("""
                    SELECT pg_catalog.obj_description(oid, 'pg_namespace') FROM pg_catalog.pg_namespace WHERE nspname = @s
                    """, ct, ("s", targetSchema)) == RestoreScript.CompleteMark)
                return $"schema {targetSchema} was already restored completely by an earlier attempt";
            await FreshSchemaAsync(conn, targetSchema, targetRole, ct);
        }
        await using var login = await TenantLogin.CreateAsync(sources, database, targetRole, options.ToolTimeout, ct);
        var fed = await RestorePipeline.RunAsync(options, login, archive, dumpSchema, targetSchema, liveSchema, ct);
        return $"restored {fed:N0} bytes of archive (schema {dumpSchema}) into new schema {targetSchema}, owned by {targetRole}";
    }

    /// <summary>Pure DDL in Press's session: no user code runs (event triggers, the one hook on DDL, need a superuser).</summary>
    private static async Task FreshSchemaAsync(NpgsqlConnection conn, string schema, string role, CancellationToken ct)
    {
        await using var tx = await conn.BeginTransactionAsync(ct);
        // Press holds every site role with SET (not INHERIT); a new site's role gets that grant here, as create-schema
        // gives it otherwise (Press has ADMIN on the roles it created).
        await conn.ExecAsync($"GRANT {Sql.Ident(role)} TO CURRENT_USER WITH INHERIT FALSE, SET TRUE", ct);
        if (await SchemaExistsAsync(conn, schema, ct))
        {
            await conn.ExecAsync($"SET LOCAL ROLE {Sql.Ident(role)}", ct);
            await conn.ExecAsync($"DROP SCHEMA {Sql.Ident(schema)} CASCADE", ct);
            await conn.ExecAsync("RESET ROLE", ct);
        }
        await conn.ExecAsync($"CREATE SCHEMA {Sql.Ident(schema)} AUTHORIZATION {Sql.Ident(role)}", ct);
        await tx.CommitAsync(ct);
    }

    public async Task<bool> SchemaExistsAsync(string database, string schema, CancellationToken ct)
    {
        await using var conn = await sources.OpenSitesAsync(database, ct);
        return await SchemaExistsAsync(conn, schema, ct);
    }

    private static async Task<bool> SchemaExistsAsync(NpgsqlConnection conn, string schema, CancellationToken ct) =>
        await conn.ScalarAsync<bool>("SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = @s)", ct, ("s", schema));

    public Task<IReadOnlyDictionary<string, long>> CountRowsAsync(string database, string schema, string role, CancellationToken ct) =>
        Guard("count rows", async () =>
    {
        await using var login = await TenantLogin.CreateAsync(sources, database, role, options.ToolTimeout, ct);
        await using var conn = await login.OpenAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, ct);
        var counts = await CountRowsInAsync(conn, schema, ct);
        await tx.RollbackAsync(ct);
        return counts;
    });

    /// <summary>Exact counts, in the connection's current transaction (a helper login acting as the schema's owner).</summary>
    private static async Task<IReadOnlyDictionary<string, long>> CountRowsInAsync(NpgsqlConnection conn, string schema, CancellationToken ct)
    {
        var tables = new List<string>();
        await using (var cmd = Sql.Command(conn, """
            SELECT c.relname FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = @s AND c.relkind = 'r' ORDER BY c.relname
            """, ("s", schema)))
        await using (var r = await cmd.ExecuteReaderAsync(ct))
            while (await r.ReadAsync(ct)) tables.Add(r.GetString(0));
        var counts = new SortedDictionary<string, long>(StringComparer.Ordinal);
        // Names come from the catalog and are quoted; batches keep one statement from growing without bound.
        foreach (var batch in tables.Chunk(200))
        {
            var sql = string.Join(" UNION ALL ", batch.Select((t, i) => $"SELECT {i}, pg_catalog.count(*) FROM {Sql.Ident(schema)}.{Sql.Ident(t)}"));
            await using var cmd = new NpgsqlCommand(sql, conn) { CommandTimeout = 0 };
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct)) counts[batch[r.GetInt32(0)]] = r.GetInt64(1);
        }
        return counts;
    }

    /// <summary>
    /// Renaming a schema needs its owner AND CREATE on the database: the site role gets CREATE only inside this short
    /// transaction (Press owns the sites database), so no committed state ever grants it. Pure DDL; the database row's
    /// turn is taken as for every grant (<see cref="DatabaseRow"/>).
    /// </summary>
    public Task RenameSchemasAsync(string database, string role, IReadOnlyList<(string From, string To)> renames, CancellationToken ct) =>
        Guard("rename schemas", () => DatabaseRow.RunAsync(sources, database, async conn =>
        {
            await conn.ExecAsync($"GRANT CREATE ON DATABASE {Sql.Ident(database)} TO {Sql.Ident(role)}", ct);
            await conn.ExecAsync($"SET LOCAL ROLE {Sql.Ident(role)}", ct);
            foreach (var (from, to) in renames)
                await conn.ExecAsync($"ALTER SCHEMA {Sql.Ident(from)} RENAME TO {Sql.Ident(to)}", ct);
            await conn.ExecAsync("RESET ROLE", ct);
            await conn.ExecAsync($"REVOKE CREATE ON DATABASE {Sql.Ident(database)} FROM {Sql.Ident(role)}", ct);
        }, ct));

    public async Task<IReadOnlyList<string>> SchemasOwnedByAsync(string database, string role, CancellationToken ct)
    {
        await using var conn = await sources.OpenSitesAsync(database, ct);
        await using var cmd = Sql.Command(conn, "SELECT nspname FROM pg_catalog.pg_namespace WHERE pg_catalog.pg_get_userbyid(nspowner) = @r ORDER BY nspname", ("r", role));
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var list = new List<string>();
        while (await r.ReadAsync(ct)) list.Add(r.GetString(0));
        return list;
    }

    public Task<string> DropSchemaAsync(string database, string schema, string role, CancellationToken ct) => Guard("drop schema", async () =>
    {
        await using var conn = await sources.OpenSitesAsync(database, ct);
        if (!await SchemaExistsAsync(conn, schema, ct)) return $"schema {schema} already gone";
        await using var tx = await conn.BeginTransactionAsync(ct);
        await conn.ExecAsync($"SET LOCAL ROLE {Sql.Ident(role)}", ct);
        await conn.ExecAsync($"DROP SCHEMA {Sql.Ident(schema)} CASCADE", ct);
        await tx.CommitAsync(ct);
        return $"dropped schema {schema}";
    });
}
