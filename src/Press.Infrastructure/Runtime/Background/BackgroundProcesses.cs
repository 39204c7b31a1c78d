using Press.Infrastructure.Bench;

namespace Press.Infrastructure.Runtime.Background;

/// <summary>One of a site's background processes: its role (part of container and file names) and its command.</summary>
/// <param name="Worker">A worker takes its queue from the environment (<see cref="BackgroundProcesses.Environment"/>); the
/// scheduler enqueues under each site's own config (frappe/utils/scheduler.py initialises the site first), so it needs none.</param>
public sealed record BackgroundProcess(string Role, BenchCommand Command, bool Worker)
{
    public IReadOnlyDictionary<string, string> EnvironmentFor(string redisSocket) =>
        Worker ? BackgroundProcesses.Environment(redisSocket) : new Dictionary<string, string>();
}

/// <summary>
/// The processes every served site runs beside its web server (docs/frappe.md §7, frappe_docker's compose.yaml):
/// a worker of the short and default queues, a worker of the long queue, and the scheduler. Each serves this site
/// only: it reaches the site's own Redis, so it never sees another site's jobs.
/// </summary>
public static class BackgroundProcesses
{
    public const string ShortWorker = "worker-short";
    public const string LongWorker = "worker-long";
    public const string Scheduler = "schedule";

    public static IReadOnlyList<BackgroundProcess> All { get; } =
    [
        new(ShortWorker, BenchCommands.Worker("short", "default"), Worker: true),
        new(LongWorker, BenchCommands.Worker("long"), Worker: true),
        new(Scheduler, BenchCommands.Schedule(), Worker: false),
    ];

    /// <summary>
    /// What a worker or the scheduler needs in its environment: the site's own Redis. They run without a site
    /// (<c>bench worker</c> reads common_site_config.json only), and Frappe lets FRAPPE_REDIS_QUEUE and
    /// FRAPPE_REDIS_CACHE override it (frappe/config.py) — so the site's URLs go there, never a bench-wide Redis.
    /// </summary>
    public static IReadOnlyDictionary<string, string> Environment(string redisSocket) => new Dictionary<string, string>
    {
        ["FRAPPE_REDIS_CACHE"] = SiteConfig.RedisUrl(redisSocket, 0),
        ["FRAPPE_REDIS_QUEUE"] = SiteConfig.RedisUrl(redisSocket, 1),
    };
}
