using Docker.DotNet;
using Docker.DotNet.Models;

namespace Press.Infrastructure.Runtime.Docker;

public sealed partial class DockerEngine
{
    /// <summary>One sample of a running container's counters (<c>one-shot</c>: no second read for a CPU delta, so it
    /// answers at once); null when the container does not exist or is not running (the engine then reports no CPU).</summary>
    public Task<ContainerStatsResponse?> StatsAsync(string name, CancellationToken ct) => Guard($"stats of {name}", async () =>
    {
        ContainerStatsResponse? sample = null;
        try
        {
            await _docker.Containers.GetContainerStatsAsync(name, new ContainerStatsParameters { Stream = false, OneShot = true },
                new Progress(s => sample = s), ct);
        }
        catch (DockerContainerNotFoundException) { return null; }
        return sample is { CPUStats.CPUUsage: not null, Read.Year: > 1 } ? sample : null;
    });

    /// <summary>Synchronous, unlike <see cref="Progress{T}"/> (which posts to the thread pool and may run after the call returned).</summary>
    private sealed class Progress(Action<ContainerStatsResponse> report) : IProgress<ContainerStatsResponse>
    {
        public void Report(ContainerStatsResponse value) => report(value);
    }
}
