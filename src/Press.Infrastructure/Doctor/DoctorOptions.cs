namespace Press.Infrastructure.Doctor;

/// <summary><c>Press:Doctor</c>.</summary>
public sealed class DoctorOptions
{
    public const string Section = "Press:Doctor";

    /// <summary>
    /// PostgreSQL's data folder, as this host sees it, for the free-disk check. Unset: Press asks the server
    /// (<c>SHOW data_directory</c>, which needs <c>pg_read_all_settings</c>) and skips the check when it may not.
    /// </summary>
    public string? PostgresDataFolder { get; set; }

    /// <summary>A job running longer than this is reported as stuck (a backup's tools may run for hours).</summary>
    public TimeSpan StuckAfter { get; set; } = TimeSpan.FromHours(6);

    /// <summary>Where the reserved ports are read (a setting only so tests can point it at a file of their own).</summary>
    public string ReservedPortsFile { get; set; } = "/proc/sys/net/ipv4/ip_local_reserved_ports";
}
