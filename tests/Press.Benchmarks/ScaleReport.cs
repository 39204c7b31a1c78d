using System.Globalization;
using System.Text;

namespace Press.Benchmarks;

/// <summary>The markdown section of <c>scripts/bench --scale</c>: each measure with its same-run baseline and its bound.</summary>
internal static class ScaleReport
{
    public static string Render(ScaleResult r, DateTimeOffset at)
    {
        var s = new StringBuilder();
        var m = r.Machine;
        s.AppendLine(Inv($"## Scale: {r.Sites:N0} sites — {at:yyyy-MM-dd HH:mm} UTC"));
        s.AppendLine();
        s.AppendLine($"- Code: commit {Environment.GetEnvironmentVariable("PRESS_BENCH_COMMIT") ?? "unknown (not run through scripts/bench)"}.");
        s.AppendLine(Inv($"- Machine: nproc {m.Cpus} ({m.CpuModel}), {m.Memory}, {m.Os}, {m.Postgres}, {m.Dotnet}."));
        s.AppendLine(Inv($"- Load: 1-min load average {r.LoadAtStart} at start, {r.LoadAtEnd} at end; program wall time {r.WallSeconds / 60:0.0} min."));
        s.AppendLine(Inv($"- One installation, the real manager and worker (defaults: 8 jobs at once), runtime none; sites created {r.Concurrency} in flight; site databases used: {string.Join(", ", r.Databases)}."));
        s.AppendLine();

        var (first, last) = (r.Blocks[0], r.Blocks[^1]);
        s.AppendLine("| Measure | Value | Same-run baseline | Ratio | Bound | Met |");
        s.AppendLine("|---|---:|---:|---:|---|---|");
        var createRatio = last.PerSite.P95 / first.PerSite.P95;
        s.AppendLine(Inv($"| Create, POST → Succeeded, p95 of {last.Label} | {last.PerSite.P95:0} ms | {first.Label}: {first.PerSite.P95:0} ms | {createRatio:0.00}× | ≤ 1.2× | {Met(createRatio <= 1.2)} |"));
        var serverRatio = last.Server!.P95 / first.Server!.P95;
        s.AppendLine(Inv($"| Create, server side (job created → finished), p95 of {last.Label} | {last.Server.P95:0} ms | {first.Server.P95:0} ms | {serverRatio:0.00}× | ≤ 1.2× | {Met(serverRatio <= 1.2)} |"));
        foreach (var (quiet, busy) in r.QuietApi.Zip(r.BackupApi))
        {
            s.AppendLine(Inv($"| `{quiet.Label}` p99 at {r.PerSecond}/s, {r.Sites:N0} sites | {quiet.Ms.P99:0.0} ms | p50 {quiet.Ms.P50:0.0} ms | | < 50 ms | {Met(quiet.Ms.P99 < 50 && quiet.NotOk == 0)} |"));
            s.AppendLine(Inv($"| `{busy.Label}` p99 at {r.PerSecond}/s while a {r.BackupMb:N0} MiB backup runs | {busy.Ms.P99:0.0} ms | quiet p99 {quiet.Ms.P99:0.0} ms | {busy.Ms.P99 / quiet.Ms.P99:0.00}× | < 50 ms | {Met(busy.Ms.P99 < 50 && busy.NotOk == 0)} |"));
        }
        foreach (var w in r.Engine.Select(e => e.Workers).Distinct())
        {
            var raw = r.Engine.Single(e => e.Workers == w && e.Engine.StartsWith("raw", StringComparison.Ordinal));
            var press = r.Engine.Single(e => e.Workers == w && e.Engine == JobEngineBench.PressEngine);
            var unfolded = r.Engine.Single(e => e.Workers == w && e.Engine == JobEngineBench.UnfoldedEngine);
            s.AppendLine(Inv($"| No-op jobs/s, {w} claim loop(s) | {press.JobsPerSecond:0} | raw SKIP LOCKED {raw.JobsPerSecond:0}; unfolded writes {unfolded.JobsPerSecond:0} | {press.JobsPerSecond / raw.JobsPerSecond:0.00}× raw; {press.JobsPerSecond / unfolded.JobsPerSecond:0.00}× unfolded | ≥ 1,000/s | {Met(press.JobsPerSecond >= 1000)} |"));
        }
        foreach (var p in r.Backups)
            s.AppendLine(Inv($"| One site's backup-database step with {p.ErpSites} ERPNext-sized sites present, p50 | {p.PressMs.P50:0} ms | raw `pg_dump -n` {p.RawMs.P50:0} ms | {p.PressMs.P50 / p.RawMs.P50:0.00}× | | |"));
        if (r.Backups.Count == 2)
            s.AppendLine(Inv($"| Growth of that backup, {r.Backups[1].ErpSites} ÷ {r.Backups[0].ErpSites} sites (Press / raw) | {r.Backups[1].PressMs.P50 / r.Backups[0].PressMs.P50:0.00}× | {r.Backups[1].RawMs.P50 / r.Backups[0].RawMs.P50:0.00}× | | | |"));
        s.AppendLine(Inv($"| RSS of the manager / worker with {r.Sites:N0} sites | {r.ManagerMb.Rss:0} / {r.WorkerMb.Rss:0} MiB | peak {r.ManagerMb.Peak:0} / {r.WorkerMb.Peak:0} MiB | | | |"));
        s.AppendLine(Inv($"| Route change → live through the proxy, {r.Sites:N0} sites' routes | the proxy benchmark's section (run after this one with `--proxy 1`, {r.Sites:N0} filler sites) | | | p99 ≤ 300 ms | see there |"));
        s.AppendLine("| Standby claim → ping via the proxy, p95, vs a cold create | the proxy benchmark's section (process driver, the Frappe test double) | | | < 2 s | see there |");
        s.AppendLine();

        s.AppendLine("| Create cost by block (ms per site) | p50 | p95 | max | server p95 | queued p95 | sites/s |");
        s.AppendLine("|---|---:|---:|---:|---:|---:|---:|");
        foreach (var b in r.Blocks)
            s.AppendLine(Inv($"| {b.Label} | {b.PerSite.P50:0} | {b.PerSite.P95:0} | {b.PerSite.Max:0} | {b.Server!.P95:0} | {b.Queued!.P95:0} | {b.SitesPerSecond:0.0} |"));
        s.AppendLine();

        s.AppendLine(Inv($"| API at {r.PerSecond} requests/s (open loop, latency from when each was due) | Requests | p50 | p99 | max | not 200 |"));
        s.AppendLine("|---|---:|---:|---:|---:|---:|");
        foreach (var (label, runs) in new[] { ("quiet", r.QuietApi), ($"during the {r.BackupMb:N0} MiB backup ({r.BackupSeconds:0} s)", r.BackupApi) })
            foreach (var x in runs)
                s.AppendLine(Inv($"| `{x.Label}`, {label} | {x.Ms.Count} | {x.Ms.P50:0.0} | {x.Ms.P99:0.0} | {x.Ms.Max:0.0} | {x.NotOk}{(x.FirstNotOk is { } f ? $" (first: {f})" : "")} |"));
        s.AppendLine();

        s.AppendLine("| Job engine (no-op jobs) | Loops | Jobs | Jobs/s | claim p50 / p99 ms | run p50 / p99 ms |");
        s.AppendLine("|---|---:|---:|---:|---:|---:|");
        foreach (var e in r.Engine)
            s.AppendLine(Inv($"| {e.Engine} | {e.Workers} | {e.Jobs} | {e.JobsPerSecond:0} | {e.ClaimMs.P50:0.00} / {e.ClaimMs.P99:0.00} | {e.RunMs.P50:0.00} / {e.RunMs.P99:0.00} |"));
        s.AppendLine();

        s.AppendLine(Inv($"Backups: the big site was filled to {r.BackupMb:N0} MiB in {r.LoadSeconds:0} s; the curve's sites got {r.Tables} tables each (16 columns, three indexes), created as each site's role in the database Press placed it in; three backups per point through `POST /api/sites/{{name}}/backups`, the job's backup-database step against raw `pg_dump -Fc -n` of the same schema to /dev/null as the superuser, interleaved."));
        if (r.BackupNote is { } note) s.AppendLine(Inv($"**{note}.**"));
        s.AppendLine("No-op job: the VerifyBackup recipe with its one step replaced, in the benchmark only, by one that returns at once; claim loops in one process on Press's JobStore and JobRunner (no Redis wake-up, no process start). Claim = the claim query; run = JobRunner.RunAsync (start with the step's started, the step's finished with the success: two fenced transactions, so three commits per job with the claim) or the raw queue's one UPDATE (two commits per job). \"Unfolded\": the same runner over a store without the folded writes, so the start and the success are writes of their own (five commits per job, as before issue 15) — the fold's same-run baseline.");
        return s.ToString();
    }

    private static string Met(bool met) => met ? "yes" : "**no**";

    private static string Inv(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
