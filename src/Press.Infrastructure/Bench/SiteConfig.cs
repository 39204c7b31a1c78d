using System.Text.Json;
using System.Text.Json.Nodes;
using Press.Core.Sites;

namespace Press.Infrastructure.Bench;

/// <summary>
/// site_config.json: written before <c>bench new-site</c> (Frappe writes it only when absent) and on every start,
/// <b>merged</b> key by key, never replaced — Frappe writes <c>encryption_key</c> into it on first use
/// (frappe/utils/password.py) and operators add keys with set-config (docs/frappe.md §7). Press owns exactly
/// <see cref="PressKeys"/>: the database keys of docs/frappe.md §1, the site's own Redis — <c>redis_cache</c>
/// (database 0), <c>redis_queue</c> and <c>redis_socketio</c> (database 1) on the unix socket of a Redis that serves this site only, which
/// Frappe opens with redis-py's <c>from_url</c> (frappe/utils/redis_wrapper.py <c>setup_cache</c>,
/// frappe/utils/redis_queue.py <c>RedisQueue.get_connection</c>) — and <c>host_name</c>, the URL Press serves the
/// site at (Frappe builds links from it instead of from the request). Site keys win over common_site_config.json,
/// so no bench-wide Redis reaches the site. Every other key is the site's own.
/// </summary>
public static class SiteConfig
{
    /// <summary>
    /// The keys Press sets and owns: written on every start, never kept in Press's sealed copy of the site's own
    /// config or in a backup's config part (they are rebuilt for the site they are written for; db_password is a
    /// secret Press keeps elsewhere). The one list to extend when Press starts owning another key.
    /// </summary>
    public static readonly IReadOnlyList<string> PressKeys =
        ["db_type", "db_host", "db_port", "db_name", "db_user", "db_password", "db_schema", "redis_cache", "redis_queue", "redis_socketio", "host_name"];

    /// <summary>The key every Password field depends on (frappe/utils/password.py <c>get_encryption_key</c>).</summary>
    public const string EncryptionKey = "encryption_key";

    /// <param name="databaseHost">Postgres as the runner reaches it (host networking: Press's own view).</param>
    /// <param name="redisSocket">The site's own Redis socket, as the runner sees it.</param>
    /// <param name="siteUrl">Where Press serves the site (https://name behind Traefik with TLS).</param>
    public static JsonObject Build(Site site, string databasePassword, string databaseHost, int databasePort, string redisSocket, string siteUrl)
    {
        var config = new JsonObject
        {
            ["db_type"] = "postgres",
            ["db_host"] = databaseHost,
            ["db_port"] = databasePort,
            ["db_name"] = site.Location.Database,
            ["db_user"] = site.RoleName,
            ["db_password"] = databasePassword,
            ["db_schema"] = site.Location.Schema,
        };
        foreach (var (key, value) in RedisKeys(redisSocket)) config[key] = value;
        config["host_name"] = siteUrl;
        return config;
    }

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

    /// <summary>
    /// The file Press writes: the site's own keys — those of the file on disk when there is one, else Press's sealed
    /// copy (a new site from a backup, a lost volume), and the copy's <c>encryption_key</c> when the file lost it —
    /// with Press's keys set on top.
    /// </summary>
    /// <param name="onDisk">The current site_config.json, null when there is none.</param>
    /// <param name="kept">The site's own config as Press keeps it (sealed in its metadata), null when none is kept.</param>
    public static JsonObject Merge(JsonObject press, JsonObject? onDisk, JsonObject? kept)
    {
        var merged = OwnKeys(onDisk ?? kept ?? []);
        if (onDisk is not null && !merged.ContainsKey(EncryptionKey) && kept?[EncryptionKey] is { } key)
            merged[EncryptionKey] = key.DeepClone();
        foreach (var (name, value) in press) merged[name] = value?.DeepClone();
        return merged;
    }

    /// <summary>What a write kept, for the step's output: key names only, never values.</summary>
    public static string DescribeWrite(JsonObject merged, JsonObject? onDisk, JsonObject? kept)
    {
        var own = merged.Where(p => !PressKeys.Contains(p.Key)).Select(p => p.Key).ToList();
        var source = onDisk is not null ? "kept from the file" : kept is not null ? "restored from Press's sealed copy" : "none yet";
        return $"Press's {PressKeys.Count} keys set; the site's own keys {source}" + (own.Count == 0 ? "" : $" ({string.Join(", ", own)})");
    }

    /// <summary>The site's own keys: everything but <see cref="PressKeys"/>, in the file's order.</summary>
    public static JsonObject OwnKeys(JsonObject config) =>
        new(config.Where(p => !PressKeys.Contains(p.Key)).Select(p => KeyValuePair.Create(p.Key, p.Value?.DeepClone())));

    /// <summary>site_config.json's text as a JSON object; anything else is a failure the operator must fix by hand.</summary>
    public static JsonObject Parse(string json, string where) =>
        JsonNode.Parse(json) as JsonObject ?? throw new InvalidDataException($"{where} does not hold a JSON object");

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
