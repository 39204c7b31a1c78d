using System.Text.Json;
using System.Text.Json.Nodes;
using Press.Core.Runtime;
using Press.Core.Sites;

namespace Press.Infrastructure.Bench;

/// <summary>
/// site_config.json, written before <c>bench new-site</c> (Frappe writes it only when absent). Exactly the database
/// keys of docs/frappe.md §1 plus the site's own Redis cache database, so no two sites share cache keys.
/// </summary>
public static class SiteConfig
{
    /// <param name="databaseHost">Postgres as the runner reaches it (host networking: Press's own view).</param>
    /// <param name="redisHost">Redis as the runner reaches it.</param>
    public static JsonObject Build(Site site, string databasePassword, string databaseHost, int databasePort, string redisHost, int redisPort)
    {
        var port = site.RunnerPort ?? throw new InvalidOperationException($"site {site.Name} has no runner port yet");
        return new JsonObject
        {
            ["db_type"] = "postgres",
            ["db_host"] = databaseHost,
            ["db_port"] = databasePort,
            ["db_name"] = site.Location.Database,
            ["db_user"] = site.RoleName,
            ["db_password"] = databasePassword,
            ["db_schema"] = site.Location.Schema,
            ["redis_cache"] = $"redis://{(redisHost.Contains(':') ? $"[{redisHost}]" : redisHost)}:{redisPort}/{RunnerPorts.RedisDatabaseFor(port)}",
        };
    }

    public static string Serialize(JsonObject config) =>
        config.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";
}
