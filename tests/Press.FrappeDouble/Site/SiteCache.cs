using System.Net.Sockets;
using Press.FrappeDouble.Cli;
using StackExchange.Redis;

namespace Press.FrappeDouble.Site;

/// <summary>
/// The site's Redis, as Frappe reaches it. The URL comes from site_config (<c>redis_cache</c>, <c>redis_queue</c>) and is
/// opened the way redis-py's <c>from_url</c> opens it (frappe/utils/redis_wrapper.py <c>setup_cache</c>,
/// frappe/utils/redis_queue.py <c>RedisQueue.get_connection</c>): <c>redis://[[user]:password@]host:port[/db]</c>, or
/// <c>unix://[[user]:password@]/path/to/socket[?db=N]</c>. Cache keys are prefixed with <c>db_name|</c>
/// (<c>RedisWrapper.make_key</c>): with one shared database every site has the same prefix, so only the Redis
/// instance (or database) keeps sites apart — which is what the tests of Press's isolation look at.
/// Stricter than Frappe: Frappe ignores a cache it cannot reach; the double fails, so a wrong URL is caught.
/// </summary>
public static class SiteCache
{
    public static string Key(SiteConfig config, string key) => $"{config.String("db_name")}|{key}";

    public static async Task SetAsync(SiteConfig config, string key, string value)
    {
        var url = config.String("redis_cache") ?? throw new BenchException("site_config has no redis_cache.");
        await WithAsync(url, "redis_cache", db => db.StringSetAsync(Key(config, key), value));
    }

    /// <summary>Runs one operation on the Redis a site_config URL names; a failure is a bench error naming the key.</summary>
    public static async Task WithAsync(string url, string configKey, Func<IDatabase, Task> action)
    {
        var options = Parse(url);
        try
        {
            await using var redis = await ConnectionMultiplexer.ConnectAsync(options);
            await action(redis.GetDatabase());
        }
        catch (Exception e) when (e is RedisException or RedisCommandException)
        {
            // RedisCommandException: e.g. a database index beyond the server's `databases` setting.
            throw new BenchException($"Cannot reach the Redis of {configKey} {url}: {e.Message}");
        }
    }

    public static ConfigurationOptions Parse(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("redis" or "unix"))
            throw new BenchException($"a Redis URL must look like redis://host:port/db or unix:///path?db=N, got: {url}");
        var options = new ConfigurationOptions
        {
            AbortOnConnectFail = true,
            ConnectTimeout = 5000,
            SyncTimeout = 5000,
            ClientName = "frappe-test-double",
        };
        if (uri.Scheme == "unix")
        {
            // redis-py: the path is the socket, the database comes from ?db= (default 0).
            if (uri.AbsolutePath.Length <= 1) throw new BenchException($"a unix:// Redis URL needs the socket's path: {url}");
            options.EndPoints.Add(new UnixDomainSocketEndPoint(Uri.UnescapeDataString(uri.AbsolutePath)));
            options.DefaultDatabase = QueryDatabase(uri, url) ?? 0;
        }
        else
        {
            if (uri.Host.Length == 0) throw new BenchException($"a redis:// URL needs a host: {url}");
            options.EndPoints.Add(uri.Host, uri.IsDefaultPort ? 6379 : uri.Port);
            var path = uri.AbsolutePath.Trim('/');
            options.DefaultDatabase = path.Length > 0
                ? int.TryParse(path, out var db) ? db : throw new BenchException($"Redis database index is not a number: {url}")
                : QueryDatabase(uri, url) ?? 0;
        }
        if (uri.UserInfo.Length > 0)
        {
            // As redis-py's from_url: "user:password", ":password", or just "user".
            var parts = uri.UserInfo.Split(':', 2);
            if (parts[0].Length > 0) options.User = Uri.UnescapeDataString(parts[0]);
            if (parts.Length == 2) options.Password = Uri.UnescapeDataString(parts[1]);
        }
        return options;
    }

    private static int? QueryDatabase(Uri uri, string url)
    {
        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var kv = pair.Split('=', 2);
            if (kv[0] != "db") continue;
            return kv.Length == 2 && int.TryParse(kv[1], out var db) ? db : throw new BenchException($"Redis database index is not a number: {url}");
        }
        return null;
    }
}
