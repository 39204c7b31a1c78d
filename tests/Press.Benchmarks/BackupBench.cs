using System.Diagnostics;
using System.Globalization;
using Npgsql;
using Press.Core.Ports;
using Press.Core.Sites;
using Press.Core.Tenancy;
using Press.Infrastructure.ObjectStore;
using Press.Infrastructure.Postgres;
using Press.Infrastructure.Postgres.Archive;
using Press.Testing;

namespace Press.Benchmarks;

/// <summary>Seconds of the raw tool and of Press for one round of the big-schema measure.</summary>
public sealed record BackupRound(double RawDump, double PressDump, double ReadBack, double RawRestore, double PressRestore, double Count);

/// <summary>How Press dumped the big schema (the same every round): archives, compression, total bytes.</summary>
public sealed record PressLayout(string Compression, int Archives, long Bytes, int Jobs, int ThresholdMb);

/// <summary>One point of the catalog curve: N other schemas of the same size as the site's present.</summary>
public sealed record CatalogPoint(int Schemas, long PgClassRows, Summary RawDumpMs, Summary PressDumpMs);

public sealed record BackupResult(Machine Machine, int TargetMb, long SchemaBytes, long ArchiveBytes, PressLayout Press, long Rows, int Tables, double LoadSeconds,
    IReadOnlyList<BackupRound> Rounds, int SiteTables, IReadOnlyList<CatalogPoint> Catalog, string? CatalogNote, double WallSeconds,
    string LoadAtStart, string LoadAtEnd);

/// <summary>
/// <c>scripts/bench --backup</c>: Press's backup and restore of one big schema at the adapter level (PgSchemaArchive +
/// LocalFolderObjectStore, as the BackupDatabase / VerifyBackup / restore steps call them) against stock
/// <c>pg_dump -Fc -n</c> (gzip) to a file and stock <c>pg_restore -d</c> of that archive, interleaved in the same run;
/// then one ERPNext-sized site's backup time while other 750-table schemas are added (the catalog curve). <c>--batch</c>
/// (invoices per INSERT; the default 50,000 is about 75 MiB with their items, files and indexes) and <c>--tables</c>
/// (tables per schema, default 750) make the data small enough for the smoke run.
/// </summary>
public static class BackupBench
{
    private const string Usage = "usage: Press.Benchmarks --backup [--size-mb MB] [--repeat R] [--catalog 10,100,500] [--catalog-minutes M] [--batch INVOICES] [--tables T] [--jobs N] [--threshold-mb MB] [--out FILE] [--timeout-minutes M]";

    public static async Task<int> MainAsync(string[] args)
    {
        int[] catalog = [10, 100, 500];
        var rest = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] != "--catalog") { rest.Add(args[i]); continue; }
            try { catalog = args[++i].Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).Order().ToArray(); }
            catch (Exception ex) when (ex is FormatException or IndexOutOfRangeException) { Console.Error.WriteLine(Usage); return 2; }
        }
        if (BenchCommandLine.Parse(rest.ToArray(), new() { ["size-mb"] = 1024, ["repeat"] = 2, ["catalog-minutes"] = 25, ["batch"] = 50_000, ["tables"] = 750, ["timeout-minutes"] = 120,
                ["jobs"] = DumpPlan.DefaultJobs, ["threshold-mb"] = DumpPlan.DefaultThresholdMb }, Usage)
            is not var (o, output))
            return 2;
        using var stop = new BenchStop(o["timeout-minutes"]);
        return await BenchRun.ReportAsync(stop, output, async ct =>
            Render(await RunAsync(o["size-mb"], o["repeat"], catalog, TimeSpan.FromMinutes(o["catalog-minutes"]), o["batch"], o["tables"],
                new BackupOptions { ToolsFolder = TestServices.PgTools, ParallelJobs = o["jobs"], ParallelThresholdMb = o["threshold-mb"] }, ct), DateTimeOffset.UtcNow));
    }

    private static async Task<BackupResult> RunAsync(int sizeMb, int repeat, int[] catalog, TimeSpan catalogBudget, int batch, int tablesPerSchema,
        BackupOptions options, CancellationToken ct)
    {
        var wall = Stopwatch.StartNew();
        var loadAtStart = Machine.Load();
        Log("creating a fresh Press installation");
        var db = await PressDatabase.CreateAsync();
        var roles = new List<string>();
        try
        {
            var machine = await Machine.CollectAsync(db);
            await using var sources = new PressDataSources(db.Options);
            var tenant = new TenantDatabase(sources, db.Options, new TenancyOptions { SitesDatabase = db.SitesDatabase });
            var archive = new PgSchemaArchive(options, sources);
            var tools = await archive.CheckToolsAsync(ct);
            if (!tools.Ok) throw new InvalidOperationException(tools.Problem);
            var store = new LocalFolderObjectStore(new LocalFolderOptions { Folder = db.ObjectStoreFolder });
            await store.EnsureReadyAsync(ct);

            async Task<Site> NewSiteAsync(string label)
            {
                var id = TenantIdentifier.NewId();
                var now = DateTimeOffset.UtcNow;
                var site = new Site(Guid.CreateVersion7(), $"{label}.bench.example.com", SiteState.Active, new TenantLocation(db.SitesDatabase, id), id,
                    [], ["erpnext"], now, now, null, null, null);
                roles.Add(site.RoleName);
                await tenant.EnsureRoleAsync(site, SitePassword.New(), ct);
                await tenant.EnsureSchemaAsync(site, ct);
                await tenant.ConfigureRoleAsync(site, ct);
                return site;
            }

            // 1. The big schema: rows added in batches as the site role until pg_total_relation_size reaches the target.
            var big = await NewSiteAsync("big");
            var schema = big.Location.Schema;
            var load = Stopwatch.StartNew();
            await using (var conn = await db.OpenAsSuperuserAsync())
            {
                await ExecAsync(conn, $"SET ROLE {Q(big.RoleName)}; SET search_path = {Q(schema)}; {BackupData.Tables}", ct);
                long bytes = 0;
                for (var from = 1L; bytes < sizeMb * 1024L * 1024L; from += batch)
                {
                    await ExecAsync(conn, BackupData.Insert(from, from + batch - 1), ct);
                    bytes = await ScalarAsync<long>(conn, SchemaSize(schema), ct);
                    Log($"loaded {from + batch - 1:N0} invoices: {bytes / 1048576.0:N0} MiB");
                }
                await ExecAsync(conn, "RESET ROLE", ct);
                await ExecAsync(conn, "VACUUM (FREEZE, ANALYZE)", ct); // hint bits set now, not by the first dump
            }
            load.Stop();
            long schemaBytes;
            await using (var conn = await db.OpenAsSuperuserAsync())
                schemaBytes = await ScalarAsync<long>(conn, SchemaSize(schema), ct);

            var rounds = new List<BackupRound>();
            long archiveBytes = 0, rows = 0;
            var tables = 0;
            PressLayout? layout = null;
            var stock = Path.Combine(db.ObjectStoreFolder, "stock.dump");
            for (var r = 1; r <= repeat; r++)
            {
                // Stock: pg_dump's defaults (custom format, gzip level 6, one process) into a file, restored by
                // pg_restore's defaults (one job) into a scratch database.
                var rawDump = await TimeToolAsync("pg_dump", db.SitesDatabase, ["--format=custom", $"--schema={schema}", ], ct, stock);
                archiveBytes = new FileInfo(stock).Length;
                var prefix = $"bench/{big.Id}/{r}/";
                var sw = Stopwatch.StartNew();
                var (info, uploaded) = await archive.DumpAsync(big, (part, stream, token) => store.PutAsync(prefix + part, stream, token), ct);
                var pressDump = sw.Elapsed.TotalSeconds;
                sw.Restart();
                foreach (var (part, done) in uploaded)
                {
                    var read = await store.ReadDigestAsync(prefix + part, ct);
                    if (read.Size != done.Size || read.Sha256 != done.Sha256) throw new InvalidOperationException($"read-back of {part} does not match the upload");
                }
                var readBack = sw.Elapsed.TotalSeconds;
                var dumped = info.Layout ?? Press.Core.Backups.DumpLayout.Legacy;
                layout = new PressLayout(dumped.Compression, uploaded.Count, uploaded.Sum(u => u.Object.Size), options.ParallelJobs, options.ParallelThresholdMb);
                (rows, tables) = (info.Tables.Values.Sum(), info.Tables.Count);

                var scratch = $"{db.SitesDatabase}_scratch";
                await using (var conn = await db.OpenAsSuperuserAsync("postgres"))
                    await ExecAsync(conn, $"CREATE DATABASE {Q(scratch)}", ct);
                var rawRestore = await TimeToolAsync("pg_restore", scratch, ["--no-owner", "--no-privileges", "--exit-on-error", $"--dbname={scratch}", stock], ct);
                await using (var conn = await db.OpenAsSuperuserAsync("postgres"))
                    await ExecAsync(conn, $"DROP DATABASE {Q(scratch)} WITH (FORCE)", ct);
                File.Delete(stock);

                var target = TenantIdentifier.NewId();
                sw.Restart();
                await archive.RestoreAsync((part, token) => store.OpenReadAsync(prefix + part, token), dumped, db.SitesDatabase, schema, target,
                    schema, big.RoleName, ct);
                var pressRestore = sw.Elapsed.TotalSeconds;
                sw.Restart();
                var counts = await archive.CountRowsAsync(db.SitesDatabase, target, big.RoleName, ct);
                var count = sw.Elapsed.TotalSeconds;
                if (!counts.OrderBy(c => c.Key).SequenceEqual(info.Tables.OrderBy(c => c.Key)))
                    throw new InvalidOperationException("restored row counts differ from the dump's");
                await archive.DropSchemaAsync(db.SitesDatabase, target, big.RoleName, ct);
                foreach (var (part, _) in uploaded) await store.DeleteAsync(prefix + part, ct);
                var round = new BackupRound(rawDump, pressDump, readBack, rawRestore, pressRestore, count);
                rounds.Add(round);
                Log($"round {r}: {round}; schema {schemaBytes:N0} bytes, stock archive {archiveBytes:N0} bytes, Press {layout}, {tables} tables, {rows:N0} rows");
            }
            await using (var conn = await db.OpenAsSuperuserAsync())
                await ExecAsync(conn, $"SET ROLE {Q(big.RoleName)}; DROP SCHEMA {Q(schema)} CASCADE", ct); // keep the curve's catalog clean

            // 2. The catalog curve: one ERPNext-sized site (750 empty tables by default), other schemas of as many tables
            // added up to each N.
            var site = await NewSiteAsync("catalog");
            await using (var conn = await db.OpenAsSuperuserAsync())
                await ExecAsync(conn, $"SET ROLE {Q(site.RoleName)}; {BackupData.ErpTables(site.Location.Schema, create: false, tablesPerSchema)}", ct);
            var points = new List<CatalogPoint>();
            string? note = null;
            var created = 0;
            var budget = Stopwatch.StartNew();
            foreach (var n in new[] { 0 }.Concat(catalog).Distinct())
            {
                if (n > created)
                {
                    var before = created;
                    var next = created;
                    var build = Stopwatch.StartNew();
                    // Two connections: the machine has two cores. Each schema is one DO block (one transaction).
                    await Task.WhenAll(Enumerable.Range(0, 2).Select(async _ =>
                    {
                        await using var conn = await db.OpenAsSuperuserAsync();
                        int i;
                        while ((i = Interlocked.Increment(ref next)) <= n && budget.Elapsed < catalogBudget)
                            await ExecAsync(conn, BackupData.ErpTables($"other_{i:0000}", create: true, tablesPerSchema), ct);
                    }));
                    await using (var conn = await db.OpenAsSuperuserAsync())
                        created = await ScalarAsync<int>(conn, "SELECT count(*)::int FROM pg_namespace WHERE nspname LIKE 'other\\_%'", ct);
                    Log($"{created - before} schemas of {tablesPerSchema} tables in {build.Elapsed.TotalSeconds:N0} s ({created} now)");
                    if (created < n)
                    {
                        note = $"stopped at {created} other schemas: the {catalogBudget.TotalMinutes:N0}-minute budget for creating them ran out before {n}";
                        if (created == points.LastOrDefault()?.Schemas) break;
                    }
                }
                long classRows;
                await using (var conn = await db.OpenAsSuperuserAsync())
                {
                    foreach (var catalogTable in new[] { "pg_class", "pg_attribute", "pg_type", "pg_index", "pg_depend" })
                        await ExecAsync(conn, $"VACUUM ANALYZE {catalogTable}", ct);
                    classRows = await ScalarAsync<long>(conn, "SELECT count(*) FROM pg_class", ct);
                }
                var raw = new List<double>();
                var press = new List<double>();
                for (var r = 0; r < 3; r++)
                {
                    raw.Add(1000 * await TimeToolAsync("pg_dump", db.SitesDatabase, ["--format=custom", $"--schema={site.Location.Schema}", ], ct));
                    var prefix = $"bench/{site.Id}/{n}-{r}/";
                    var sw = Stopwatch.StartNew();
                    var (_, parts) = await archive.DumpAsync(site, (part, stream, token) => store.PutAsync(prefix + part, stream, token), ct);
                    press.Add(sw.Elapsed.TotalMilliseconds);
                    foreach (var (part, _) in parts) await store.DeleteAsync(prefix + part, ct);
                }
                var point = new CatalogPoint(created, classRows, Summary.Of(raw), Summary.Of(press));
                points.Add(point);
                Log($"catalog: {point}");
                if (created < n) break;
            }
            return new BackupResult(machine, sizeMb, schemaBytes, archiveBytes, layout!, rows, tables, load.Elapsed.TotalSeconds, rounds, tablesPerSchema,
                points, note, wall.Elapsed.TotalSeconds, loadAtStart, Machine.Load());
        }
        finally
        {
            // The numbers are taken by now: a slow drop (DROP DATABASE of ~2 M relations can outlast Npgsql's command
            // timeout) is logged, not allowed to lose the report. scripts/bench stops and keeps the throwaway server anyway.
            Log("dropping the installation");
            try
            {
                await db.DisposeAsync();
                await using var conn = await db.OpenAsSuperuserAsync("postgres");
                foreach (var role in roles) await ExecAsync(conn, $"DROP ROLE IF EXISTS {Q(role)}", CancellationToken.None);
            }
            catch (Exception ex) { Log($"cleanup failed (the report still stands): {ex.Message}"); }
        }
    }

    private static string SchemaSize(string schema) =>
        $"SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0)::bigint FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = '{schema}' AND c.relkind IN ('r', 'm')";

    /// <summary>Runs a client tool as the superuser, stdout to <paramref name="output"/> (default /dev/null), and returns its wall time in seconds.</summary>
    internal static async Task<double> TimeToolAsync(string tool, string database, string[] args, CancellationToken ct, string output = "/dev/null")
    {
        var su = new NpgsqlConnectionStringBuilder(TestServices.PostgresSuperuser);
        // Through sh so that stdout really is /dev/null (pg_dump --file=/dev/null fails: it fsyncs its output file).
        var info = new ProcessStartInfo("/bin/sh")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        info.Environment["PRESS_BENCH_OUTPUT"] = output;
        foreach (var a in (string[])["-c", "exec \"$0\" \"$@\" >\"$PRESS_BENCH_OUTPUT\"", Path.Combine(TestServices.PgTools, tool), .. args]) info.ArgumentList.Add(a);
        info.Environment["PGHOST"] = su.Host;
        info.Environment["PGPORT"] = su.Port.ToString(CultureInfo.InvariantCulture);
        info.Environment["PGUSER"] = su.Username;
        info.Environment["PGPASSWORD"] = su.Password;
        info.Environment["PGDATABASE"] = database;
        var sw = Stopwatch.StartNew();
        using var p = Process.Start(info) ?? throw new InvalidOperationException($"{tool} did not start");
        var stderr = p.StandardError.ReadToEndAsync(CancellationToken.None);
        var stdout = p.StandardOutput.ReadToEndAsync(CancellationToken.None);
        try { await p.WaitForExitAsync(ct); }
        catch (OperationCanceledException) { p.Kill(entireProcessTree: true); throw; }
        var seconds = sw.Elapsed.TotalSeconds;
        await stdout;
        if (p.ExitCode != 0) throw new InvalidOperationException($"{tool} exited {p.ExitCode}: {await stderr}");
        return seconds;
    }

    internal static string Q(string ident) => "\"" + ident.Replace("\"", "\"\"") + "\"";

    internal static async Task ExecAsync(NpgsqlConnection conn, string sql, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(sql, conn) { CommandTimeout = 0 };
        await cmd.ExecuteNonQueryAsync(ct);
    }

    internal static async Task<T> ScalarAsync<T>(NpgsqlConnection conn, string sql, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(sql, conn) { CommandTimeout = 0 };
        return (T)(await cmd.ExecuteScalarAsync(ct))!;
    }

    private static void Log(string message) => Console.Error.WriteLine($"bench {DateTime.UtcNow:HH:mm:ss.fff}: {message}");

    public static string Render(BackupResult r, DateTimeOffset at) => BackupReport.Render(r, at);
}
