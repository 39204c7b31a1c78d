using System.Security.Cryptography;
using System.Text.Json.Nodes;
using StackExchange.Redis;

namespace Press.FrappeDouble.Site;

/// <summary>
/// Background jobs the way Frappe enqueues them (frappe/utils/background_jobs.py <c>enqueue</c> on RQ): through
/// <c>redis_queue</c>, into queue <c>{bench_id}:{queue}</c> where bench_id defaults to the bench path (the same in every
/// frappe_docker container — which is why a queue Redis shared by sites mixes their jobs). RQ's keys: the job hash
/// <c>rq:job:ID</c>, its id pushed on <c>rq:queue:NAME</c>, the queue's key in the set <c>rq:queues</c>. A worker
/// (<see cref="Cli.WorkerCommand"/>) pops ids and records the outcome in the hash (status, worker_name, ended_at), as RQ does.
/// </summary>
public static class SiteQueue
{
    public static string QueueName(BenchFolder bench, string queue) => $"{bench.Path}:{queue}";

    public static string QueueKey(BenchFolder bench, string queue) => $"rq:queue:{QueueName(bench, queue)}";

    /// <summary>
    /// frappe/config.py: <c>FRAPPE_REDIS_QUEUE</c> in the environment wins over the config, then the config's
    /// <c>redis_queue</c>, then Frappe's default 127.0.0.1:11311 (which nothing serves on these machines).
    /// </summary>
    public static string Url(string? configured) =>
        Environment.GetEnvironmentVariable("FRAPPE_REDIS_QUEUE") is { Length: > 0 } env ? env : configured ?? "redis://127.0.0.1:11311";

    /// <summary>Fails (a bench error naming redis_queue) when the queue's Redis cannot be reached: frappe.enqueue checks the
    /// queue's length first (background_jobs.py), so an unreachable queue fails the request or command at once.</summary>
    public static async Task<string> EnqueueAsync(BenchFolder bench, SiteConfig config, string site, string queue, string method)
    {
        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var name = QueueName(bench, queue);
        await SiteCache.WithAsync(Url(config.String("redis_queue")), "redis_queue", async db =>
        {
            var tx = db.CreateTransaction();
            _ = tx.HashSetAsync($"rq:job:{id}", [new HashEntry("origin", name), new HashEntry("status", "queued"),
                new HashEntry("description", method), new HashEntry("site", site),
                new HashEntry("enqueued_at", DateTime.UtcNow.ToString("O"))]);
            _ = tx.ListRightPushAsync(QueueKey(bench, queue), id);
            _ = tx.SetAddAsync("rq:queues", QueueKey(bench, queue));
            await tx.ExecuteAsync();
        });
        return id;
    }

    /// <summary>Whether a job of that method for that site is already waiting (frappe/utils/scheduler.py enqueues a
    /// scheduled job only when it is not queued yet, so several schedulers of one bench do not pile it up).</summary>
    public static async Task<bool> IsQueuedAsync(IDatabase db, BenchFolder bench, string queue, string site, string method)
    {
        foreach (var id in await db.ListRangeAsync(QueueKey(bench, queue)))
        {
            var job = await db.HashGetAsync($"rq:job:{id}", ["site", "description"]);
            if (job[0] == site && job[1] == method) return true;
        }
        return false;
    }

    public static JsonObject Describe(string id, string queue) => new() { ["job_id"] = id, ["queue"] = queue };
}
