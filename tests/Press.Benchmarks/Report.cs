using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Npgsql;
using Press.Testing;

namespace Press.Benchmarks;

public sealed record Machine(int Cpus, string CpuModel, string Memory, string Os, string Postgres, string Dotnet)
{
    /// <summary>The 1-minute load average (other work on the machine skews absolute numbers).</summary>
    public static string Load() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "?";

    public static async Task<Machine> CollectAsync(PressDatabase db)
    {
        await using var conn = await db.OpenAsSuperuserAsync();
        async Task<string> Show(string setting)
        {
            await using var cmd = new NpgsqlCommand($"SHOW {setting}", conn);
            return (string)(await cmd.ExecuteScalarAsync())!;
        }
        var postgres = $"PostgreSQL {await Show("server_version")} (fsync {await Show("fsync")}, synchronous_commit {await Show("synchronous_commit")})";
        var memKb = Field("/proc/meminfo", "MemTotal:")?.Split(' ', StringSplitOptions.RemoveEmptyEntries)[0];
        var memory = long.TryParse(memKb, out var kb) ? $"{kb / 1024.0 / 1024.0:0.0} GiB RAM" : "RAM unknown";
        var os = Field("/etc/os-release", "PRETTY_NAME=")?.Trim('"') ?? RuntimeInformation.OSDescription;
        var cpu = Field("/proc/cpuinfo", "model name")?.TrimStart(' ', '\t', ':') ?? RuntimeInformation.ProcessArchitecture.ToString();
        return new Machine(Environment.ProcessorCount, cpu, memory, os, postgres, RuntimeInformation.FrameworkDescription);
    }

    private static string? Field(string file, string prefix) =>
        File.Exists(file) ? File.ReadLines(file).FirstOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal))?[prefix.Length..].Trim() : null;
}

public sealed record BenchResult(
    int Sites, int Concurrency, Machine Machine, CreationRun BaselineSequential, CreationRun BaselineConcurrent,
    CreationRun Press, CreationRun PressSequential, IReadOnlyList<ApiRun.Latency> Listing, double WallSeconds, string LoadAtStart, string LoadAtEnd);

public static class Report
{
    public const string Intro = """
        # Benchmarks

        Run `scripts/bench [N]` (as root; default N = 100). It starts a throwaway PostgreSQL 17 (127.0.0.1:49702, real
        fsync) with the PostgreSQL 17 client tools and Redis (127.0.0.1:49703), builds in Release, runs `tests/Press.Benchmarks`
        against a fresh installation with the real manager and worker as child processes, and appends a dated section to this
        file. `scripts/bench --proxy` runs the embedded proxy benchmark instead and `scripts/bench --backup` the backup/restore
        benchmark (their sections say what they measure). `scripts/bench --smoke` runs every benchmark once at a tiny size and
        writes nothing here; `scripts/test` runs it after the tests so that a benchmark that stops working fails CI.

        The numbers come from one noisy 2-core machine that also runs PostgreSQL, Redis, the manager, the worker and the
        client, so absolute values say little: read the ratios, which compare Press with baselines measured in the same
        run on the same servers. Baseline A is the raw SQL a site needs (the statements of the NewSite steps and one login
        as the new role) sent straight over Npgsql as the Press role; baseline B is `GET /healthz` on the same manager.
        A Press site's time runs from sending `POST /api/sites` to reading `Succeeded` on its job (polled every 10 ms);
        "server side" is the job's own createdAt → finishedAt. Percentiles are nearest-rank. Retries: concurrent
        `GRANT CONNECT ON DATABASE` statements can fail with PostgreSQL XX000 "tuple concurrently updated"; the baseline
        retries the statement at once, and a Press job that fails so is retried with `POST /api/jobs/{id}/retry`.

        """;

    public static string Render(BenchResult r, DateTimeOffset at)
    {
        var s = new StringBuilder();
        var m = r.Machine;
        s.AppendLine(Inv($"## Control plane: site creation and listing — {at:yyyy-MM-dd HH:mm} UTC"));
        s.AppendLine();
        var commit = Environment.GetEnvironmentVariable("PRESS_BENCH_COMMIT") is { Length: > 0 } c ? c : "unknown (not run through scripts/bench)";
        s.AppendLine($"- Code: commit {commit}.");
        s.AppendLine(Inv($"- Machine: nproc {m.Cpus} ({m.CpuModel}), {m.Memory}, {m.Os}, {m.Postgres}, {m.Dotnet}."));
        s.Append(Inv($"- Parameters: N = {r.Sites} sites, {r.Concurrency} in flight (worker defaults: 8 jobs at once, Redis wake-ups); "));
        s.AppendLine(Inv($"sequential run of {r.PressSequential.PerSite.Count}; {r.Listing[0].Ms.Count} requests per listing measure; program wall time {r.WallSeconds:0} s; 1-min load average {r.LoadAtStart} at start, {r.LoadAtEnd} at end."));
        var pressRetries = r.Press.Retries + r.PressSequential.Retries;
        if (pressRetries > 0)
            s.AppendLine(Inv($"- {pressRetries} Press job(s) failed at configure-role with PostgreSQL XX000 \"tuple concurrently updated\" (concurrent GRANT CONNECT ON DATABASE) and were retried through POST /api/jobs/{{id}}/retry; their time includes the retry."));
        s.AppendLine();
        s.AppendLine("| Site creation (ms per site) | Sites | In flight | p50 | p95 | max | Total s | Sites/s | Retries |");
        s.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        Row(s, "Baseline A: raw SQL", r.BaselineSequential, r.BaselineSequential.PerSite);
        Row(s, "Baseline A: raw SQL", r.BaselineConcurrent, r.BaselineConcurrent.PerSite);
        Row(s, "Press: POST → job Succeeded", r.Press, r.Press.PerSite);
        Row(s, "Press: server side (job created → finished)", r.Press, r.Press.Server!, detail: true);
        Row(s, "Press: of which queued (created → started)", r.Press, r.Press.Queued!, detail: true);
        Row(s, "Press: POST → job Succeeded", r.PressSequential, r.PressSequential.PerSite);
        Row(s, "Press: server side (job created → finished)", r.PressSequential, r.PressSequential.Server!, detail: true);
        Row(s, "Press: of which queued (created → started)", r.PressSequential, r.PressSequential.Queued!, detail: true);
        s.AppendLine();
        s.AppendLine(Inv($"NewSite step durations, p50 ms ({r.Press.Concurrency} in flight / sequential): ") + string.Join(", ",
            r.Press.Steps!.Select(st => Inv($"{st.Key} {st.Value.P50:0.0} / {(r.PressSequential.Steps!.TryGetValue(st.Key, out var q) ? q.P50 : double.NaN):0.0}"))) + ".");
        s.AppendLine();

        var health = r.Listing[0].Ms;
        s.AppendLine(Inv($"| Listing with {r.Sites} sites present (ms) | Requests | p50 | p99 | Body KB | p50 ÷ healthz p50 | p99 ÷ healthz p99 |"));
        s.AppendLine("|---|---:|---:|---:|---:|---:|---:|");
        foreach (var l in r.Listing)
            s.AppendLine(Inv($"| `{l.Request}` | {l.Ms.Count} | {l.Ms.P50:0.00} | {l.Ms.P99:0.00} | {l.Bytes / 1024.0:0.0} | {X(l.Ms.P50, health.P50)} | {X(l.Ms.P99, health.P99)} |"));
        s.AppendLine();

        var (a1, a8, p8, p1) = (r.BaselineSequential, r.BaselineConcurrent, r.Press, r.PressSequential);
        s.AppendLine("| Ratio (Press ÷ baseline A, same run) | Value |");
        s.AppendLine("|---|---:|");
        s.AppendLine(Inv($"| Per-site p50: Press {p8.Concurrency} in flight ÷ baseline sequential | {X(p8.PerSite.P50, a1.PerSite.P50)} |"));
        s.AppendLine(Inv($"| Per-site p95: Press {p8.Concurrency} in flight ÷ baseline sequential | {X(p8.PerSite.P95, a1.PerSite.P95)} |"));
        s.AppendLine(Inv($"| Per-site p50: Press {p8.Concurrency} in flight ÷ baseline {a8.Concurrency} in flight | {X(p8.PerSite.P50, a8.PerSite.P50)} |"));
        s.AppendLine(Inv($"| Per-site p95: Press {p8.Concurrency} in flight ÷ baseline {a8.Concurrency} in flight | {X(p8.PerSite.P95, a8.PerSite.P95)} |"));
        s.AppendLine(Inv($"| Per-site p50: Press sequential ÷ baseline sequential | {X(p1.PerSite.P50, a1.PerSite.P50)} |"));
        s.AppendLine(Inv($"| Server-side p50: Press sequential ÷ baseline sequential | {X(p1.Server!.P50, a1.PerSite.P50)} |"));
        s.AppendLine(Inv($"| Throughput: Press sites/s ÷ baseline sites/s ({a8.Concurrency} in flight) | {X(p8.SitesPerSecond, a8.SitesPerSecond)} |"));
        s.AppendLine(Inv($"| Total time for {r.Sites} sites: Press ÷ baseline ({a8.Concurrency} in flight) | {X(p8.WallSeconds, a8.WallSeconds)} |"));
        return s.ToString();
    }

    /// <summary>Appends the section; a missing or empty file first gets the intro.</summary>
    public static void Append(string path, string section)
    {
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var existing = File.Exists(full) ? File.ReadAllText(full) : "";
        if (existing.Trim().Length == 0)
        {
            File.WriteAllText(full, Intro + "\n" + section);
            return;
        }
        var separator = existing.EndsWith("\n\n", StringComparison.Ordinal) ? "" : existing.EndsWith('\n') ? "\n" : "\n\n";
        File.AppendAllText(full, separator + section);
    }

    /// <summary>A detail row repeats the run's count and concurrency but not its batch totals.</summary>
    private static void Row(StringBuilder s, string label, CreationRun run, Summary m, bool detail = false) =>
        s.AppendLine(detail
            ? Inv($"| {label} | {m.Count} | {run.Concurrency} | {m.P50:0.0} | {m.P95:0.0} | {m.Max:0.0} | | | |")
            : Inv($"| {label} | {m.Count} | {run.Concurrency} | {m.P50:0.0} | {m.P95:0.0} | {m.Max:0.0} | {run.WallSeconds:0.00} | {run.SitesPerSecond:0.0} | {run.Retries} |"));

    private static string X(double a, double b) => double.IsFinite(Timing.Ratio(a, b)) ? Inv($"{Timing.Ratio(a, b):0.00}×") : "n/a";

    private static string Inv(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
