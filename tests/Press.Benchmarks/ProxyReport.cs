using System.Globalization;
using System.Text;

namespace Press.Benchmarks;

/// <summary>The embedded proxy benchmark's section of docs/benchmarks.md.</summary>
public static class ProxyReport
{
    public static string Render(ProxyResult r, DateTimeOffset at)
    {
        var s = new StringBuilder();
        var (m, o) = (r.Machine, r.Options);
        s.AppendLine(Inv($"## Ingress: embedded proxy — {at:yyyy-MM-dd HH:mm} UTC"));
        s.AppendLine();
        var commit = Environment.GetEnvironmentVariable("PRESS_BENCH_COMMIT") is { Length: > 0 } c ? c : "unknown (not run through scripts/bench)";
        s.AppendLine($"- Code: commit {commit}.");
        s.AppendLine(Inv($"- Machine: nproc {m.Cpus} ({m.CpuModel}), {m.Memory}, {m.Os}, {m.Postgres}, {m.Dotnet}."));
        s.AppendLine(Inv($"- Parameters: {o.Sites} served sites (process driver: one `bench serve` of the Frappe test double each) and {o.Filler} filler sites inserted straight into the metadata database (Active, no runner: maintenance routes; {r.FillerSeconds:0.00} s), so {r.Routes} routes; load: {o.Loops} closed loops over keep-alive connections, {o.Seconds} s per target and path (two halves, interleaved direct, proxy, proxy, direct, after {o.WarmupSeconds} s of warm-up each), Host header cycling over the served sites; {o.Activations} sites created one after another; program wall time {r.WallSeconds:0} s; 1-min load average {r.LoadAtStart} at start, {r.LoadAtEnd} at end."));
        s.AppendLine("- How: the client, the manager (its proxy on its own port), the runners and PostgreSQL share the 2 cores, so the proxy's");
        s.AppendLine("  CPU is taken from the runners it forwards to: read the ratios. `GET /api/method/ping` is the double's Frappe ping (site");
        s.AppendLine("  config read, a database round trip as the site's role); `GET /robots.txt` is answered 404 by the double after");
        s.AppendLine("  reading the site config, no database — it shows the proxy's own cost. Latency is per request, nearest-rank.");
        s.AppendLine();

        s.AppendLine(Inv($"| Load ({o.Loops} loops) | Requests | Req/s | p50 ms | p99 ms | max ms | Unexpected |"));
        s.AppendLine("|---|---:|---:|---:|---:|---:|---:|");
        foreach (var (direct, proxy) in r.Load)
            foreach (var run in new[] { direct, proxy })
                s.AppendLine(Inv($"| {Label(run)} | {run.Requests} | {run.RequestsPerSecond:0} | {run.Ms.P50:0.00} | {run.Ms.P99:0.00} | {run.Ms.Max:0.0} | {run.Unexpected} |"));
        s.AppendLine();
        s.AppendLine("| Ratio (proxy ÷ direct, same run) | " + string.Join(" | ", r.Load.Select(l => $"`{Path(l.Direct)}`")) + " |");
        s.AppendLine("|---|" + string.Concat(r.Load.Select(_ => "---:|")));
        s.AppendLine("| Requests/s | " + string.Join(" | ", r.Load.Select(l => X(l.Proxy.RequestsPerSecond, l.Direct.RequestsPerSecond))) + " |");
        s.AppendLine("| p50 latency | " + string.Join(" | ", r.Load.Select(l => X(l.Proxy.Ms.P50, l.Direct.Ms.P50))) + " |");
        s.AppendLine("| p99 latency | " + string.Join(" | ", r.Load.Select(l => X(l.Proxy.Ms.P99, l.Direct.Ms.P99))) + " |");
        s.AppendLine("| Added p50 latency (ms) | " + string.Join(" | ", r.Load.Select(l => Inv($"{l.Proxy.Ms.P50 - l.Direct.Ms.P50:0.00}"))) + " |");
        foreach (var (direct, proxy) in r.Load)
            foreach (var run in new[] { direct, proxy }.Where(x => x.FirstUnexpected is not null))
                s.AppendLine().AppendLine($"First unexpected answer ({run.Label}): {run.FirstUnexpected}");
        s.AppendLine();

        s.AppendLine(Inv($"| State change with {r.Routes} routes (ms after the job's finishedAt) | Count | Job seen p50 | Sent p50 | Sent p95 | Sent max | Answered p50 | Answered p95 | Answered max |"));
        s.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        Effects(s, "NewSite Succeeded (Active) → pong through the proxy", r.Activations);
        Effects(s, "Suspend Succeeded → maintenance page (503)", r.Suspensions);
        s.AppendLine();
        s.AppendLine("\"Job seen\": the client, polling the job every 10 ms, reads Succeeded; \"Sent\": the first request that the proxy answered");
        s.AppendLine("the new way left the client (polling every 10 ms from \"job seen\", a new connection each time); \"Answered\": its answer");
        s.AppendLine("was read. The manager reads the route stamp when a job's progress reaches it on Redis (and every 250 ms) and reloads the table when the stamp moved.");
        s.AppendLine();

        // Issue 15's two proxy bounds, each against its same-run baseline.
        var live = Summary.Of(r.Activations.Concat(r.Suspensions).Select(e => e.Answered));
        var cold = Summary.Of(r.Activations.Select(e => e.FromRequest));
        s.AppendLine("| Bound (issue 15) | Count | p50 ms | p95 ms | p99 ms | max ms | Same-run baseline | Bound | Met |");
        s.AppendLine("|---|---:|---:|---:|---:|---:|---|---|---|");
        s.AppendLine(Inv($"| Route change → live through the proxy with {r.Routes:N0} routes (job finishedAt → the new answer read; activations and suspensions) | {live.Count} | {live.P50:0} | {live.P95:0} | {live.P99:0} | {live.Max:0} | route reload p99 {r.ReloadMs.P99:0.0} ms | p99 ≤ 300 ms | {Met(live.P99 <= 300)} |"));
        if (r.Claims.Count > 0)
        {
            var claim = Summary.Of(r.Claims.Select(e => e.FromRequest));
            s.AppendLine(Inv($"| Standby claim: `POST /api/sites` sent → pong through the proxy | {claim.Count} | {claim.P50:0} | {claim.P95:0} | {claim.P99:0} | {claim.Max:0} | cold create, same path: p50 {cold.P50:0}, p95 {cold.P95:0} ms ({cold.P95 / claim.P95:0.0}× the claim) | p95 < 2 s | {Met(claim.P95 < 2000)} |"));
        }
        s.AppendLine();
        s.AppendLine(Inv($"With {o.Sites + o.Filler + o.Activations:N0} sites; p99 is nearest-rank, so below 100 samples it is the maximum. The claims run one after the other with `standby.size` = 1, each once `GET /api/standby` shows a ready standby, so the replacement standby's cold create (the worker's refiller, every second) runs beside the next claim as it would in use; the cold creates are the activations above (NewSite with `standby.size` = 0), timed the same way: from sending `POST /api/sites` to reading the site's pong through the proxy."));
        s.AppendLine();
        s.AppendLine(Inv($"Route source with {r.Routes} routes, in-process against the same database: stamp p50 {r.StampMs.P50:0.00} ms, p99 {r.StampMs.P99:0.00} ms (4 per second); full reload (load + plan) p50 {r.ReloadMs.P50:0.00} ms, p99 {r.ReloadMs.P99:0.00} ms (only when the stamp moved)."));
        return s.ToString();
    }

    private static void Effects(StringBuilder s, string label, IReadOnlyList<Effect> effects)
    {
        var (seen, sent, answered) = (Summary.Of(effects.Select(e => e.JobSeen)), Summary.Of(effects.Select(e => e.Sent)), Summary.Of(effects.Select(e => e.Answered)));
        s.AppendLine(Inv($"| {label} | {effects.Count} | {seen.P50:0} | {sent.P50:0} | {sent.P95:0} | {sent.Max:0} | {answered.P50:0} | {answered.P95:0} | {answered.Max:0} |"));
    }

    private static string Met(bool met) => met ? "yes" : "**no**";

    private static string Label(LoadRun run) => (run.Label.StartsWith("proxy", StringComparison.Ordinal) ? "Through the proxy: " : "Direct to the runners: ") + $"`GET {Path(run)}`";

    private static string Path(LoadRun run) => run.Label[(run.Label.IndexOf(' ') + 1)..];

    private static string X(double a, double b) => double.IsFinite(Timing.Ratio(a, b)) ? Inv($"{Timing.Ratio(a, b):0.00}×") : "n/a";

    private static string Inv(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
