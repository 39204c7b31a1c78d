using System.Text.RegularExpressions;

namespace Press.Infrastructure.Postgres.Archive;

/// <summary>
/// Decides how a schema is dumped (docs/architecture.md §6): which compression the tools can do, and whether and how
/// its tables are spread over parallel data archives. Pure, so the rules are tested as data.
/// </summary>
public static partial class DumpPlan
{
    /// <summary>zstd level 1: on the benchmark schema it compresses about as well as pg_dump's default gzip level 6
    /// at several times the speed, so the dump is no longer bound by compression (docs/benchmarks.md).</summary>
    public const string DefaultCompression = "zstd:1";

    /// <summary>Below this a schema is one archive: a Frappe site of a few MiB would only pay for extra pg_dump
    /// processes, each of which reads the whole catalog.</summary>
    public const int DefaultThresholdMb = 128;

    public const int DefaultJobs = 2;

    /// <summary>The first major whose pg_dump compresses with lz4 and zstd (and takes <c>method:level</c>).</summary>
    public const int ZstdSinceMajor = 16;

    /// <summary>
    /// pg_dump's <c>--compress</c> value for <paramref name="configured"/>, or null (the option left out: gzip, pg_dump's
    /// own default) for tools before PostgreSQL 16, which know no other method. A value pg_dump would not accept is
    /// refused here, before any backup starts.
    /// </summary>
    public static string? CompressionFor(int toolMajor, string configured)
    {
        if (!CompressionPattern().IsMatch(configured))
            throw new ArgumentException($"Press:Backups:Compression '{configured}' is not one of zstd[:1-22], lz4[:1-12], gzip[:1-9], none");
        return toolMajor < ZstdSinceMajor ? null : configured;
    }

    /// <summary>What the manifest records for <see cref="CompressionFor"/>'s answer.</summary>
    public static string Describe(string? compression) => compression ?? "gzip";

    [GeneratedRegex(@"^(zstd(:([1-9]|1[0-9]|2[0-2]))?|lz4(:([1-9]|1[0-2]))?|gzip(:[1-9])?|none)$")]
    private static partial Regex CompressionPattern();

    /// <summary>
    /// The tables of a schema spread over at most <paramref name="jobs"/> data archives, or none (one archive) when
    /// the schema is smaller than <paramref name="thresholdBytes"/>, parallelism is off or there is only one table.
    /// Largest table first onto the archive holding the fewest bytes (then tables) so far (LPT scheduling: the slowest archive, which
    /// the dump and the restore wait for, is at most 4/3 of the best split), ties by name so the plan is repeatable;
    /// each archive's tables sorted by name; empty archives dropped.
    /// </summary>
    public static IReadOnlyList<IReadOnlyList<string>> Spread(IReadOnlyList<(string Table, long Bytes)> tables, long thresholdBytes, int jobs)
    {
        if (jobs < 2 || tables.Count < 2 || tables.Sum(t => t.Bytes) < thresholdBytes) return [];
        var parts = Enumerable.Range(0, Math.Min(jobs, tables.Count)).Select(_ => (Bytes: 0L, Tables: new List<string>())).ToArray();
        foreach (var (table, bytes) in tables.OrderByDescending(t => t.Bytes).ThenBy(t => t.Table, StringComparer.Ordinal))
        {
            var lightest = 0;
            for (var i = 1; i < parts.Length; i++)
                if (parts[i].Bytes < parts[lightest].Bytes
                    || (parts[i].Bytes == parts[lightest].Bytes && parts[i].Tables.Count < parts[lightest].Tables.Count)) lightest = i;
            parts[lightest].Bytes += bytes;
            parts[lightest].Tables.Add(table);
        }
        return parts.Where(p => p.Tables.Count > 0)
            .Select(p => (IReadOnlyList<string>)p.Tables.Order(StringComparer.Ordinal).ToList()).ToList();
    }
}
