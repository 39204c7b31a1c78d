namespace Press.Infrastructure.Postgres.Archive;

/// <summary><c>Press:Backups</c>.</summary>
public sealed class BackupOptions
{
    public const string Section = "Press:Backups";

    /// <summary>The folder holding pg_dump, pg_restore and psql of the server's major version; null = from PATH.</summary>
    public string? ToolsFolder { get; set; }

    /// <summary>How long one dump or restore may run.</summary>
    public TimeSpan ToolTimeout { get; set; } = TimeSpan.FromHours(6);
}
