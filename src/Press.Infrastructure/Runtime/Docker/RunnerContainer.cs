using Docker.DotNet.Models;
using Press.Core.Sites;
using Press.Infrastructure.Bench;

namespace Press.Infrastructure.Runtime.Docker;

/// <summary>
/// A site's runner container as data (house style: manifests are pure functions, asserted exactly in tests): name,
/// labels, limits, restart policy, health check, the site's own volume, host networking on its loopback port.
/// </summary>
public static class RunnerContainer
{
    public const string ManagedLabel = "press.managed";
    public const string SiteLabel = "press.site";
    public const string SiteIdLabel = "press.site-id";
    public const string PortLabel = "press.port";

    /// <summary>Site names are DNS names, already valid in container and volume names.</summary>
    public static string Name(Site site) => $"fcs-press-site-{site.Name}";

    public static string Volume(Site site) => $"fcs-press-site-{site.Name}";

    public static string SiteFolder(DockerRuntimeOptions options, Site site) => $"{options.BenchFolder}/sites/{site.Name}";

    public sealed record Limits(string Image, int MemoryMb, double Cpus);

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
        HostConfig = new HostConfig
        {
            NetworkMode = options.NetworkMode,
            RestartPolicy = new RestartPolicy { Name = RestartPolicyKind.UnlessStopped },
            Memory = limits.MemoryMb * 1024L * 1024L,
            NanoCPUs = (long)(limits.Cpus * 1_000_000_000),
            Mounts =
            [
                new Mount { Type = "volume", Source = Volume(site), Target = SiteFolder(options, site) },
            ],
            LogConfig = new LogConfig { Type = "json-file", Config = new Dictionary<string, string> { ["max-size"] = "10m", ["max-file"] = "3" } },
        },
    };
}
