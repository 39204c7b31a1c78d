using Press.Core.Ports;
using Press.Core.Sites;

namespace Press.Core.Usage;

/// <summary>
/// One pass of the usage collector (docs/architecture.md §15): every live site's database size in one catalog query per
/// database, its files and its runner through the runtime, written as each site's newest sample. A measure that fails
/// for one site is recorded as that site's reason, so one broken site cannot hide the others' figures.
/// </summary>
public sealed class UsageSampler(ISiteUsageStore store, IDatabaseSizes databases, ISiteRuntime runtime, TimeProvider time)
{
    /// <summary>At most this many sites are measured at once: each asks the engine (or /proc, or the disk) a little.</summary>
    public const int Parallelism = 4;

    private readonly Dictionary<Guid, (double Seconds, DateTimeOffset At)> _cpu = [];

    public async Task<IReadOnlyList<UsageSample>> SampleAsync(CancellationToken ct)
    {
        var sites = await store.ListSitesToMeasureAsync(ct);
        var withSchema = sites.Where(s => s.State is not SiteState.Pending).Select(s => s.Location).Distinct().ToList();
        var sizes = await databases.MeasureAsync(withSchema, ct);
        var samples = new UsageSample[sites.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, sites.Count), new ParallelOptions { MaxDegreeOfParallelism = Parallelism, CancellationToken = ct },
            async (i, token) => samples[i] = await SampleAsync(sites[i], sizes, token));
        foreach (var gone in _cpu.Keys.Except(sites.Select(s => s.Id)).ToList()) _cpu.Remove(gone);
        await store.SaveSamplesAsync(samples, ct);
        return samples;
    }

    private async Task<UsageSample> SampleAsync(Site site, SizeReport sizes, CancellationToken ct)
    {
        var files = await Measure(() => runtime.MeasureFilesAsync(site, ct), FilesUsage.Unmeasured, ct);
        var runner = site.State == SiteState.Active
            ? await Measure(() => runtime.MeasureRunnerAsync(site, ct), RunnerUsage.Unmeasured, ct)
            : RunnerUsage.Unmeasured($"the site is {site.State}: its runner does not run");
        var at = time.GetUtcNow();
        double? ratio;
        lock (_cpu)
        {
            var previous = _cpu.TryGetValue(site.Id, out var p) ? p : ((double, DateTimeOffset)?)null;
            ratio = UsageRules.CpuRatio(previous?.Item1, previous?.Item2, runner.CpuSeconds, at);
            if (runner.CpuSeconds is { } seconds) _cpu[site.Id] = (seconds, at);
            else _cpu.Remove(site.Id);
        }
        var bytes = sizes.Bytes.TryGetValue(site.Location, out var b) ? b : (long?)null;
        var reason = bytes is null
            ? sizes.Reasons.GetValueOrDefault(site.Location) ?? (site.State == SiteState.Pending ? "the site has no schema yet" : "its schema was not found")
            : null;
        return new UsageSample(site.Id, at, bytes, reason, files, runner, ratio);
    }

    private static async Task<T> Measure<T>(Func<Task<T>> measure, Func<string, T> failed, CancellationToken ct)
    {
        try { return await measure(); }
        catch (Exception ex) when (!ct.IsCancellationRequested) { return failed($"not measured: {ex.Message}"); }
    }
}
