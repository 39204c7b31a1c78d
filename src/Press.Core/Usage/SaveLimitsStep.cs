using System.Globalization;
using Press.Core.Jobs;
using Press.Core.Ports;

namespace Press.Core.Usage;

/// <summary>Writes the override the ChangeLimits job carries; the steps after it (recreating the runner) read it back
/// (docs/architecture.md §15). Idempotent: writing the same values again changes nothing.</summary>
public sealed class SaveLimitsStep(ISiteUsageStore store, ISiteRuntime runtime) : IJobStep
{
    public string Name => StepNames.SaveLimits;

    public async Task<StepResult> RunAsync(StepContext c, CancellationToken ct)
    {
        var limits = SiteLimits.FromArgs(c.Job.Args);
        await store.SaveLimitsAsync(c.Site.Id, limits, ct);
        var said = $"memory {Or(limits.MemoryMb, "MiB", "runtime.memoryMb")}, CPUs {Or(limits.Cpus, "", "runtime.cpus")}, " +
                   $"database cap {Or(limits.DatabaseCapMb, "MiB", "none")}";
        // The process driver runs bench as the host's user, without cgroups of its own: only the cap applies there.
        return StepResult.Ok(runtime.Driver == "docker" ? said : $"{said} (the {runtime.Driver} runtime applies no memory or CPU limits)");
    }

    private static string Or<T>(T? value, string unit, string fallback) where T : struct, IFormattable =>
        value is { } v ? $"{v.ToString(null, CultureInfo.InvariantCulture)}{(unit.Length > 0 ? " " + unit : "")}" : $"default ({fallback})";
}
