using Docker.DotNet.Models;
using Press.Core.Sites;
using Press.Infrastructure.Bench;

namespace Press.Infrastructure.Runtime.Docker;

/// <summary>
/// A site's runner container as data (house style: manifests are pure functions, asserted exactly in tests): name,
/// labels, limits, restart policy, health check, the site's own volume, its own Redis's socket (read-only), host
/// networking on its loopback port — and locked down: a PID limit, no capabilities (Frappe runs as an unprivileged
/// user and needs none), no privilege gain through setuid files, and a read-only root file system where Frappe writes
/// only to its site folder (a volume), /tmp and the bench's logs/ (tmpfs, lost on restart; `docker logs` keeps stdout).
/// </summary>
public static class RunnerContainer
{
    public const string ManagedLabel = "press.managed";
    public const string SiteLabel = "press.site";
    public const string SiteIdLabel = "press.site-id";
    public const string PortLabel = "press.port";

    /// <summary>
    /// Named after the site's runtime key (<see cref="Site.RuntimeKey"/>): its name, or for a claimed standby the opaque
    /// name it was made under (docs/architecture.md §17). Site names are DNS names, already valid in container and
    /// volume names.
    /// </summary>
    public static string Name(Site site) => $"fcs-press-site-{site.RuntimeKey}";

    /// <summary>The site's files: the volume's root is the Frappe site folder, mounted at <see cref="SiteFolder"/>.</summary>
    public static string Volume(Site site) => $"fcs-press-site-{site.RuntimeKey}";

    /// <summary>Where the runner mounts the site's volume: the folder of the site's current name, which is how Frappe finds
    /// the site (docs/frappe.md §9). A claim renames the folder by mounting the same volume here under the new name.</summary>
    public static string SiteFolder(DockerRuntimeOptions options, Site site) => $"{options.BenchFolder}/sites/{site.Name}";

    /// <summary>Whether an existing container of the site was made for the site's current name (its label; the runner's
    /// mount and health check follow the name). One made for another name — the standby a claim renamed — is replaced.</summary>
    public static bool MadeFor(ContainerInspectResponse container, Site site) =>
        container.Config?.Labels is { } labels && labels.TryGetValue(SiteLabel, out var named) && named == site.Name;

    public sealed record Limits(string Image, int MemoryMb, double Cpus, int PidsLimit = DockerRuntimeOptions.DefaultPidsLimit);

    /// <summary>Where the runner finds its own Redis's socket (the sidecar's volume, mounted read-only).</summary>
    public static string RedisSocket(DockerRuntimeOptions options) => $"{options.RedisSocketFolder}/{RedisContainer.SocketName}";

    /// <summary>Whether an existing runner mounts the site's own Redis (runners made before it did must be replaced).</summary>
    public static bool MountsOwnRedis(ContainerInspectResponse runner, Site site, DockerRuntimeOptions options) =>
        runner.Mounts?.Any(m => m.Name == RedisContainer.Volume(site) && m.Destination == options.RedisSocketFolder) == true;

    /// <summary>Writable scratch space on a read-only root: Frappe's temporary files and the bench's own logs/.</summary>
    public static Dictionary<string, string> Tmpfs(DockerRuntimeOptions options) => new()
    {
        ["/tmp"] = "rw,nosuid,nodev,size=256m",
        [$"{options.BenchFolder}/logs"] = $"rw,nosuid,nodev,noexec,size=64m,uid={options.BenchUid},gid={options.BenchUid},mode=0755",
    };

    public static CreateContainerParameters Build(Site site, int port, Limits limits, DockerRuntimeOptions options) => new()
    {
        Name = Name(site),
        Image = limits.Image,
        Cmd = BenchCommands.Gunicorn(port).ToList(),
        WorkingDir = options.BenchFolder,
        User = options.BenchUser,
        Labels = new Dictionary<string, string>
        {
            [ManagedLabel] = "true",
            [SiteLabel] = site.Name,
            [SiteIdLabel] = site.Id.ToString(),
            [PortLabel] = port.ToString(),
        },
        Healthcheck = new HealthcheckConfig
        {
            Test = ["CMD", "curl", "-fsS", "-o", "/dev/null", "-H", $"Host: {site.Name}", $"http://127.0.0.1:{port}/api/method/ping"],
            Interval = TimeSpan.FromSeconds(10),
            Timeout = TimeSpan.FromSeconds(5),
            Retries = 3,
            StartPeriod = TimeSpan.FromSeconds(60), // a fresh install may take a minute before its first pong
        },
        HostConfig = LockedDown(limits, options,
        [
            new Mount { Type = "volume", Source = Volume(site), Target = SiteFolder(options, site) },
            new Mount { Type = "volume", Source = RedisContainer.Volume(site), Target = options.RedisSocketFolder, ReadOnly = true },
        ]),
    };

    /// <summary>
    /// The host side of every container that runs the site's code (its runner and its background processes): one home
    /// for the lock-down — its limits, no capabilities, no new privileges, a read-only root with scratch tmpfs — and
    /// the log rotation, so a new kind of container cannot come without it.
    /// </summary>
    public static HostConfig LockedDown(Limits limits, DockerRuntimeOptions options, IList<Mount> mounts) => new()
    {
        NetworkMode = options.NetworkMode,
        RestartPolicy = new RestartPolicy { Name = RestartPolicyKind.UnlessStopped },
        Memory = limits.MemoryMb * 1024L * 1024L,
        NanoCPUs = (long)(limits.Cpus * 1_000_000_000),
        PidsLimit = limits.PidsLimit,
        CapDrop = ["ALL"],
        SecurityOpt = ["no-new-privileges"],
        ReadonlyRootfs = options.ReadOnlyRootFilesystem,
        Tmpfs = options.ReadOnlyRootFilesystem ? Tmpfs(options) : null,
        Mounts = mounts,
        LogConfig = new LogConfig { Type = "json-file", Config = new Dictionary<string, string> { ["max-size"] = "10m", ["max-file"] = "3" } },
    };
}
