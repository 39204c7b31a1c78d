using Press.Core.Ports;
using Press.Core.Sites;

namespace Press.Infrastructure.Runtime.Docker;

/// <summary>
/// Image and limits for a site's runner and its Redis: runtime settings (<c>runtime.image</c>, <c>runtime.memoryMb</c>,
/// <c>runtime.cpus</c>, <c>runtime.pidsLimit</c>, <c>runtime.redisImage</c>, <c>runtime.redisMemoryMb</c>,
/// <c>runtime.workerMemoryMb</c>, <c>runtime.workerCpus</c>) over the
/// driver's configured defaults. A site's own image (<see cref="Site.Image"/>, docs/architecture.md §18) overrides
/// <c>runtime.image</c>. Plans per site come later; they will override here.
/// </summary>
public sealed class RuntimeLimits(ISettingsStore settings, DockerRuntimeOptions options)
{
    /// <summary>The Redis sidecar needs few processes: the server, its append-only rewrite child, a few I/O threads.</summary>
    public const int RedisPidsLimit = 64;

    public async Task<RunnerContainer.Limits> ForAsync(Site? site, CancellationToken ct)
    {
        var current = await settings.GetAsync(ct);
        return new RunnerContainer.Limits(site?.Image?.Reference ?? current.RunnerImage ?? options.Image, current.RunnerMemoryMb ?? options.MemoryMb,
            current.RunnerCpus ?? options.Cpus, current.RunnerPidsLimit ?? options.PidsLimit);
    }

    /// <summary>A worker's or the scheduler's container: the runner's image and PID limit, the worker settings' memory and CPUs.</summary>
    public async Task<RunnerContainer.Limits> BackgroundForAsync(Site? site, CancellationToken ct)
    {
        var current = await settings.GetAsync(ct);
        return new RunnerContainer.Limits(site?.Image?.Reference ?? current.RunnerImage ?? options.Image, current.WorkerMemoryMb ?? options.WorkerMemoryMb,
            current.WorkerCpus ?? options.WorkerCpus, current.RunnerPidsLimit ?? options.PidsLimit);
    }

    public async Task<RedisContainer.Limits> RedisForAsync(Site? site, CancellationToken ct)
    {
        var current = await settings.GetAsync(ct);
        return new RedisContainer.Limits(current.RedisImage ?? options.RedisImage, current.RedisMemoryMb ?? options.RedisMemoryMb, RedisPidsLimit);
    }
}
