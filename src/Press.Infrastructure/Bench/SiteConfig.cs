using System.Text.Json;
using System.Text.Json.Nodes;
using Press.Core.Sites;

namespace Press.Infrastructure.Bench;

/// <summary>
/// site_config.json, written before <c>bench new-site</c> (Frappe writes it only when absent). Exactly the database
/// keys of docs/frappe.md §1 plus the site's own Redis: <c>redis_cache</c> (database 0) and <c>redis_queue</c> (database 1)
/// on the unix socket of a Redis that serves this site only. Frappe's Python side opens both with redis-py's
/// <c>from_url</c> (frappe/utils/redis_wrapper.py <c>setup_cache</c>, frappe/utils/redis_queue.py
/// <c>RedisQueue.get_connection</c>), which takes <c>unix://PATH?db=N</c>; RQ uses the connection Frappe gives it.
/// Site keys win over common_site_config.json, so no bench-wide Redis reaches the site. Without them Frappe falls back
/// to 127.0.0.1:11311 (docs/frappe.md §7).
/// </summary>
public static class SiteConfig
{
    /// <param name="databaseHost">Postgres as the runner reaches it (host networking: Press's own view).</param>
    /// <param name="redisSocket">The site's own Redis socket, as the runner sees it.</param>
    public static JsonObject Build(Site site, string databasePassword, string databaseHost, int databasePort, string redisSocket) => new JsonObject
    {
        ["db_type"] = "postgres",
        ["db_host"] = databaseHost,
        ["db_port"] = databasePort,
        ["db_name"] = site.Location.Database,
        ["db_user"] = site.RoleName,
        ["db_password"] = databasePassword,
        ["db_schema"] = site.Location.Schema,
    }.WithRedisKeys(redisSocket);

    /// <summary>
    /// The Redis keys Press sets (kept apart from the database keys so that a merging writer can take them as they are).
    /// <c>redis_socketio</c> names the same queue database: v16's socket.io subscribes on <c>redis_queue</c>
    /// (frappe/node_utils.js), but frappe_docker's configurator still writes <c>redis_socketio</c> and older code reads
    /// it; left unset it would default to the shared 127.0.0.1:11311 (docs/frappe.md §7).
    /// </summary>
    public static IReadOnlyList<KeyValuePair<string, string>> RedisKeys(string redisSocket) =>
    [
        new("redis_cache", RedisUrl(redisSocket, 0)),
        new("redis_queue", RedisUrl(redisSocket, 1)),
        new("redis_socketio", RedisUrl(redisSocket, 1)),
    ];

    private static JsonObject WithRedisKeys(this JsonObject config, string redisSocket)
    {
        foreach (var (key, value) in RedisKeys(redisSocket)) config[key] = value;
        return config;
    }

    /// <summary>redis-py's unix-socket form; the path must be absolute and short (107 bytes at most).</summary>
    public static string RedisUrl(string socket, int database)
    {
        if (!socket.StartsWith('/') || socket.Length > 107)
            throw new ArgumentException($"a Redis socket path must be absolute and at most 107 bytes: {socket}", nameof(socket));
        return $"unix://{socket}?db={database}";
    }

    public static string Serialize(JsonObject config) =>
        config.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";
}
