using System.Globalization;
using System.Text;

namespace Press.Benchmarks;

/// <summary>The markdown section of <c>scripts/bench --backup</c>.</summary>
internal static class BackupReport
{
    public static string Render(BackupResult r, DateTimeOffset at)
    {
        var inv = CultureInfo.InvariantCulture;
        var mib = r.SchemaBytes / 1048576.0;
        var archiveMib = r.ArchiveBytes / 1048576.0;
        var s = new StringBuilder();
        var pressMib = r.Press.Bytes / 1048576.0;
        s.AppendLine(inv, $"## Backup and restore: Press vs stock pg_dump -Fc / pg_restore — {at:yyyy-MM-dd HH:mm} UTC");
        s.AppendLine();
        s.AppendLine(inv, $"- Code: commit {Environment.GetEnvironmentVariable("PRESS_BENCH_COMMIT") ?? "unknown"}.");
        s.AppendLine(inv, $"- Machine: nproc {r.Machine.Cpus} ({r.Machine.CpuModel}), {r.Machine.Memory}, {r.Machine.Os}, {r.Machine.Postgres}, {r.Machine.Dotnet}; client tools of the same major (PRESS_PG_TOOLS).");
        s.AppendLine(inv, $"- Load: 1-min load average {r.LoadAtStart} at start, {r.LoadAtEnd} at end (other test runs share the machine); program wall time {r.WallSeconds / 60:0.0} min.");
        s.AppendLine(inv, $"- Data: one site schema of {mib:N0} MiB (pg_total_relation_size; target {r.TargetMb} MiB), {r.Tables} tables, {r.Rows:N0} rows (ERPNext-like invoices, items and files: varchar keys, text, jsonb, numeric, timestamptz, partly random bytea; 5 indexes), loaded as the site role in {r.LoadSeconds:N0} s.");
        s.AppendLine(inv, $"- Archives: stock `pg_dump -Fc -n` (gzip level 6, one process) {archiveMib:N0} MiB, compression ratio {mib / archiveMib:0.00} (schema MiB ÷ archive MiB); Press `--compress={r.Press.Compression}`, {r.Press.Archives} archive(s) (Press:Backups ParallelJobs {r.Press.Jobs}, ParallelThresholdMb {r.Press.ThresholdMb}) {pressMib:N0} MiB, ratio {mib / pressMib:0.00}.");
        s.AppendLine("- Adapter level: PgSchemaArchive + LocalFolderObjectStore (a folder on the same disk), called as the BackupDatabase, VerifyBackup and restore steps call them; no manager or worker. Stock tools run as the superuser, the dump into a file on the same disk, the restore (`pg_restore -d`, one job) from it into a scratch database; Press's through a one-operation helper login with the site role's powers (--role), and its restore through the schema-renaming filter into a new schema. The rounds interleave stock and Press. MiB/s = schema MiB ÷ mean seconds (read-back: archive MiB); ratio = Press throughput ÷ stock throughput (= stock time ÷ Press time).");
        s.AppendLine();
        s.AppendLine("| Operation | Seconds per round | MiB/s | Press ÷ stock |");
        s.AppendLine("|---|---|---:|---:|");
        var rawDump = r.Rounds.Average(x => x.RawDump);
        var rawRestore = r.Rounds.Average(x => x.RawRestore);
        void Row(string name, Func<BackupRound, double> pick, double size, double? raw)
        {
            var mean = r.Rounds.Average(pick);
            var ratio = raw is { } t ? (t / mean).ToString("0.00", inv) : "";
            s.AppendLine(inv, $"| {name} | {string.Join(", ", r.Rounds.Select(x => pick(x).ToString("0.0", inv)))} | {size / mean:0.0} | {ratio} |");
        }
        Row("stock `pg_dump -Fc -n` → file", x => x.RawDump, mib, null);
        Row("Press dump: pg_dump archives → object store (SHA-256 on the way) + row counts in the same snapshot", x => x.PressDump, mib, rawDump);
        Row("Press read-back verification (read every archive, size + SHA-256)", x => x.ReadBack, pressMib, null);
        Row("Press backup of the database: dump + read-back", x => x.PressDump + x.ReadBack, mib, rawDump);
        Row("stock `pg_restore -d` of the stock archive into a scratch database", x => x.RawRestore, mib, null);
        Row("Press RestoreAsync: pg_restore -f - \\| filter \\| psql per archive, new schema", x => x.PressRestore, mib, rawRestore);
        Row("Press restore + CountRowsAsync check of every table", x => x.PressRestore + x.Count, mib, rawRestore);
        s.AppendLine();
        s.AppendLine(inv, $"Catalog curve: one ERPNext-sized site ({r.SiteTables} empty tables, each with a varchar primary key and two indexes) backed up while N other schemas of {r.SiteTables} such tables exist in the same database (created by the superuser, two DO blocks at a time). Three runs per point; ms are nearest-rank p50 (min–max). Press dump = DumpAsync into the folder store (pg_dump --snapshot --role + exact counts of the {r.SiteTables} tables).");
        if (r.CatalogNote is not null) s.AppendLine(inv, $"Note: {r.CatalogNote}.");
        s.AppendLine();
        s.AppendLine("| Other schemas | pg_class rows | raw pg_dump -n, ms | Press dump, ms | Press ÷ raw time |");
        s.AppendLine("|---:|---:|---:|---:|---:|");
        foreach (var p in r.Catalog)
            s.AppendLine(inv, $"| {p.Schemas} | {p.PgClassRows:N0} | {p.RawDumpMs.P50:N0} ({Min(p.RawDumpMs):N0}–{p.RawDumpMs.Max:N0}) | {p.PressDumpMs.P50:N0} ({Min(p.PressDumpMs):N0}–{p.PressDumpMs.Max:N0}) | {p.PressDumpMs.P50 / p.RawDumpMs.P50:0.00} |");
        return s.ToString();
    }

    // Summary keeps no minimum; with three samples p50 ≥ min, so derive it from mean (exact for n = 3).
    private static double Min(Summary x) => x.Mean * x.Count - x.P50 - x.Max;
}
