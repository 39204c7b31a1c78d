using System.Diagnostics;

namespace Press.Benchmarks;

/// <summary>
/// <c>scripts/bench --smoke</c>, run by scripts/test after the test suite: every benchmark once, at a tiny size, against
/// the same kind of servers a real run uses. It proves the benchmarks still run and print their tables (a benchmark
/// that only runs by hand rots unseen); it asserts nothing about speed and writes no file. Exit 0 only when every
/// benchmark printed its section.
/// </summary>
public static class SmokeRun
{
    /// <summary>Each benchmark's smallest run that still goes through all of its phases.</summary>
    public static IReadOnlyList<(string Name, Func<string[], Task<int>> Main, string[] Args)> Runs { get; } =
    [
        ("control plane", ControlPlaneBench.MainAsync, ["--sites", "2", "--concurrency", "2", "--sequential", "1", "--requests", "3", "--timeout-minutes", "10"]),
        ("embedded proxy", ProxyBench.MainAsync,
            ["--sites", "1", "--filler", "10", "--loops", "1", "--seconds", "1", "--warmup", "1", "--activations", "1", "--standbys", "1", "--timeout-minutes", "10"]),
        ("backup", BackupBench.MainAsync,
            ["--size-mb", "1", "--batch", "500", "--repeat", "1", "--catalog", "1", "--tables", "10", "--catalog-minutes", "5", "--timeout-minutes", "10"]),
        ("scale", ScaleBench.MainAsync,
            ["--sites", "6", "--block", "3", "--concurrency", "2", "--rate", "20", "--seconds", "1", "--backup-mb", "1", "--erp-sites", "2",
             "--tables", "10", "--catalog-minutes", "5", "--proxy", "0", "--timeout-minutes", "10"]),
    ];

    public static async Task<int> MainAsync(string[] args)
    {
        if (args.Length > 0)
        {
            Console.Error.WriteLine("usage: Press.Benchmarks --smoke (no options: the sizes are fixed)");
            return 2;
        }
        var failed = new List<string>();
        foreach (var (name, main, runArgs) in Runs)
        {
            Console.Error.WriteLine($"bench smoke: {name} ({string.Join(' ', runArgs)})");
            var clock = Stopwatch.StartNew();
            var rc = await main(runArgs);
            Console.Error.WriteLine($"bench smoke: {name} {(rc == 0 ? "finished" : $"FAILED (exit {rc})")} in {clock.Elapsed.TotalSeconds:0} s");
            if (rc != 0) failed.Add(name);
            if (BenchStop.Signalled) break; // stopped by TERM/INT: do not start the next one
        }
        Console.Error.WriteLine(failed.Count == 0 && !BenchStop.Signalled
            ? $"bench smoke: all {Runs.Count} benchmarks ran and printed their tables"
            : $"bench smoke: FAILED: {(failed.Count > 0 ? string.Join(", ", failed) : "stopped by a signal")}");
        return failed.Count == 0 && !BenchStop.Signalled ? 0 : 1;
    }
}
