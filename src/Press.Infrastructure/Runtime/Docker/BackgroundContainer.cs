using Docker.DotNet.Models;
using Press.Core.Sites;
using Press.Infrastructure.Runtime.Background;

namespace Press.Infrastructure.Runtime.Docker;

/// <summary>
/// A site's background process (<see cref="BackgroundProcesses"/>: a worker or the scheduler) as its own container
/// beside the runner, from the runner's image, on the site's volumes. Why sidecars and not more processes inside the
/// runner: Docker then restarts each process on its own (a crashed worker does not take the web server down, and no
/// process supervisor is needed in the image), its state is visible per process (the health and the reconciler look
/// at each), and memory and CPU are limited per role (a runaway report job cannot starve the web server) — as
/// frappe_docker runs them (docs/frappe.md §4). Locked down like the runner. Host networking: they reach PostgreSQL
/// on the host's loopback, and they listen on nothing.
/// </summary>
public static class BackgroundContainer
{
    public static string Name(Site site, string role) => $"fcs-press-site-{site.Name}-{role}";

    public static IEnumerable<string> Names(Site site) => BackgroundProcesses.All.Select(p => Name(site, p.Role));

    public sealed record Limits(string Image, int MemoryMb, double Cpus, int PidsLimit);

    public static CreateContainerParameters Build(Site site, BackgroundProcess process, Limits limits, DockerRuntimeOptions options) => new()
    {
        Name = Name(site, process.Role),
        Image = limits.Image,
        Cmd = process.Command.Argv.ToList(),
        WorkingDir = options.BenchFolder,
        User = options.BenchUser,
        Env = process.EnvironmentFor(RunnerContainer.RedisSocket(options)).Select(e => $"{e.Key}={e.Value}").ToList(),
        Labels = new Dictionary<string, string>
        {
            [RunnerContainer.ManagedLabel] = "true",
            [RunnerContainer.SiteLabel] = site.Name,
            [RunnerContainer.SiteIdLabel] = site.Id.ToString(),
            [RedisContainer.RoleLabel] = process.Role,
        },
        HostConfig = new HostConfig
        {
            NetworkMode = options.NetworkMode,
            RestartPolicy = new RestartPolicy { Name = RestartPolicyKind.UnlessStopped },
            Memory = limits.MemoryMb * 1024L * 1024L,
            NanoCPUs = (long)(limits.Cpus * 1_000_000_000),
            PidsLimit = limits.PidsLimit,
            CapDrop = ["ALL"],
            SecurityOpt = ["no-new-privileges"],
            ReadonlyRootfs = options.ReadOnlyRootFilesystem,
            Tmpfs = options.ReadOnlyRootFilesystem ? RunnerContainer.Tmpfs(options) : null,
            Mounts =
            [
                new Mount { Type = "volume", Source = RunnerContainer.Volume(site), Target = RunnerContainer.SiteFolder(options, site) },
                new Mount { Type = "volume", Source = RedisContainer.Volume(site), Target = options.RedisSocketFolder, ReadOnly = true },
            ],
            LogConfig = new LogConfig { Type = "json-file", Config = new Dictionary<string, string> { ["max-size"] = "10m", ["max-file"] = "3" } },
        },
    };
}
