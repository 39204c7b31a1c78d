namespace Press.Infrastructure.Postgres.Archive;

/// <summary><c>Press:Backups</c>.</summary>
public sealed class BackupOptions
{
    public const string Section = "Press:Backups";

    /// <summary>The folder holding pg_dump, pg_restore and psql of the server's major version; null = from PATH.</summary>
    public string? ToolsFolder { get; set; }

    /// <summary>How long one dump or restore may run.</summary>
    public TimeSpan ToolTimeout { get; set; } = TimeSpan.FromHours(6);

    /// <summary>pg_dump's <c>--compress</c> for new backups (<c>zstd:N</c>, <c>lz4:N</c>, <c>gzip:N</c>, <c>none</c>).
    /// Tools older than PostgreSQL 16 know only gzip and get their default (<see cref="DumpPlan.CompressionFor"/>).</summary>
    public string Compression { get; set; } = DumpPlan.DefaultCompression;

    /// <summary>A schema whose tables hold at least this many MiB is dumped as parallel archives.</summary>
    public int ParallelThresholdMb { get; set; } = DumpPlan.DefaultThresholdMb;

    /// <summary>How many data archives a large schema is dumped into at once, and how many a restore loads (and how
    /// many sessions build its indexes) at once.</summary>
    public int ParallelJobs { get; set; } = DumpPlan.DefaultJobs;

    /// <summary>PostgreSQL's <c>maintenance_work_mem</c> for a restore's sessions, in MB: an index build's sort stays
    /// in memory up to it. At most <see cref="ParallelJobs"/> sessions build at once per restore; 0 leaves the server's setting.</summary>
    public int RestoreMaintenanceWorkMemMb { get; set; } = 256;
}
