using Press.Core.Ports;
using Press.Core.Sites;
using Press.Core.Usage;

namespace Press.Infrastructure.Runtime.Docker;

/// <summary>
/// Image and limits for a site's runner and its Redis: the site's own override (<c>PUT /api/sites/{name}/limits</c>,
/// docs/architecture.md §15) over the runtime settings (<c>runtime.image</c>, <c>runtime.memoryMb</c>, <c>runtime.cpus</c>,
/// <c>runtime.pidsLimit</c>, <c>runtime.redisImage</c>, <c>runtime.redisMemoryMb</c>, <c>runtime.workerMemoryMb</c>,
/// <c>runtime.workerCpus</c>) over the driver's configured defaults. A site's memory and CPUs apply to each container
/// that runs its code (the runner and each background process); its Redis keeps the Redis settings. A site's own image
/// (<see cref="Site.Image"/>, docs/architecture.md §18) overrides <c>runtime.image</c>.
/// </summary>
public sealed class RuntimeLimits(ISettingsStore settings, DockerRuntimeOptions options, ISiteUsageStore? overrides = null)
{
    /// <summary>The Redis sidecar needs few processes: the server, its append-only rewrite child, a few I/O threads.</summary>
    public const int RedisPidsLimit = 64;

    public async Task<RunnerContainer.Limits> ForAsync(Site? site, CancellationToken ct)
    {
        var current = await settings.GetAsync(ct);
        var own = await OwnAsync(site, ct);
        return new RunnerContainer.Limits(site?.Image?.Reference ?? current.RunnerImage ?? options.Image, own.MemoryMb ?? current.RunnerMemoryMb ?? options.MemoryMb,
            own.Cpus ?? current.RunnerCpus ?? options.Cpus, current.RunnerPidsLimit ?? options.PidsLimit);
    }

    /// <summary>A worker's or the scheduler's container: the runner's image and PID limit, the worker settings' memory and CPUs.</summary>
    public async Task<RunnerContainer.Limits> BackgroundForAsync(Site? site, CancellationToken ct)
    {
        var current = await settings.GetAsync(ct);
        var own = await OwnAsync(site, ct);
        return new RunnerContainer.Limits(site?.Image?.Reference ?? current.RunnerImage ?? options.Image, own.MemoryMb ?? current.WorkerMemoryMb ?? options.WorkerMemoryMb,
            own.Cpus ?? current.WorkerCpus ?? options.WorkerCpus, current.RunnerPidsLimit ?? options.PidsLimit);
    }

    public async Task<RedisContainer.Limits> RedisForAsync(Site? site, CancellationToken ct)
    {
        var current = await settings.GetAsync(ct);
        return new RedisContainer.Limits(current.RedisImage ?? options.RedisImage, current.RedisMemoryMb ?? options.RedisMemoryMb, RedisPidsLimit);
    }

    private async Task<SiteLimits> OwnAsync(Site? site, CancellationToken ct) =>
        site is null || overrides is null ? SiteLimits.None : await overrides.GetLimitsAsync(site.Id, ct);
}
