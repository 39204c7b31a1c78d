using Press.Core.Doctor;
using Press.Infrastructure.Postgres;
using Press.Infrastructure.Runtime;
using Press.Infrastructure.Runtime.Docker;

namespace Press.Infrastructure.Doctor;

/// <summary>
/// Press-labelled containers that no live site owns — the reconciler's rule (<see cref="SiteContainers"/>, logged and
/// counted as <c>press_runtime_stray_runners</c>), computed here so doctor answers without asking the worker.
/// </summary>
public sealed class StrayRunnersProbe(RuntimeOptions runtime, DockerEngine docker, SiteQueries queries) : IDoctorProbe
{
    public string Name => DoctorChecks.StrayRunners;

    public async Task<DoctorCheck> RunAsync(CancellationToken ct)
    {
        if (runtime.Driver != "docker") return DoctorRules.StrayRunners(runtime.Driver, null);
        var strays = SiteContainers.Strays(await queries.ListLiveSitesAsync(ct), await docker.ListManagedAsync(ct));
        return DoctorRules.StrayRunners(runtime.Driver, strays);
    }
}

public sealed class RunnerImageProbe(RuntimeOptions runtime, DockerEngine docker, RuntimeLimits limits) : IDoctorProbe
{
    public string Name => DoctorChecks.RunnerImage;

    public async Task<DoctorCheck> RunAsync(CancellationToken ct)
    {
        if (runtime.Driver != "docker") return DoctorRules.RunnerImage(runtime.Driver, null, null);
        var image = (await limits.ForAsync(null, ct)).Image;
        return DoctorRules.RunnerImage(runtime.Driver, image, await docker.ImagePresentAsync(image, ct));
    }
}
