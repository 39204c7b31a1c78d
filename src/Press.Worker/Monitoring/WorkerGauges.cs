using System.Diagnostics.Metrics;
using Press.Infrastructure.Metrics;
using Press.Infrastructure.Redis;
using Press.Worker.Jobs;
using Press.Worker.Runtime;

namespace Press.Worker.Monitoring;

/// <summary>
/// The worker's own series, read from its memory at scrape time: Redis wake-ups, the backup tools' start-up check, the
/// runner reconciler's last pass (docker driver), the backup store probe, and free space of the configured folders
/// (docs/architecture.md §13). The alert rules in docker/prometheus/ read them.
/// </summary>
public sealed class WorkerGauges
{
    private volatile int _toolsOk = -1;

    public WorkerGauges(IMeterFactory meters, RedisJobSignals redis, ObjectStoreProbe store, WorkerOptions options, IServiceProvider services)
    {
        var meter = meters.Create(PressGauges.MeterName);
        meter.CreateObservableGauge("press_worker_redis_connected", () => redis.IsConnected ? 1 : 0,
            description: "1 while Redis wake-ups work; 0 means the worker is polling.");
        meter.CreateObservableGauge("press_backup_tools_ok", () => _toolsOk < 0 ? [] : new[] { new Measurement<int>(_toolsOk) },
            description: "1 when pg_dump/pg_restore and the PostgreSQL server can work together (checked at start); 0 means backups fail.");
        meter.CreateObservableGauge("press_object_store_up", () => store.Up is { } up ? [new Measurement<int>(up)] : Array.Empty<Measurement<int>>(),
            description: "1 when the backup store answered its last probe (list, write, delete), else 0.");
        if (services.GetService<RunnerReconciler>() is { } reconciler)
        {
            meter.CreateObservableGauge("press_runtime_stray_runners", () => reconciler.StrayRunners,
                description: "Press-labelled runner containers that belong to no live site (left in place).");
            meter.CreateObservableGauge("press_runners_down", () => reconciler.RunnersDown,
                description: "Active sites whose runner or Redis was not running at the reconciler's last pass (it starts them again).");
        }
        var disks = options.Disks.Where(d => !string.IsNullOrWhiteSpace(d.Value)).ToArray();
        if (disks.Length == 0) return;
        meter.CreateObservableGauge("press_disk_free_bytes", () => Disks(disks, d => d.AvailableFreeSpace), null,
            "Bytes free to Press on the file system holding the folder (Press:Worker:Disks).");
        meter.CreateObservableGauge("press_disk_size_bytes", () => Disks(disks, d => d.TotalSize), null,
            "Size in bytes of the file system holding the folder (Press:Worker:Disks).");
    }

    public void BackupToolsChecked(bool ok) => _toolsOk = ok ? 1 : 0;

    private static IEnumerable<Measurement<long>> Disks(KeyValuePair<string, string>[] disks, Func<DriveInfo, long> read)
    {
        foreach (var (volume, path) in disks)
        {
            long value;
            try { value = read(new DriveInfo(path)); }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException) { continue; } // no sample: the alert's absent() says so
            yield return new Measurement<long>(value, new KeyValuePair<string, object?>("volume", volume));
        }
    }
}
