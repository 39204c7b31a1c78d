using System.Diagnostics;
using System.Text;
using Npgsql;
using Press.Core.Backups;
using Press.Core.Jobs;
using Press.Core.Ports;
using Press.Core.Sites;

namespace Press.Infrastructure.Postgres.Archive;

/// <summary>
/// <see cref="ISchemaArchive"/> with pg_dump, pg_restore and psql. Press connects as its own role and acts as a site's
/// role through <c>--role</c> / <c>SET ROLE</c> (it holds every site role with SET, without INHERIT).
/// </summary>
public sealed class PgSchemaArchive(PostgresOptions postgres, BackupOptions options, PressDataSources sources) : ISchemaArchive
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

    public async Task<(SchemaDumpInfo Info, UploadedObject Archive)> DumpAsync(
        Site site, Func<Stream, CancellationToken, Task<UploadedObject>> upload, CancellationToken ct)
    {
        var check = await RequireToolsAsync(ct);
        // One snapshot for the dump and the row counts: the manifest's counts describe exactly the dumped data.
        await using var conn = await OpenSitesAsync(site.Location.Database, ct);
        await using var tx = await conn.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, ct);
        var snapshot = (await conn.ScalarAsync<string>("SELECT pg_export_snapshot()", ct))!;

        using var dump = PgTool.Start(options, "pg_dump", postgres.For(site.Location.Database),
            ["--format=custom", $"--schema={site.Location.Schema}", $"--role={site.RoleName}", $"--snapshot={snapshot}", "--no-password"], stdin: true);
        dump.StandardInput.Close(); // nothing to read: never the worker's own stdin
        var errors = PgTool.CollectErrorsAsync(dump);
        try
        {
            var counting = CountRowsInAsync(conn, site.Location.Schema, site.RoleName, ct);
            var archive = await upload(new ToolOutputStream(dump, errors, "pg_dump"), ct);
            var tables = await counting;
            await tx.RollbackAsync(ct);
            return (new SchemaDumpInfo(check.ServerVersion!, check.DumpVersion!, tables), archive);
        }
        finally
        {
            PgTool.Kill(dump);
        }
    }

    public async Task<string> RestoreAsync(Stream archive, string database, string dumpSchema, string targetSchema, string targetRole, CancellationToken ct)
    {
        await RequireToolsAsync(ct);
        string? dumpOwner;
        await using (var conn = await OpenSitesAsync(database, ct))
        {
            if (await SchemaExistsAsync(conn, targetSchema, ct))
                throw new StepFailedException(FailureKind.Permanent, $"schema {targetSchema} already exists; a restore only creates a new schema");
            dumpOwner = await conn.ScalarAsync<string>("SELECT pg_get_userbyid(nspowner) FROM pg_namespace WHERE nspname = @s", ct, ("s", dumpSchema));
        }
        var script = RestoreScript.For(database, dumpSchema, dumpOwner, targetSchema, targetRole);

        using var psql = PgTool.Start(options, "psql", postgres.For(database),
            ["-X", "-q", "-w", "-v", "ON_ERROR_STOP=1", "--single-transaction", "-o", "/dev/null", "-f", "-"], stdin: true);
        using var restore = PgTool.Start(options, "pg_restore", postgres.For(database),
            ["--no-owner", "--no-privileges", "--exit-on-error", "-f", "-"], stdin: true);
        var psqlErrors = PgTool.CollectErrorsAsync(psql);
        var restoreErrors = PgTool.CollectErrorsAsync(restore);
        long fed = 0;
        try
        {
            var feed = Task.Run(async () =>
            {
                try
                {
                    var buffer = new byte[1 << 20];
                    int read;
                    while ((read = await archive.ReadAsync(buffer, ct)) > 0)
                    {
                        await restore.StandardInput.BaseStream.WriteAsync(buffer.AsMemory(0, read), ct);
                        fed += read;
                    }
                }
                finally { restore.StandardInput.Close(); }
            }, ct);
            var pipe = Task.Run(async () =>
            {
                var input = psql.StandardInput.BaseStream;
                try
                {
                    await input.WriteAsync(Encoding.UTF8.GetBytes(script.Prologue), ct);
                    await restore.StandardOutput.BaseStream.CopyToAsync(input, 1 << 20, ct);
                    await restore.WaitForExitAsync(ct);
                    // A pg_restore that failed must not let the epilogue commit half a schema: end psql's input with an
                    // error so ON_ERROR_STOP rolls the single transaction back.
                    await input.WriteAsync(Encoding.UTF8.GetBytes(restore.ExitCode == 0 ? script.Epilogue : RestoreScript.Abort), ct);
                }
                finally { psql.StandardInput.Close(); }
            }, ct);
            var flowing = Task.WhenAll(IgnorePipeErrors(feed), IgnorePipeErrors(pipe));
            var psqlExited = psql.WaitForExitAsync(ct);
            // psql failing early stops reading: pg_restore then blocks on its output and the feed on pg_restore's input.
            if (await Task.WhenAny(flowing, psqlExited) == psqlExited && psql.ExitCode != 0) PgTool.Kill(restore);
            await flowing;
            await psqlExited;
            await restore.WaitForExitAsync(ct);
            if (psql.ExitCode != 0)
            {
                var message = await psqlErrors;
                throw new StepFailedException(PgTool.Classify(message), $"restore into {targetSchema} failed (psql exit {psql.ExitCode}); nothing was restored: {message}");
            }
            if (restore.ExitCode != 0)
            {
                var message = await restoreErrors;
                throw new StepFailedException(PgTool.Classify(message), $"pg_restore failed (exit {restore.ExitCode}); nothing was restored: {message}");
            }
            await feed; // the archive's own errors (a store that went away) surface here
            await pipe;
            return $"restored {fed:N0} bytes of archive (schema {dumpSchema}) into new schema {targetSchema}, owned by {targetRole}";
        }
        finally
        {
            PgTool.Kill(restore);
            PgTool.Kill(psql);
        }
    }

    /// <summary>A broken pipe means the other side exited; its exit code and message tell why, so the write error is
    /// not the one to report.</summary>
    private static async Task IgnorePipeErrors(Task task)
    {
        try { await task; }
        catch (IOException) { }
    }

    public async Task<bool> SchemaExistsAsync(string database, string schema, CancellationToken ct)
    {
        await using var conn = await OpenSitesAsync(database, ct);
        return await SchemaExistsAsync(conn, schema, ct);
    }

    private static async Task<bool> SchemaExistsAsync(NpgsqlConnection conn, string schema, CancellationToken ct) =>
        await conn.ScalarAsync<bool>("SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = @s)", ct, ("s", schema));

    public async Task<IReadOnlyDictionary<string, long>> CountRowsAsync(string database, string schema, string role, CancellationToken ct)
    {
        await using var conn = await OpenSitesAsync(database, ct);
        await using var tx = await conn.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, ct);
        var counts = await CountRowsInAsync(conn, schema, role, ct);
        await tx.RollbackAsync(ct);
        return counts;
    }

    /// <summary>Exact counts, in the connection's current transaction, as the schema's owner.</summary>
    private static async Task<IReadOnlyDictionary<string, long>> CountRowsInAsync(NpgsqlConnection conn, string schema, string role, CancellationToken ct)
    {
        await conn.ExecAsync($"SET LOCAL ROLE {Sql.Ident(role)}", ct);
        var tables = new List<string>();
        await using (var cmd = Sql.Command(conn, """
            SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = @s AND c.relkind = 'r' ORDER BY c.relname
            """, ("s", schema)))
        await using (var r = await cmd.ExecuteReaderAsync(ct))
            while (await r.ReadAsync(ct)) tables.Add(r.GetString(0));
        var counts = new SortedDictionary<string, long>(StringComparer.Ordinal);
        // Names come from the catalog and are quoted; batches keep one statement from growing without bound.
        foreach (var batch in tables.Chunk(200))
        {
            var sql = string.Join(" UNION ALL ", batch.Select((t, i) => $"SELECT {i}, count(*) FROM {Sql.Ident(schema)}.{Sql.Ident(t)}"));
            await using var cmd = new NpgsqlCommand(sql, conn) { CommandTimeout = 0 };
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct)) counts[batch[r.GetInt32(0)]] = r.GetInt64(1);
        }
        await conn.ExecAsync("RESET ROLE", ct);
        return counts;
    }

    public async Task RenameSchemasAsync(string database, string role, IReadOnlyList<(string From, string To)> renames, CancellationToken ct)
    {
        await using var conn = await OpenSitesAsync(database, ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        // Renaming a schema needs its owner AND CREATE on the database; the site role gets CREATE only inside this
        // transaction (Press owns the sites database), so no committed state ever grants it.
        await conn.ExecAsync($"GRANT CREATE ON DATABASE {Sql.Ident(database)} TO {Sql.Ident(role)}", ct);
        await conn.ExecAsync($"SET LOCAL ROLE {Sql.Ident(role)}", ct);
        foreach (var (from, to) in renames)
            await conn.ExecAsync($"ALTER SCHEMA {Sql.Ident(from)} RENAME TO {Sql.Ident(to)}", ct);
        await conn.ExecAsync("RESET ROLE", ct);
        await conn.ExecAsync($"REVOKE CREATE ON DATABASE {Sql.Ident(database)} FROM {Sql.Ident(role)}", ct);
        await tx.CommitAsync(ct);
    }

    public async Task<IReadOnlyList<string>> SchemasOwnedByAsync(string database, string role, CancellationToken ct)
    {
        await using var conn = await OpenSitesAsync(database, ct);
        await using var cmd = Sql.Command(conn, "SELECT nspname FROM pg_namespace WHERE pg_get_userbyid(nspowner) = @r ORDER BY nspname", ("r", role));
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var list = new List<string>();
        while (await r.ReadAsync(ct)) list.Add(r.GetString(0));
        return list;
    }

    public async Task<string> DropSchemaAsync(string database, string schema, string role, CancellationToken ct)
    {
        await using var conn = await OpenSitesAsync(database, ct);
        if (!await SchemaExistsAsync(conn, schema, ct)) return $"schema {schema} already gone";
        await using var tx = await conn.BeginTransactionAsync(ct);
        await conn.ExecAsync($"SET LOCAL ROLE {Sql.Ident(role)}", ct);
        await conn.ExecAsync($"DROP SCHEMA {Sql.Ident(schema)} CASCADE", ct);
        await tx.CommitAsync(ct);
        return $"dropped schema {schema}";
    }

    private async Task<NpgsqlConnection> OpenSitesAsync(string database, CancellationToken ct)
    {
        if (database == postgres.SitesDatabase) return await sources.Sites.OpenConnectionAsync(ct);
        var conn = new NpgsqlConnection(postgres.For(database).ConnectionString);
        await conn.OpenAsync(ct);
        return conn;
    }
}
