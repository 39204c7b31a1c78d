using System.Security.Cryptography;
using Press.FrappeDouble.Site;
using StackExchange.Redis;

namespace Press.FrappeDouble.Cli;

/// <summary>
/// <c>bench worker --queue short,default</c> (frappe/commands/scheduler.py <c>start_worker</c> →
/// frappe/utils/background_jobs.py <c>start_worker</c>): an RQ worker of the bench, not of one site — it reads
/// <c>redis_queue</c> from common_site_config.json or FRAPPE_REDIS_QUEUE (frappe/config.py), never from a site's
/// config, and every job names its site. Here a job is "run" by initialising its site (its folder and site_config
/// must be on this bench — a job of a site this worker cannot see fails, as <c>frappe.init</c> does) and connecting to
/// its database as the site; the outcome goes into the job's hash as RQ writes it: status finished or failed,
/// worker_name, ended_at, and exc_info on failure. An unreachable queue ends the worker with exit 1, as RQ's
/// ConnectionError does.
/// </summary>
public static class WorkerCommand
{
    public static async Task<int> RunAsync(BenchFolder bench, IReadOnlyList<string> args)
    {
        var a = ParsedArgs.Parse(args, new HashSet<string> { "--quiet", "--burst" }, new HashSet<string> { "--queue", "--rq-username", "--rq-password", "--strategy" });
        if (a.Positionals.Count > 0) throw BenchException.Usage($"Got unexpected extra argument ({a.Positionals[0]})");
        var queues = (a.Value("--queue") ?? "default").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var keys = queues.Select(q => (RedisKey)SiteQueue.QueueKey(bench, q)).ToArray();
        var url = SiteQueue.Url(CommonConfig.String(bench, "redis_queue"));
        var name = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)); // RQ's default worker name
        await using var redis = await Connect(url);
        var db = redis.GetDatabase();
        Console.Out.WriteLine($"Worker rq:worker:{name} started (pid {Environment.ProcessId}), listening on {string.Join(", ", queues)}");
        while (true)
        {
            var popped = await PopAsync(db, keys);
            if (popped is null)
            {
                if (a.Has("--burst")) return 0;
                await Task.Delay(200);
                continue;
            }
            await RunJobAsync(bench, db, popped, name);
        }
    }

    private static async Task<string?> PopAsync(IDatabase db, RedisKey[] keys)
    {
        foreach (var key in keys)
            if (await db.ListLeftPopAsync(key) is { IsNull: false } id) return id!;
        return null;
    }

    private static async Task RunJobAsync(BenchFolder bench, IDatabase db, string id, string worker)
    {
        var hash = $"rq:job:{id}";
        var job = await db.HashGetAsync(hash, ["site", "description"]);
        var (site, method) = ((string?)job[0] ?? "", (string?)job[1] ?? "");
        await db.HashSetAsync(hash, [new HashEntry("status", "started"), new HashEntry("worker_name", worker)]);
        try
        {
            var config = SiteConfig.Load(bench, site); // frappe.init(site): the site must be on this bench
            await using var conn = await SiteDatabase.OpenAsync(config);
            var schema = await SiteDatabase.ScalarAsync(conn, "SELECT current_schema()") as string;
            await db.HashSetAsync(hash, [new HashEntry("status", "finished"), new HashEntry("result", schema ?? ""),
                new HashEntry("ended_at", DateTime.UtcNow.ToString("O"))]);
            Console.Out.WriteLine($"{id}: {method} of {site}: finished (schema {schema})");
        }
        catch (Exception e)
        {
            await db.HashSetAsync(hash, [new HashEntry("status", "failed"), new HashEntry("exc_info", e.Message),
                new HashEntry("ended_at", DateTime.UtcNow.ToString("O"))]);
            Console.Out.WriteLine($"{id}: {method} of {site}: failed: {e.Message}");
        }
    }

    private static async Task<ConnectionMultiplexer> Connect(string url)
    {
        try
        {
            return await ConnectionMultiplexer.ConnectAsync(SiteCache.Parse(url));
        }
        catch (RedisException e)
        {
            throw new BenchException($"Cannot reach the Redis of redis_queue {url}: {e.Message}");
        }
    }
}

/// <summary>sites/common_site_config.json, read as Frappe reads it for bench-wide commands (no site).</summary>
public static class CommonConfig
{
    public static string? String(BenchFolder bench, string key)
    {
        var file = Path.Combine(bench.SitesPath, "common_site_config.json");
        if (!File.Exists(file)) return null;
        return System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(file)) is System.Text.Json.Nodes.JsonObject o && o[key] is { } v
            ? v.GetValueKind() == System.Text.Json.JsonValueKind.String ? v.GetValue<string>() : v.ToJsonString()
            : null;
    }
}
