using Press.Core.Ports;
using Press.Core.Sites;

namespace Press.Infrastructure.Runtime.Docker;

/// <summary>
/// Image and limits for a site's runner: runtime settings (<c>runtime.image</c>, <c>runtime.memoryMb</c>,
/// <c>runtime.cpus</c>) over the driver's configured defaults. Plans per site come later; they will override here.
/// </summary>
public sealed class RuntimeLimits(ISettingsStore settings, DockerRuntimeOptions options)
{
    public async Task<RunnerContainer.Limits> ForAsync(Site? site, CancellationToken ct)
    {
        var current = await settings.GetAsync(ct);
        return new RunnerContainer.Limits(current.RunnerImage ?? options.Image, current.RunnerMemoryMb ?? options.MemoryMb,
            current.RunnerCpus ?? options.Cpus);
    }
}
