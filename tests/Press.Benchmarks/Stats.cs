using System.Diagnostics;

namespace Press.Benchmarks;

/// <summary>Percentiles of a set of durations in milliseconds (nearest-rank: the smallest value ≥ p % of them).</summary>
public sealed record Summary(int Count, double P50, double P95, double P99, double Max, double Mean)
{
    public static Summary Of(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0) throw new InvalidOperationException("no samples");
        return new Summary(sorted.Length, Rank(sorted, 50), Rank(sorted, 95), Rank(sorted, 99), sorted[^1], sorted.Average());
    }

    private static double Rank(double[] sorted, double p) =>
        sorted[Math.Clamp((int)Math.Ceiling(p / 100 * sorted.Length) - 1, 0, sorted.Length - 1)];
}

/// <summary>
/// One batch of site creations: per-site times, the wall time of the whole batch, and how many times a statement (baseline)
/// or a Failed job (Press, retried through the API) hit PostgreSQL's "tuple concurrently updated" and was retried.
/// </summary>
public sealed record CreationRun(string Label, int Concurrency, Summary PerSite, double WallSeconds, int Retries,
    Summary? Server = null, Summary? Queued = null, IReadOnlyDictionary<string, Summary>? Steps = null)
{
    public double SitesPerSecond => PerSite.Count / WallSeconds;
}

public static class Timing
{
    public static double MsSince(long start) => Stopwatch.GetElapsedTime(start).TotalMilliseconds;

    public static double Ratio(double a, double b) => b > 0 ? a / b : double.NaN;

    /// <summary>
    /// Runs <paramref name="one"/> for 0..count-1 with at most <paramref name="concurrency"/> in flight; the first
    /// failure stops the batch. Returns the results in index order and the batch's wall time in seconds.
    /// </summary>
    public static async Task<(T[] Results, double WallSeconds)> BoundedAsync<T>(int count, int concurrency,
        Func<int, CancellationToken, Task<T>> one, CancellationToken ct)
    {
        var results = new T[count];
        var start = Stopwatch.GetTimestamp();
        await Parallel.ForEachAsync(Enumerable.Range(0, count),
            new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = ct },
            async (i, token) => results[i] = await one(i, token));
        return (results, Stopwatch.GetElapsedTime(start).TotalSeconds);
    }
}
