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
/// Site keys win over common_site_config.json, so no bench-wide Redis reaches the site. <c>redis_socketio</c> is not
/// read by v16 (its socket.io subscribes on <c>redis_queue</c>, read from common_site_config.json or
/// FRAPPE_REDIS_QUEUE), so it is not written.
/// </summary>
public static class SiteConfig
{
    /// <param name="databaseHost">Postgres as the runner reaches it (host networking: Press's own view).</param>
    /// <param name="redisSocket">The site's own Redis socket, as the runner sees it.</param>
    public static JsonObject Build(Site site, string databasePassword, string databaseHost, int databasePort, string redisSocket) => new()
    {
        ["db_type"] = "postgres",
        ["db_host"] = databaseHost,
        ["db_port"] = databasePort,
        ["db_name"] = site.Location.Database,
        ["db_user"] = site.RoleName,
        ["db_password"] = databasePassword,
        ["db_schema"] = site.Location.Schema,
        ["redis_cache"] = RedisUrl(redisSocket, 0),
        ["redis_queue"] = RedisUrl(redisSocket, 1),
    };

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
