using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Press.Testing;

namespace Press.Benchmarks;

/// <summary>A site's placement as the API reports it: Press decides it, the benchmark only follows it.</summary>
public sealed record SitePlace(string Name, string Database, string Schema);

/// <summary>One point of the backup-vs-sites curve: ERPNext-sized sites present, Press's BackupDatabase step and raw pg_dump -n (ms).</summary>
public sealed record BackupPoint(int ErpSites, Summary PressMs, Summary RawMs);

public sealed record ScaleResult(Machine Machine, int Sites, int Concurrency, IReadOnlyList<CreationRun> Blocks,
    (double Rss, double Peak) ManagerMb, (double Rss, double Peak) WorkerMb,
    int PerSecond, IReadOnlyList<RateResult> QuietApi, IReadOnlyList<RateResult> BackupApi, double BackupSeconds, double BackupMb, double LoadSeconds,
    int Tables, IReadOnlyList<BackupPoint> Backups, string? BackupNote, IReadOnlyList<string> Databases,
    IReadOnlyList<EngineRound> Engine, double WallSeconds, string LoadAtStart, string LoadAtEnd);

/// <summary>
/// <c>scripts/bench --scale</c> (issue 15 item 3): Press with many sites, every measure against a baseline of the same run.
/// One installation, the real manager and worker as child processes, runtime none (the control plane alone):
/// <list type="number">
/// <item>create cost: sites made in blocks of 100; the p95 of the last block (e.g. sites 901–1,000) ÷ the first's;</item>
/// <item>memory: RSS of the manager and the worker with every site present;</item>
/// <item>the API: <c>GET /api/sites</c> and <c>GET /api/sites/{name}</c> at a fixed rate (open loop), then again while a big
/// site's backup runs;</item>
/// <item>one site's backup with 10 and with N ERPNext-sized sites present, wherever Press placed them, against stock
/// <c>pg_dump -n</c> of the same schema;</item>
/// <item>the job engine: no-op jobs with 1, 2 and 4 claim loops against a raw SKIP LOCKED queue (<see cref="JobEngineBench"/>).</item>
/// </list>
/// Route change → live through the proxy is the proxy benchmark's own measure (1,004 routes); this run starts it after
/// its own section when <c>--proxy 1</c>, with as many filler routes as this run's sites; so is standby claim → ping (runners needed).
/// </summary>
public static class ScaleBench
{
    private const string Usage = "usage: Press.Benchmarks --scale [--sites N] [--block B] [--concurrency C] [--rate R] [--seconds S] [--backup-mb MB] " +
                                 "[--erp-sites N] [--tables T] [--catalog-minutes M] [--proxy 0|1] [--out FILE] [--timeout-minutes M]";

    public static async Task<int> MainAsync(string[] args)
    {
        // --proxy 0|1 is read here: the shared parser takes only numbers from 1 up.
        var proxy = true;
        var rest = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] != "--proxy") { rest.Add(args[i]); continue; }
            if (i + 1 >= args.Length || args[i + 1] is not ("0" or "1")) { Console.Error.WriteLine(Usage); return 2; }
            proxy = args[++i] == "1";
        }
        if (BenchCommandLine.Parse(rest.ToArray(), new()
            {
                ["sites"] = 1000, ["block"] = 100, ["concurrency"] = 8, ["rate"] = 200, ["seconds"] = 30, ["backup-mb"] = 1024,
                ["erp-sites"] = 100, ["tables"] = 750, ["catalog-minutes"] = 20, ["timeout-minutes"] = 240,
            }, Usage) is not var (o, output))
            return 2;
        if (o["block"] > o["sites"] || o["erp-sites"] + 2 > o["sites"])
        {
            Console.Error.WriteLine($"need block ≤ sites and erp-sites + 2 ≤ sites\n{Usage}");
            return 2;
        }
        using var stop = new BenchStop(o["timeout-minutes"]);
        var rc = await BenchRun.ReportAsync(stop, output, async ct => ScaleReport.Render(await RunAsync(o, ct), DateTimeOffset.UtcNow));
        if (rc != 0 || !proxy) return rc;
        // The proxy's route change → live is measured with as many sites as this run made (filler routes), and the
        // standby claim there too: it needs runners (process driver, the Frappe double), which this run does not start.
        var sites = o["sites"].ToString(CultureInfo.InvariantCulture);
        Log($"route change → live with {sites} sites' routes and standby claim → ping: the proxy benchmark, its own section");
        string[] proxyArgs = ["--filler", sites, "--activations", "20", "--standbys", "10"];
        return await ProxyBench.MainAsync(output is null ? proxyArgs : [.. proxyArgs, "--out", output]);
    }

    private static async Task<ScaleResult> RunAsync(Dictionary<string, int> o, CancellationToken ct)
    {
        var wall = Stopwatch.StartNew();
        var loadAtStart = Machine.Load();
        Log("creating a fresh Press installation");
        var db = await PressDatabase.CreateAsync();
        try
        {
            return await RunAsync(db, o, wall, loadAtStart, ct);
        }
        finally
        {
            // The numbers are taken by now: a slow drop (thousands of ERPNext-sized tables can outlast Npgsql's command
            // timeout) is logged, not allowed to lose the report; scripts/bench stops the throwaway server anyway.
            try { await db.DisposeAsync(); }
            catch (Exception ex) { Log($"dropping the installation failed (the report still stands): {ex.Message}"); }
        }
    }

    private static async Task<ScaleResult> RunAsync(PressDatabase db, Dictionary<string, int> o, Stopwatch wall, string loadAtStart, CancellationToken ct)
    {
        var machine = await Machine.CollectAsync(db);
        var names = Enumerable.Range(1, o["sites"]).Select(i => string.Create(CultureInfo.InvariantCulture, $"s{i:00000}.scale.example.com")).ToArray();

        var ports = ChildProcess.FreePorts(49704, 49709, 2);
        ChildProcess? manager = null, worker = null;
        try
        {
            manager = ChildProcess.Start("manager", TestServices.BuiltProgram("Press.Manager"), ports[0], db.Environment());
            worker = ChildProcess.Start("worker", TestServices.BuiltProgram("Press.Worker"), ports[1], db.Environment());
            // Generous: a loaded machine can take over a minute to start both (the run measures nothing before this).
            await manager.WaitReadyAsync(TimeSpan.FromMinutes(3), ct);
            await worker.WaitReadyAsync(TimeSpan.FromMinutes(3), ct);
            using var api = new ApiRun(manager.BaseUrl);
            await api.LoginAsync(db.AdminPassword, ct);
            Log($"warm-up: {o["concurrency"]} sites created, deleted, purged");
            await api.WarmUpAsync(Enumerable.Range(1, o["concurrency"]).Select(i => $"warm{i}.scale.example.com").ToArray(), ct);

            // 1. Create cost, block by block.
            var blocks = new List<CreationRun>();
            for (var from = 0; from < names.Length; from += o["block"])
            {
                var block = names.Skip(from).Take(o["block"]).ToArray();
                blocks.Add(await api.CreateSitesAsync($"sites {from + 1}–{from + block.Length}", block, o["concurrency"], ct));
                Log($"{blocks[^1].Label}: p95 {blocks[^1].PerSite.P95:0} ms");
            }

            // 2. The API at a fixed rate with every site present, quiet.
            RatePath[] paths =
            [
                new("GET /api/sites", _ => "/api/sites"),
                new("GET /api/sites/{name}", i => $"/api/sites/{names[(int)((i * 7919L) % names.Length)]}"),
            ];
            var duration = TimeSpan.FromSeconds(o["seconds"]);
            Log($"API: {o["rate"]} requests/s for {o["seconds"]} s, quiet");
            await FixedRateLoad.RunAsync(manager.BaseUrl, api.Token, o["rate"], TimeSpan.FromSeconds(Math.Min(5, o["seconds"])), paths, ct); // warm-up
            var quiet = await FixedRateLoad.RunAsync(manager.BaseUrl, api.Token, o["rate"], duration, paths, ct);

            // 3. Again while a big site's backup runs (the first site, filled to --backup-mb as its own role).
            var big = await PlaceAsync(api, names[0], ct);
            var (bigMb, loadSeconds) = await FillAsync(db, big, o["backup-mb"], ct);
            Log($"API: {o["rate"]} requests/s for {o["seconds"]} s while {big.Name} ({bigMb:N0} MiB) is backed up");
            var clock = Stopwatch.StartNew();
            var backup = api.RunJobAsync(HttpMethod.Post, $"/api/sites/{big.Name}/backups", null, ct, TimeSpan.FromMinutes(30));
            var busy = await FixedRateLoad.RunAsync(manager.BaseUrl, api.Token, o["rate"], duration, paths, ct);
            var loadEnded = clock.Elapsed.TotalSeconds;
            var backupTiming = await backup;
            var backupSeconds = backupTiming.Client / 1000;
            if (backupSeconds < loadEnded)
                Log($"note: the backup ended after {backupSeconds:0.0} s, before the {loadEnded:0.0} s of load did");

            var managerMb = manager.MemoryMb();
            var workerMb = worker.MemoryMb();

            // 4. One site's backup with 10 and with N ERPNext-sized sites present.
            var (points, note, databases) = await BackupCurveAsync(api, db, names, o["erp-sites"], o["tables"], TimeSpan.FromMinutes(o["catalog-minutes"]), ct);

            // 5. The job engine, the worker stopped so that it claims nothing.
            await worker.DisposeAsync();
            worker = null;
            var engine = new List<EngineRound>();
            await using (var jobs = new JobEngineBench(db))
                foreach (var workers in new[] { 1, 2, 4 })
                {
                    engine.Add(await jobs.RawAsync(names.Length, workers, ct));
                    engine.Add(await jobs.PressAsync(names, workers, ct, unfolded: true));
                    engine.Add(await jobs.PressAsync(names, workers, ct));
                    Log($"engine with {workers}: raw {engine[^3].JobsPerSecond:0} jobs/s, Press unfolded {engine[^2].JobsPerSecond:0}, Press {engine[^1].JobsPerSecond:0} jobs/s");
                }

            return new ScaleResult(machine, names.Length, o["concurrency"], blocks, managerMb, workerMb, o["rate"], quiet, busy,
                backupSeconds, bigMb, loadSeconds, o["tables"], points, note, databases, engine, wall.Elapsed.TotalSeconds, loadAtStart, Machine.Load());
        }
        catch (Exception) when (!ct.IsCancellationRequested)
        {
            foreach (var child in new[] { manager, worker }.OfType<ChildProcess>()) Console.Error.WriteLine(child.Tail());
            throw;
        }
        finally
        {
            if (worker is not null) await worker.DisposeAsync();
            if (manager is not null) await manager.DisposeAsync();
            Log("manager and worker stopped; dropping the installation");
        }
    }

    private static async Task<SitePlace> PlaceAsync(ApiRun api, string name, CancellationToken ct)
    {
        using var site = await api.GetJsonAsync($"/api/sites/{name}", ct);
        var location = site.RootElement.GetProperty("location");
        return new SitePlace(name, location.GetProperty("database").GetString()!, location.GetProperty("schema").GetString()!);
    }

    /// <summary>Fills the site's schema, as the site's role, with the backup benchmark's invoices until it holds <paramref name="mb"/> MiB.</summary>
    private static async Task<(double Mb, double Seconds)> FillAsync(PressDatabase db, SitePlace site, int mb, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        await using var conn = await db.OpenAsSuperuserAsync(site.Database);
        var schema = BackupBench.Q(site.Schema);
        await BackupBench.ExecAsync(conn, $"SET ROLE {schema}; SET search_path = {schema}; {BackupData.Tables}", ct);
        var size = $"SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0)::bigint FROM pg_class c WHERE c.relnamespace = '{schema}'::regnamespace AND c.relkind = 'r'";
        var batch = Math.Clamp(mb * 500, 500, 20_000); // ~1.5 KiB per invoice with its items and files
        long bytes = 0;
        for (var from = 1L; bytes < mb * 1048576L; from += batch)
        {
            await BackupBench.ExecAsync(conn, BackupData.Insert(from, from + batch - 1), ct);
            bytes = await BackupBench.ScalarAsync<long>(conn, size, ct);
        }
        await BackupBench.ExecAsync(conn, "RESET ROLE; RESET search_path", ct);
        await BackupBench.ExecAsync(conn, "VACUUM (FREEZE, ANALYZE)", ct);
        return (bytes / 1048576.0, clock.Elapsed.TotalSeconds);
    }

    /// <summary>
    /// Gives sites 2…N+1 ERPNext-sized schemas (750 tables by default, created as each site's role) and backs up site 2 through
    /// the API at 10 and at N such sites, three times each: its BackupDatabase step against raw <c>pg_dump -n</c> of the same
    /// schema in the database Press placed it in. Stops adding schemas when the time budget runs out, and says so.
    /// </summary>
    private static async Task<(List<BackupPoint>, string?, List<string>)> BackupCurveAsync(ApiRun api, PressDatabase db, string[] names, int n, int tables,
        TimeSpan budget, CancellationToken ct)
    {
        var sites = new List<SitePlace>();
        foreach (var name in names.Skip(1).Take(n)) sites.Add(await PlaceAsync(api, name, ct));
        var target = sites[0];
        var points = new List<BackupPoint>();
        string? note = null;
        var made = 0;
        var clock = Stopwatch.StartNew();
        foreach (var goal in new[] { Math.Min(10, n), n }.Distinct())
        {
            Log($"ERPNext-sized schemas ({tables} tables) for sites up to {goal}");
            var next = made;
            var done = made;
            await Task.WhenAll(Enumerable.Range(0, 2).Select(async _ => // two connections: the machine has two cores
            {
                int i;
                while ((i = Interlocked.Increment(ref next)) <= goal && clock.Elapsed < budget)
                {
                    var site = sites[i - 1];
                    await using var conn = await db.OpenAsSuperuserAsync(site.Database);
                    await BackupBench.ExecAsync(conn, $"SET ROLE {BackupBench.Q(site.Schema)}; {BackupData.ErpTables(site.Schema, create: false, tables)}", ct);
                    Interlocked.Increment(ref done);
                }
            }));
            made = done; // every schema a connection took is finished: they are sites 1…done
            if (made < goal) note = $"stopped at {made} ERPNext-sized sites: the {budget.TotalMinutes:0}-minute budget for creating them ran out before {goal}";
            var press = new List<double>();
            var raw = new List<double>();
            for (var r = 0; r < 3; r++)
            {
                raw.Add(1000 * await BackupBench.TimeToolAsync("pg_dump", target.Database, ["--format=custom", $"--schema={target.Schema}"], ct));
                var job = await api.RunJobAsync(HttpMethod.Post, $"/api/sites/{target.Name}/backups", null, ct, TimeSpan.FromMinutes(10));
                press.Add(job.Steps.Single(s => s.Name == Press.Core.Jobs.StepNames.BackupDatabase).Ms);
            }
            points.Add(new BackupPoint(made, Summary.Of(press), Summary.Of(raw)));
            Log($"backup with {made} ERPNext-sized sites: Press p50 {points[^1].PressMs.P50:0} ms, raw p50 {points[^1].RawMs.P50:0} ms");
            if (made < goal) break;
        }
        return (points, note, sites.Select(s => s.Database).Distinct().ToList());
    }

    private static void Log(string message) => Console.Error.WriteLine($"bench {DateTime.UtcNow:HH:mm:ss.fff}: {message}");
}
