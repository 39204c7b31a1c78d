using Docker.DotNet.Models;
using Press.Core.Sites;
using Press.Infrastructure.Runtime.Background;

namespace Press.Infrastructure.Runtime.Docker;

/// <summary>
/// A site's background process (<see cref="BackgroundProcesses"/>: a worker, the scheduler or socket.io) as its own container
/// beside the runner, from the runner's image, on the site's volumes. Why sidecars and not more processes inside the
/// runner: Docker then restarts each process on its own (a crashed worker does not take the web server down, and no
/// process supervisor is needed in the image), its state is visible per process (the health and the reconciler look
/// at each), and memory and CPU are limited per role (a runaway report job cannot starve the web server) — as
/// frappe_docker runs them (docs/frappe.md §4). Locked down like the runner. Host networking: workers reach PostgreSQL
/// on the host's loopback and socket.io reaches the site's web server for its sign-in check (frappe/realtime); none
/// listens on TCP — socket.io listens on a unix socket in its own small volume, where the ingress connects.
/// </summary>
public static class BackgroundContainer
{
    /// <summary>Named after the site's runtime key, as its runner (<see cref="RunnerContainer.Name"/>).</summary>
    public static string Name(Site site, string role) => $"fcs-press-site-{site.RuntimeKey}-{role}";

    public static IEnumerable<string> Names(Site site) => BackgroundProcesses.All.Select(p => Name(site, p.Role));

    /// <summary>socket.io's volume: named by a short hash of the site name, so its folder on the host stays well inside a
    /// unix socket path's 107 bytes (<see cref="BackgroundProcesses.SocketIoKey"/>). The site's name, not its runtime key:
    /// the ingress finds the socket by the host it serves, and the volume holds nothing but the socket, made anew at each
    /// start — a claim removes the standby's and the first start under the new name makes the site's.</summary>
    public static string SocketIoVolume(string siteName) => $"fcs-press-io-{BackgroundProcesses.SocketIoKey(siteName)}";

    public const string SocketIoFolder = "/run/press-socketio";
    public const string SocketIoSocketName = "socketio.sock";

    /// <summary>
    /// A short-lived helper that hands socket.io's new volume to the bench user (Docker creates it root's; socket.io
    /// runs as the bench user and must create its socket there). Its root file system is writable, unlike
    /// socket.io's own container, so the engine can extract the folder's owner onto the volume. No network.
    /// </summary>
    public static CreateContainerParameters SocketIoVolumeHelper(Site site, string image) => new()
    {
        Name = $"fcs-press-io-helper-{BackgroundProcesses.SocketIoKey(site.Name)}",
        Image = image,
        Entrypoint = ["sleep", "infinity"],
        Labels = new Dictionary<string, string> { [ContainerSiteFiles.HelperLabel] = site.Name },
        HostConfig = new HostConfig
        {
            NetworkMode = "none",
            Mounts = [new Mount { Type = "volume", Source = SocketIoVolume(site.Name), Target = SocketIoFolder }],
        },
    };

    private static List<Mount> Mounts(Site site, BackgroundProcess process, DockerRuntimeOptions options) => process.Kind == BackgroundKind.SocketIo
        ?
        [
            new Mount { Type = "volume", Source = RedisContainer.Volume(site), Target = options.RedisSocketFolder, ReadOnly = true },
            new Mount { Type = "volume", Source = SocketIoVolume(site.Name), Target = SocketIoFolder },
        ]
        :
        [
            new Mount { Type = "volume", Source = RunnerContainer.Volume(site), Target = RunnerContainer.SiteFolder(options, site) },
            new Mount { Type = "volume", Source = RedisContainer.Volume(site), Target = options.RedisSocketFolder, ReadOnly = true },
        ];

    public static CreateContainerParameters Build(Site site, BackgroundProcess process, RunnerContainer.Limits limits, DockerRuntimeOptions options) => new()
    {
        Name = Name(site, process.Role),
        Image = limits.Image,
        Cmd = process.Command.Argv.ToList(),
        WorkingDir = options.BenchFolder,
        User = options.BenchUser,
        Env = process.EnvironmentFor(RunnerContainer.RedisSocket(options), $"{SocketIoFolder}/{SocketIoSocketName}")
            .Select(e => $"{e.Key}={e.Value}").ToList(),
        Labels = new Dictionary<string, string>
        {
            [RunnerContainer.ManagedLabel] = "true",
            [RunnerContainer.SiteLabel] = site.Name,
            [RunnerContainer.SiteIdLabel] = site.Id.ToString(),
            [RedisContainer.RoleLabel] = process.Role,
        },
        HostConfig = WithInit(RunnerContainer.LockedDown(limits, options, Mounts(site, process, options))),
    };

    /// <summary>
    /// Docker's init as PID 1: it passes the stop signal on. A process that is PID 1 itself gets no signal it has no
    /// handler for, so a worker without one would wait out the stop timeout and be killed mid-job.
    /// </summary>
    private static HostConfig WithInit(HostConfig host)
    {
        host.Init = true;
        return host;
    }
}
