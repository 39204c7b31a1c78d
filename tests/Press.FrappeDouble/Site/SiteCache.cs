using Press.FrappeDouble.Cli;
using StackExchange.Redis;

namespace Press.FrappeDouble.Site;

/// <summary>
/// The site's Redis cache, as <c>frappe/utils/redis_wrapper.py</c> addresses it: the server and logical database
/// from site_config <c>redis_cache</c> (<c>redis://[:password@]host:port[/db]</c>), every key prefixed with
/// <c>db_name|</c>. With one shared database every site has the same prefix, so only the database index (or
/// instance) keeps sites apart — which is what the tests of Press's cache isolation look at.
/// Stricter than Frappe: Frappe ignores a Redis it cannot reach; the double fails, so a wrong URL is caught.
/// </summary>
public static class SiteCache
{
    public static string Key(SiteConfig config, string key) => $"{config.String("db_name")}|{key}";

    public static async Task SetAsync(SiteConfig config, string key, string value)
    {
        var url = config.String("redis_cache") ?? throw new BenchException("site_config has no redis_cache.");
        var options = Parse(url);
        try
        {
            await using var redis = await ConnectionMultiplexer.ConnectAsync(options);
            await redis.GetDatabase().StringSetAsync(Key(config, key), value);
        }
        catch (Exception e) when (e is RedisException or RedisCommandException)
        {
            // RedisCommandException: e.g. a database index beyond the server's `databases` setting (default 16).
            throw new BenchException($"Cannot write the cache through redis_cache {url}: {e.Message}");
        }
    }

    public static ConfigurationOptions Parse(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme != "redis" || uri.Host.Length == 0)
            throw new BenchException($"redis_cache must look like redis://host:port/db, got: {url}");
        var db = 0;
        var path = uri.AbsolutePath.Trim('/');
        if (path.Length > 0 && !int.TryParse(path, out db))
            throw new BenchException($"redis_cache database index is not a number: {url}");
        var options = new ConfigurationOptions
        {
            DefaultDatabase = db,
            AbortOnConnectFail = true,
            ConnectTimeout = 5000,
            SyncTimeout = 5000,
            ClientName = "frappe-test-double",
        };
        options.EndPoints.Add(uri.Host, uri.IsDefaultPort ? 6379 : uri.Port);
        if (uri.UserInfo.Length > 0)
        {
            // As redis-py's from_url: "user:password", ":password", or just "user".
            var parts = uri.UserInfo.Split(':', 2);
            if (parts[0].Length > 0) options.User = Uri.UnescapeDataString(parts[0]);
            if (parts.Length == 2) options.Password = Uri.UnescapeDataString(parts[1]);
        }
        return options;
    }
}
