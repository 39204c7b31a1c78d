namespace Press.Worker.Jobs;

/// <summary><c>Press:Worker</c>.</summary>
public sealed class WorkerOptions
{
    public const string Section = "Press:Worker";

    public int MaxConcurrentJobs { get; set; } = 8;

    /// <summary>Safety poll while Redis wake-ups arrive; also catches jobs whose wait ended.</summary>
    public TimeSpan IdlePollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Poll interval while Redis is unreachable: slower than a wake-up, but nothing is lost.</summary>
    public TimeSpan FallbackPollInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How often the retention scheduler looks for soft-deleted sites to purge.</summary>
    public TimeSpan RetentionInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How often the backup scheduler runs its pass (scheduled backups, pruning, verifications, rollback windows).</summary>
    public TimeSpan BackupSchedulerInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>At most this many backup verifications (each a restore into a scratch schema) are enqueued per pass.</summary>
    public int MaxVerificationsPerPass { get; set; } = 4;

    /// <summary>How often the backup store is probed for <c>press_object_store_up</c> (a small write and delete each time).</summary>
    public TimeSpan ObjectStoreProbeInterval { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Folders whose file system's free space is reported as <c>press_disk_*_bytes{volume=NAME}</c>, as
    /// <c>Press__Worker__Disks__NAME=/path</c> (e.g. <c>postgres</c>: the data directory, <c>backups</c>: a local backup folder).</summary>
    public Dictionary<string, string> Disks { get; set; } = new(StringComparer.Ordinal);

    /// <summary>How often the standby refiller counts the pool (docs/architecture.md §17).</summary>
    public TimeSpan StandbyRefillInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>At most this many standbys are being created at once (each is a full install).</summary>
    public int MaxStandbyCreates { get; set; } = 2;
    /// <summary>How often the rollout loop ticks every running fleet rollout (docs/architecture.md §19).</summary>
    public TimeSpan RolloutInterval { get; set; } = TimeSpan.FromSeconds(5);
}
