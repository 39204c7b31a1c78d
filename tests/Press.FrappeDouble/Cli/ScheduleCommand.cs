using Press.FrappeDouble.Site;
using StackExchange.Redis;

namespace Press.FrappeDouble.Cli;

/// <summary>
/// <c>bench schedule</c> (frappe/utils/scheduler.py <c>start_scheduler</c>): every tick (common_site_config
/// <c>scheduler_tick_interval</c>, default 60 s) it goes through every site of the bench, skips one whose scheduler is
/// inactive (<c>is_scheduler_inactive</c>: maintenance_mode or pause_scheduler in site_config, or System Settings
/// enable_scheduler off — new sites start with it off) and enqueues its due jobs into the site's own redis_queue, each
/// only when it is not already queued. The double has one scheduled job, due every tick: the e-mail queue flush
/// (<c>frappe.email.queue.flush</c>, an "All" job in frappe/hooks.py). A site that fails (database or Redis
/// unreachable) is reported and skipped; the scheduler goes on, as Frappe's does.
/// </summary>
public static class ScheduleCommand
{
    public const string EmailFlush = "frappe.email.queue.flush";

    public static async Task<int> RunAsync(BenchFolder bench, IReadOnlyList<string> args)
    {
        if (args.Count > 0) throw BenchException.Usage($"No such option: {args[0]}");
        var tick = int.TryParse(CommonConfig.String(bench, "scheduler_tick_interval"), out var seconds) && seconds > 0 ? seconds : 60;
        Console.Out.WriteLine($"Scheduler started (pid {Environment.ProcessId}), tick {tick} s");
        while (true)
        {
            await Task.Delay(TimeSpan.FromSeconds(tick));
            foreach (var site in Sites(bench))
            {
                try
                {
                    if (await TickAsync(bench, site) is { } id) Console.Out.WriteLine($"{site}: enqueued {EmailFlush} (job {id})");
                }
                catch (Exception e)
                {
                    Console.Out.WriteLine($"{site}: scheduler tick failed: {e.Message}");
                }
            }
        }
    }

    private static IEnumerable<string> Sites(BenchFolder bench) =>
        Directory.Exists(bench.SitesPath)
            ? Directory.EnumerateDirectories(bench.SitesPath).Where(d => File.Exists(SiteConfig.FilePath(d))).Select(Path.GetFileName).OfType<string>().Order()
            : [];

    /// <returns>The job's id, or null when the site's scheduler is inactive or the job is already queued.</returns>
    private static async Task<string?> TickAsync(BenchFolder bench, string site)
    {
        var config = SiteConfig.Load(bench, site);
        if (config.Flag("maintenance_mode") || config.Flag("pause_scheduler")) return null;
        await using (var conn = await SiteDatabase.OpenAsync(config))
            if (await FrappeTables.GetSingleAsync(conn, "System Settings", "enable_scheduler") != "1") return null;
        var queued = false;
        await SiteCache.WithAsync(SiteQueue.Url(config.String("redis_queue")), "redis_queue",
            async db => queued = await SiteQueue.IsQueuedAsync(db, bench, "default", site, EmailFlush));
        return queued ? null : await SiteQueue.EnqueueAsync(bench, config, site, "default", EmailFlush);
    }
}
