using Press.Core.Sites;
using Press.Core.Usage;
using Press.Infrastructure.Runtime.Files;

namespace Press.Infrastructure.Runtime.Docker;

public sealed partial class DockerSiteRuntime
{
    /// <summary>The engine's stats of the runner, its Redis and its background containers, summed (docs/architecture.md §15).</summary>
    public async Task<RunnerUsage> MeasureRunnerAsync(Site site, CancellationToken ct)
    {
        var names = SiteContainers.Names(site).ToList();
        var samples = await Task.WhenAll(names.Select(async n => (n, await docker.StatsAsync(n, ct))));
        return ContainerUsage.Sum(samples);
    }

    /// <summary>The site's volume, read on the engine's host (where Press runs with the docker driver, §9).</summary>
    public async Task<FilesUsage> MeasureFilesAsync(Site site, CancellationToken ct)
    {
        var volume = RunnerContainer.Volume(site);
        if (await docker.VolumeMountpointAsync(volume, ct) is not { } folder) return FilesUsage.Unmeasured($"volume {volume} does not exist");
        return Directory.Exists(folder)
            ? FolderSize.Measure(folder)
            : FilesUsage.Unmeasured($"volume {volume}'s folder {folder} is not visible to Press (run it on the engine's host with that folder readable)");
    }
}
