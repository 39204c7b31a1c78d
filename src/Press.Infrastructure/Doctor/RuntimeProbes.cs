using Press.Core.Doctor;
using Press.Core.Ports;
using Press.Core.Sites;
using Press.Infrastructure.Postgres;
using Press.Infrastructure.Runtime.Docker;

namespace Press.Infrastructure.Doctor;

/// <summary>
/// Press-labelled containers that no live site owns — the same rule the worker's reconciler logs and counts
/// (<c>press_runtime_stray_runners</c>), computed here so doctor answers without asking the worker.
/// </summary>
public sealed class StrayRunnersProbe(ISiteRuntime runtime, DockerEngine docker, SiteQueries queries) : IDoctorProbe
{
    public string Name => DoctorChecks.StrayRunners;

    public async Task<DoctorCheck> RunAsync(CancellationToken ct)
    {
        if (runtime.Driver != "docker") return DoctorRules.StrayRunners(runtime.Driver, null);
        var owners = (await queries.ListLiveSitesAsync(ct)).Where(s => s.State is not SiteState.Deleted)
            .SelectMany(s => new[] { RunnerContainer.Name(s), RedisContainer.Name(s) }).ToHashSet();
        var strays = (await docker.ListManagedAsync(ct))
            .Select(c => c.Names.FirstOrDefault()?.TrimStart('/') ?? c.ID)
            .Where(name => !owners.Contains(name))
            .Order(StringComparer.Ordinal)
            .ToList();
        return DoctorRules.StrayRunners(runtime.Driver, strays);
    }
}

public sealed class RunnerImageProbe(ISiteRuntime runtime, DockerEngine docker, RuntimeLimits limits) : IDoctorProbe
{
    public string Name => DoctorChecks.RunnerImage;

    public async Task<DoctorCheck> RunAsync(CancellationToken ct)
    {
        if (runtime.Driver != "docker") return DoctorRules.RunnerImage(runtime.Driver, null, null);
        var image = (await limits.ForAsync(null, ct)).Image;
        return DoctorRules.RunnerImage(runtime.Driver, image, await docker.ImagePresentAsync(image, ct));
    }
}
