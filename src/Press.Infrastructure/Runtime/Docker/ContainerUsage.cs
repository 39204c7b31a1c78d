using Docker.DotNet.Models;
using Press.Core.Usage;

namespace Press.Infrastructure.Runtime.Docker;

/// <summary>A site's CPU time and memory from the engine's stats of its containers (docs/architecture.md §15), summed.</summary>
public static class ContainerUsage
{
    /// <summary>
    /// Memory in use as <c>docker stats</c> shows it: the cgroup's usage less its inactive page cache
    /// (<c>inactive_file</c> on cgroup v2, <c>total_inactive_file</c> on v1), which the kernel reclaims before it
    /// would hit the limit.
    /// </summary>
    public static long MemoryBytes(MemoryStats memory)
    {
        var cache = memory.Stats is { } stats
            ? stats.TryGetValue("inactive_file", out var v2) ? v2 : stats.TryGetValue("total_inactive_file", out var v1) ? v1 : 0UL
            : 0UL;
        var usage = memory.Usage ?? 0UL;
        return (long)(usage > cache ? usage - cache : usage);
    }

    /// <summary>Sums the samples of the containers that run; none running → unmeasured, with the reason.</summary>
    public static RunnerUsage Sum(IReadOnlyList<(string Name, ContainerStatsResponse? Stats)> samples)
    {
        var running = samples.Where(s => s.Stats is not null).ToList();
        if (running.Count == 0) return RunnerUsage.Unmeasured($"none of {string.Join(", ", samples.Select(s => s.Name))} is running");
        var cpu = running.Sum(s => (s.Stats!.CPUStats?.CPUUsage?.TotalUsage ?? 0UL) / 1e9);
        var memory = running.Sum(s => s.Stats!.MemoryStats is { } m ? MemoryBytes(m) : 0);
        var missing = samples.Where(s => s.Stats is null).Select(s => s.Name).ToList();
        return new RunnerUsage(cpu, memory, missing.Count == 0 ? null : $"not running: {string.Join(", ", missing)}");
    }
}
