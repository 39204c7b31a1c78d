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

    public Task<(SchemaDumpInfo Info, IReadOnlyList<(string Part, UploadedObject Object)> Parts)> DumpAsync(
        Site site, Func<string, Stream, CancellationToken, Task<UploadedObject>> upload, CancellationToken ct) =>
        Guard("dump", () => DumpCoreAsync(site, upload, ct));

    private async Task<(SchemaDumpInfo Info, IReadOnlyList<(string Part, UploadedObject Object)> Parts)> DumpCoreAsync(
        Site site, Func<string, Stream, CancellationToken, Task<UploadedObject>> upload, CancellationToken ct)
    {
        var check = await RequireToolsAsync(ct);
        var compression = Compression(check);
        var (database, schema) = (site.Location.Database, site.Location.Schema);
        await using var login = await TenantLogin.CreateAsync(sources, database, site.RoleName, options.ToolTimeout, ct);
        // One snapshot for every archive and the row counts: the manifest's counts describe exactly the dumped data, and
        // parallel archives fit together as one dump (what pg_dump -j does with its workers).
        await using var conn = await login.OpenAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, ct);
        var snapshot = (await conn.ScalarAsync<string>("SELECT pg_catalog.pg_export_snapshot()", ct))!;
        var spread = DumpPlan.Spread(await TableSizesAsync(conn, schema, ct), options.ParallelThresholdMb * (1L << 20), options.ParallelJobs);
        var layout = new DumpLayout(DumpPlan.Describe(compression), spread.Select((_, i) => BackupParts.DataPart(i + 1)).ToList());
        var archives = new List<(string Part, IReadOnlyList<string> Args)>
        {
            (BackupParts.Database, PgArgs.DumpSchema(database, schema, site.RoleName, snapshot, compression, [.. spread.SelectMany(t => t)])),
        };
        archives.AddRange(spread.Select((tables, i) =>
            (layout.DataParts[i], PgArgs.DumpRows(database, schema, tables, site.RoleName, snapshot, compression))));

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var dumps = new List<System.Diagnostics.Process>();
        try
        {
            var uploads = new List<Task<(string, UploadedObject)>>();
            foreach (var (part, args) in archives)
            {
                var dump = PgTool.Start(options, "pg_dump", login.Connection, args, stdin: true);
                dumps.Add(dump);
                dump.StandardInput.Close(); // nothing to read: never the worker's own stdin
                var output = new ToolOutputStream(dump, PgTool.CollectErrorsAsync(dump), "pg_dump");
                uploads.Add(UploadAsync(part, output));
            }
            async Task<(string, UploadedObject)> UploadAsync(string part, Stream output)
            {
                try { return (part, await upload(part, output, stop.Token)); }
                catch
                {
                    // One archive failed: the others stop too (their pg_dump killed, their uploads aborted).
                    await stop.CancelAsync();
                    foreach (var d in dumps) PgTool.Kill(d);
                    throw;
                }
            }
            var counting = CountRowsInAsync(conn, schema, ct);
            var uploading = Task.WhenAll(uploads);
            if (await Task.WhenAny(counting, uploading) == counting && counting.IsFaulted)
            {
                // A count that failed (the site's own code raising) ends the snapshot's transaction, and pg_dump's error
                // would only say it lost the snapshot: report the count's own error.
                foreach (var d in dumps) PgTool.Kill(d);
                try { await uploading; } catch (Exception) when (!ct.IsCancellationRequested) { }
            }
            var tables = await counting;
            var uploaded = await FirstFailureAsync(uploads);
            await tx.RollbackAsync(ct);
            return (new SchemaDumpInfo(check.ServerVersion!, check.DumpVersion!, tables, layout), uploaded);
        }
        finally
        {
            foreach (var d in dumps)
            {
                PgTool.Kill(d);
                d.Dispose();
            }
        }
    }

    /// <summary>pg_dump's <c>--compress</c> for these tools: the configured one, or their gzip default before 16.</summary>
    private string? Compression(ToolCheck check)
    {
        try
        {
            return DumpPlan.CompressionFor(PgTool.MajorOf(check.DumpVersion!) ?? 0, options.Compression);
        }
        catch (ArgumentException ex)
        {
            throw new StepFailedException(FailureKind.Permanent, ex.Message);
        }
    }

    /// <summary>Bytes of each table's rows (heap and TOAST, no indexes), in the dump's snapshot, for <see cref="DumpPlan.Spread"/>.</summary>
    private static async Task<IReadOnlyList<(string, long)>> TableSizesAsync(NpgsqlConnection conn, string schema, CancellationToken ct)
    {
        var sizes = new List<(string, long)>();
        await using var cmd = Sql.Command(conn, """
            SELECT c.relname, pg_catalog.pg_table_size(c.oid) FROM pg_catalog.pg_class c
            JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = @s AND c.relkind = 'r' ORDER BY c.relname
            """, ("s", schema));
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) sizes.Add((r.GetString(0), r.GetInt64(1)));
        return sizes;
    }

    private async Task<string> ListAfterRowsAsync(Func<string, CancellationToken, Task<Stream>> openPart, TenantLogin login, string dumpSchema,
        CancellationToken ct)
    {
        await using var archive = await openPart(BackupParts.Database, ct);
        return await PostDataListing.ReadAsync(options, login.Connection, archive, dumpSchema, ct);
    }

    /// <summary>All results, or the first real failure: a task cancelled because another failed is not the reason.</summary>
    private static async Task<IReadOnlyList<T>> FirstFailureAsync<T>(IReadOnlyList<Task<T>> tasks)
    {
        try
        {
            return await Task.WhenAll(tasks);
        }
        catch (Exception)
        {
            var failed = tasks.Where(t => t.IsFaulted).Select(t => t.Exception!.InnerException!).ToList();
            var cause = failed.FirstOrDefault(e => e is not OperationCanceledException) ?? failed.FirstOrDefault();
            if (cause is not null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(cause);
            throw;
        }
    }

    /// <summary>
    /// Into a fresh schema that Press creates, owned by the target role (dropping first what an interrupted attempt
    /// left under that exact name), then pg_restore's SQL with the dump's schema name rewritten to it, run by psql as
    /// the target role. One archive: one transaction that ends by marking the schema complete. Parallel archives
    /// (<see cref="DumpLayout"/>): the definitions in one transaction, then the data archives each in its own,
    /// <see cref="BackupOptions.ParallelJobs"/> at once, then the index builds in as many sessions at once
    /// (<see cref="PostDataPlan"/>), then sequence values, foreign keys and the rest in a last transaction that marks
    /// the schema complete. Atomicity comes from the mark (and, in place, the schema swap): a
    /// failed attempt drops the schema, and one that was killed leaves it unmarked for the retry to drop. A complete
    /// schema is left as it is.
    /// </summary>
    public Task<string> RestoreAsync(Func<string, CancellationToken, Task<Stream>> openPart, DumpLayout layout, string database, string dumpSchema,
        string targetSchema, string liveSchema, string targetRole, CancellationToken ct) =>
        Guard("restore", () => RestoreCoreAsync(openPart, layout, database, dumpSchema, targetSchema, liveSchema, targetRole, ct));

    private async Task<string> RestoreCoreAsync(Func<string, CancellationToken, Task<Stream>> openPart, DumpLayout layout, string database,
        string dumpSchema, string targetSchema, string liveSchema, string targetRole, CancellationToken ct)
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
        var memory = options.RestoreMaintenanceWorkMemMb;
        async Task<long> RunAsync(string part, PgArgs.RestorePhase phase, RestoreScript script, CancellationToken token, string? useList = null)
        {
            await using var archive = await openPart(part, token);
            return await RestorePipeline.RunAsync(options, login, archive, PgArgs.Restore(dumpSchema, phase, useList), script,
                dumpSchema, targetSchema, liveSchema, token);
        }
        try
        {
            if (!layout.Parallel)
            {
                var fed = await RunAsync(BackupParts.Database, PgArgs.RestorePhase.Whole, RestoreScript.For(targetSchema, targetRole, memory), ct);
                return $"restored {fed:N0} bytes of archive ({layout.Compression}, schema {dumpSchema}) into new schema {targetSchema}, owned by {targetRole}";
            }
            var total = await RunAsync(BackupParts.Database, PgArgs.RestorePhase.BeforeRows, RestoreScript.Phase(targetRole, memory), ct);
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
            using var slots = new SemaphoreSlim(Math.Max(1, options.ParallelJobs));
            var loads = layout.DataParts.Select(async part =>
            {
                await slots.WaitAsync(stop.Token);
                try { return await RunAsync(part, PgArgs.RestorePhase.Rows, RestoreScript.Phase(targetRole, memory), stop.Token); }
                catch { await stop.CancelAsync(); throw; }
                finally { slots.Release(); }
            }).ToList();
            total += (await FirstFailureAsync(loads)).Sum();
            var plan = PostDataPlan.From(await ListAfterRowsAsync(openPart, login, dumpSchema, ct), options.ParallelJobs);
            if (plan is null || plan.Builders.Count == 0)
            {
                total += await RunAsync(BackupParts.Database, PgArgs.RestorePhase.AfterRows, RestoreScript.For(targetSchema, targetRole, memory), ct);
            }
            else
            {
                using var lists = new ListFiles();
                var builds = plan.Builders.Select(list => lists.Write(list)).ToList().Select(async file =>
                {
                    try { return await RunAsync(BackupParts.Database, PgArgs.RestorePhase.AfterRows, RestoreScript.EachStatement(targetRole, memory), stop.Token, file); }
                    catch { await stop.CancelAsync(); throw; }
                }).ToList();
                await FirstFailureAsync(builds);
                total += await RunAsync(BackupParts.Database, PgArgs.RestorePhase.AfterRows, RestoreScript.For(targetSchema, targetRole, memory), ct,
                    lists.Write(plan.Last));
            }
            return $"restored {total:N0} bytes of {1 + layout.DataParts.Count} archives ({layout.Compression}, schema {dumpSchema}; " +
                   $"rows {Math.Min(options.ParallelJobs, layout.DataParts.Count)} at a time, indexes in {Math.Max(1, plan?.Builders.Count ?? 1)} " +
                   $"session(s)) into new schema {targetSchema}, owned by {targetRole}";
        }
        catch (Exception) when (!ct.IsCancellationRequested)
        {
            // Nothing half-restored stays behind. A cancelled worker (lease lost) leaves the unmarked schema to the
            // retry instead: the next claim may already be restoring under this name.
            try { await DropSchemaAsync(database, targetSchema, targetRole, CancellationToken.None); }
            catch (StepFailedException) { } // the retry drops the unmarked schema first
            throw;
        }
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

    public async Task<IReadOnlyList<string>> DatabasesOwnedInAsync(string role, CancellationToken ct)
    {
        // pg_shdepend is shared by the whole cluster: dbid names the database of each object the role owns.
        await using var conn = await sources.Sites.OpenConnectionAsync(ct);
        await using var cmd = Sql.Command(conn, """
            SELECT DISTINCT d.datname FROM pg_catalog.pg_shdepend s
            JOIN pg_catalog.pg_database d ON d.oid = s.dbid
            JOIN pg_catalog.pg_roles r ON r.oid = s.refobjid
            WHERE s.deptype = 'o' AND r.rolname = @r ORDER BY 1
            """, ("r", role));
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
