namespace Press.Core.Doctor;

/// <summary>The names of the checks, in the order an operator reads them (the database first, then what depends on it).</summary>
public static class DoctorChecks
{
    public const string PostgresTools = "postgres-tools";
    public const string RolePrivileges = "role-privileges";
    public const string ReservedPorts = "reserved-ports";
    public const string Redis = "redis";
    public const string ObjectStore = "object-store";
    public const string PostgresDisk = "postgres-disk";
    public const string BackupDisk = "backup-disk";
    public const string ClockSkew = "clock-skew";
    public const string StaleBackups = "stale-backups";
    public const string Jobs = "jobs";
    public const string StrayRunners = "stray-runners";
    public const string RunnerImage = "runner-image";
    public const string TraefikSecret = "traefik-secret";
    public const string OidcIssuer = "oidc-issuer";

    public static IReadOnlyList<string> Order { get; } =
    [
        PostgresTools, RolePrivileges, ReservedPorts, Redis, ObjectStore, PostgresDisk, BackupDisk, ClockSkew,
        StaleBackups, Jobs, StrayRunners, RunnerImage, TraefikSecret, OidcIssuer,
    ];
}
