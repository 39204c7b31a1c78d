using System.Security.Cryptography;
using StackExchange.Redis;

namespace Press.FrappeDouble.Site;

/// <summary>
/// Background jobs the way Frappe enqueues them (frappe/utils/background_jobs.py <c>enqueue</c> on RQ): through
/// site_config <c>redis_queue</c>, into queue <c>{bench_id}:{queue}</c> where bench_id defaults to the bench path
/// (the same in every frappe_docker container — which is why a queue Redis shared by sites mixes their jobs). RQ's
/// keys: the job hash <c>rq:job:ID</c>, its id pushed on <c>rq:queue:NAME</c>, the queue's key in the set
/// <c>rq:queues</c>. No worker runs here: the job stays queued, where a test can find it.
/// </summary>
public static class SiteQueue
{
    public static string QueueName(BenchFolder bench, string queue) => $"{bench.Path}:{queue}";

    public static async Task<string> EnqueueAsync(BenchFolder bench, SiteConfig config, string site, string queue, string method)
    {
        var url = config.String("redis_queue") ?? throw new Cli.BenchException("site_config has no redis_queue.");
        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var name = QueueName(bench, queue);
        await SiteCache.WithAsync(url, "redis_queue", async db =>
        {
            var tx = db.CreateTransaction();
            _ = tx.HashSetAsync($"rq:job:{id}", [new HashEntry("origin", name), new HashEntry("status", "queued"),
                new HashEntry("description", method), new HashEntry("site", site)]);
            _ = tx.ListRightPushAsync($"rq:queue:{name}", id);
            _ = tx.SetAddAsync("rq:queues", $"rq:queue:{name}");
            await tx.ExecuteAsync();
        });
        return id;
    }
}
