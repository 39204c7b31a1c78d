using Press.Infrastructure.Bench;

namespace Press.Infrastructure.Runtime.Background;

public enum BackgroundKind { Worker, Scheduler, SocketIo }

/// <summary>One of a site's background processes: its role (part of container and file names) and its command.</summary>
/// <param name="Kind">A worker takes its queue from the environment (<see cref="BackgroundProcesses.Environment"/>); the
/// scheduler enqueues under each site's own config (frappe/utils/scheduler.py initialises the site first), so it needs
/// none; socket.io is node, configured only by common_site_config.json and the environment (frappe/node_utils.js).</param>
public sealed record BackgroundProcess(string Role, BenchCommand Command, BackgroundKind Kind)
{
    /// <param name="socketIoSocket">Where socket.io listens (a unix socket: it binds no TCP port).</param>
    public IReadOnlyDictionary<string, string> EnvironmentFor(string redisSocket, string socketIoSocket) => Kind switch
    {
        BackgroundKind.Worker => BackgroundProcesses.Environment(redisSocket),
        BackgroundKind.SocketIo => BackgroundProcesses.SocketIoEnvironment(redisSocket, socketIoSocket),
        _ => new Dictionary<string, string>(),
    };
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
    public const string SocketIo = "socketio";

    /// <summary>frappe_docker's websocket service: <c>node apps/frappe/socketio.js</c>, run from the bench folder.</summary>
    public const string SocketIoScript = "apps/frappe/socketio.js";

    public static IReadOnlyList<BackgroundProcess> All { get; } =
    [
        new(ShortWorker, BenchCommands.Worker("short", "default"), BackgroundKind.Worker),
        new(LongWorker, BenchCommands.Worker("long"), BackgroundKind.Worker),
        new(Scheduler, BenchCommands.Schedule(), BackgroundKind.Scheduler),
        new(SocketIo, new BenchCommand("node", SocketIoScript), BackgroundKind.SocketIo),
    ];

    /// <summary>
    /// socket.io's configuration (frappe/node_utils.js <c>get_conf</c>, frappe/realtime/index.js): it listens on the unix
    /// socket FRAPPE_SOCKETIO_UDS instead of a TCP port (Frappe's <c>server.listen(port)</c> would bind every interface,
    /// and the port budget has one port per site, the runner's), and subscribes to Frappe's <c>events</c> channel on
    /// FRAPPE_REDIS_QUEUE. Node's client takes <c>unix://PATH</c> there (get_redis_subscriber strips the scheme, so the
    /// URL carries no <c>?db=</c>: it would become part of the path); pub/sub channels are not per database, so the
    /// Python side's publishes on the queue database (1) reach it.
    /// </summary>
    public static IReadOnlyDictionary<string, string> SocketIoEnvironment(string redisSocket, string socketIoSocket) => new Dictionary<string, string>
    {
        ["FRAPPE_REDIS_QUEUE"] = $"unix://{redisSocket}",
        ["FRAPPE_SOCKETIO_UDS"] = socketIoSocket,
    };

    /// <summary>A short, fixed-length name per site for socket.io's socket: unix socket paths hold 107 bytes at most, and
    /// the site's name may be long.</summary>
    public static string SocketIoKey(string siteName) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(siteName)))[..16];

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
