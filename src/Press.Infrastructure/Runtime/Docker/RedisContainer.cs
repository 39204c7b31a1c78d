using Docker.DotNet.Models;
using Press.Core.Sites;

namespace Press.Infrastructure.Runtime.Docker;

/// <summary>
/// A site's own Redis (cache and queue) as data: a sidecar container beside the runner. Why one Redis per site:
/// Frappe prefixes cache keys with db_name, which every site shares, and RQ's keys are global, so no key pattern or
/// ACL on a shared Redis can separate sites — and Redis cannot restrict SELECT of database numbers. The sidecar has
/// no network at all (its own empty network namespace: nothing on the host reaches it over TCP) and listens on a unix
/// socket in its own volume, which only this site's containers mount. One instance, two databases (0 cache, 1 queue):
/// a second instance per site would double the processes on a host of 1,100 sites; queue jobs must never be evicted,
/// so the policy is noeviction under a per-site memory cap (a full Redis errors for its own site only); the
/// append-only file keeps queued jobs across restarts.
/// </summary>
public static class RedisContainer
{
    public const string RoleLabel = "press.role";
    public const string DataFolder = "/data";
    public const string SocketName = "redis.sock";
    public const int CacheDatabase = 0;
    public const int QueueDatabase = 1;

    /// <summary>Named after the site's runtime key, as its runner (<see cref="RunnerContainer.Name"/>).</summary>
    public static string Name(Site site) => $"fcs-press-site-{site.RuntimeKey}-redis";

    public static string Volume(Site site) => $"fcs-press-site-{site.RuntimeKey}-redis";

    public sealed record Limits(string Image, int MemoryMb, int PidsLimit);

    /// <summary>
    /// redis-server's own arguments (no secret among them). TCP stays on 127.0.0.1:6379 of the sidecar's private
    /// network namespace: the next runner processes whose client cannot use a unix socket (node's redis client, for
    /// socket.io) join that namespace; nothing else can reach it.
    /// </summary>
    public static IReadOnlyList<string> ServerArgs(int memoryMb) =>
    [
        "redis-server", "--bind", "127.0.0.1", "--port", "6379", "--protected-mode", "yes",
        "--unixsocket", $"{DataFolder}/{SocketName}", "--unixsocketperm", "777",
        "--dir", DataFolder, "--databases", "2",
        "--appendonly", "yes", "--appendfsync", "everysec", "--save", "",
        "--maxmemory", $"{memoryMb}mb", "--maxmemory-policy", "noeviction",
    ];

    public static CreateContainerParameters Build(Site site, Limits limits, DockerRuntimeOptions options) => new()
    {
        Name = Name(site),
        Image = limits.Image,
        Entrypoint = ServerArgs(limits.MemoryMb).ToList(),
        User = options.RedisUser,
        Labels = new Dictionary<string, string>
        {
            [RunnerContainer.ManagedLabel] = "true",
            [RunnerContainer.SiteLabel] = site.Name,
            [RunnerContainer.SiteIdLabel] = site.Id.ToString(),
            [RoleLabel] = "redis",
        },
        HostConfig = new HostConfig
        {
            NetworkMode = "none",
            RestartPolicy = new RestartPolicy { Name = RestartPolicyKind.UnlessStopped },
            // An append-only rewrite forks: the child may touch as much memory again.
            Memory = 2L * limits.MemoryMb * 1024 * 1024,
            PidsLimit = limits.PidsLimit,
            CapDrop = ["ALL"],
            SecurityOpt = ["no-new-privileges"],
            ReadonlyRootfs = true,
            Mounts = [new Mount { Type = "volume", Source = Volume(site), Target = DataFolder }],
            LogConfig = new LogConfig { Type = "json-file", Config = new Dictionary<string, string> { ["max-size"] = "10m", ["max-file"] = "3" } },
        },
    };
}
