using System.Diagnostics;
using System.Globalization;
using Press.Testing;

namespace Press.Benchmarks;

/// <summary>
/// The control-plane benchmark (<c>scripts/bench [N]</c>): creates N sites through the real manager and worker, compares
/// per-site time with the raw SQL a site needs (baseline A) and the list latency with GET /healthz (baseline B), same run.
/// </summary>
public static class ControlPlaneBench
{
    private const string Usage = "usage: Press.Benchmarks [--proxy | --backup | --smoke] [--sites N] [--concurrency C] [--sequential S] [--requests R] [--out FILE] [--timeout-minutes M]";

    public static async Task<int> MainAsync(string[] args)
    {
        if (BenchCommandLine.Parse(args, new() { ["sites"] = 100, ["concurrency"] = 8, ["sequential"] = 10, ["requests"] = 200, ["timeout-minutes"] = 60 }, Usage)
            is not var (o, output))
            return 2;
        using var stop = new BenchStop(o["timeout-minutes"]);
        return await BenchRun.ReportAsync(stop, output,
            async ct => Report.Render(await RunAsync(o["sites"], o["concurrency"], o["sequential"], o["requests"], ct), DateTimeOffset.UtcNow));
    }

    private static async Task<BenchResult> RunAsync(int sites, int concurrency, int sequential, int requests, CancellationToken ct)
    {
        var wall = Stopwatch.StartNew();
        var loadAtStart = Machine.Load();
        Log("creating a fresh Press installation");
        await using var db = await PressDatabase.CreateAsync();
        var machine = await Machine.CollectAsync(db);

        CreationRun a1, a8;
        await using (var baseline = new SqlBaseline(db))
        {
            Log($"baseline A: warm-up, then {sites} sites sequentially, then {sites} with {concurrency} in flight");
            await baseline.RunAsync("warm-up", concurrency, concurrency, ct);
            await baseline.CleanupAsync();
            a1 = await baseline.RunAsync("baseline A", sites, 1, ct);
            await baseline.CleanupAsync();
            a8 = await baseline.RunAsync("baseline A", sites, concurrency, ct);
        } // drops the baseline's roles before Press runs

        var ports = ChildProcess.FreePorts(49704, 49709, 2);
        ChildProcess? manager = null, worker = null;
        try
        {
            manager = ChildProcess.Start("manager", TestServices.BuiltProgram("Press.Manager"), ports[0], db.Environment());
            worker = ChildProcess.Start("worker", TestServices.BuiltProgram("Press.Worker"), ports[1], db.Environment());
            await manager.WaitReadyAsync(TimeSpan.FromSeconds(60), ct);
            await worker.WaitReadyAsync(TimeSpan.FromSeconds(60), ct);
            Log($"manager on {manager.BaseUrl}, worker on {worker.BaseUrl}");

            using var api = new ApiRun(manager.BaseUrl);
            await api.LoginAsync(db.AdminPassword, ct);
            Log($"Press: warm-up ({concurrency} sites created, deleted, purged)");
            await api.WarmUpAsync(Names("warm", concurrency), ct);
            Log($"Press: {sites} sites with {concurrency} in flight");
            var press = await api.CreateSitesAsync("press", Names("site", sites), concurrency, ct);
            Log($"listing: {requests} rounds of healthz / pageSize=50 / pageSize=500 with {sites} sites present");
            var listing = await api.MeasureListingAsync(requests, sites, ct);
            Log($"Press: {sequential} sites sequentially");
            var pressSequential = await api.CreateSitesAsync("press sequential", Names("seq", sequential), 1, ct);
            return new BenchResult(sites, concurrency, machine, a1, a8, press, pressSequential, listing, wall.Elapsed.TotalSeconds,
                loadAtStart, Machine.Load());
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

    private static string[] Names(string prefix, int count) =>
        Enumerable.Range(1, count).Select(i => string.Create(CultureInfo.InvariantCulture, $"{prefix}{i:0000}.bench.example.com")).ToArray();

    private static void Log(string message) => Console.Error.WriteLine($"bench {DateTime.UtcNow:HH:mm:ss.fff}: {message}");
}
