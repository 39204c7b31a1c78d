using Npgsql;
using Press.Core.Doctor;
using Press.Core.Ports;
using Press.Infrastructure.Postgres;

namespace Press.Infrastructure.Doctor;

public sealed class PostgresToolsProbe(ISchemaArchive archive) : IDoctorProbe
{
    public string Name => DoctorChecks.PostgresTools;

    public async Task<DoctorCheck> RunAsync(CancellationToken ct)
    {
        var check = await archive.CheckToolsAsync(ct);
        return DoctorRules.PostgresTools(check.ServerVersion, check.DumpVersion, check.Problem);
    }
}

/// <summary>Press's own role as the catalogs see it: attributes, memberships, grants, and who owns the audit table.</summary>
public sealed class RolePrivilegesProbe(PressDataSources sources) : IDoctorProbe
{
    public string Name => DoctorChecks.RolePrivileges;

    public async Task<DoctorCheck> RunAsync(CancellationToken ct)
    {
        await using var conn = await sources.Metadata.OpenConnectionAsync(ct);
        await using var cmd = Sql.Command(conn, """
            SELECT r.rolname::text, r.rolsuper, r.rolcreaterole,
                   pg_catalog.pg_has_role(r.oid, 'pg_signal_backend', 'MEMBER'),
                   pg_catalog.pg_has_role(r.oid, 'pg_use_reserved_connections', 'MEMBER'),
                   pg_catalog.has_parameter_privilege(r.oid, 'temp_file_limit', 'SET'),
                   pg_catalog.pg_has_role(r.oid, c.relowner, 'USAGE'),
                   pg_catalog.has_table_privilege(r.oid, c.oid, 'INSERT') AND pg_catalog.has_table_privilege(r.oid, c.oid, 'SELECT'),
                   pg_catalog.has_table_privilege(r.oid, c.oid, 'UPDATE') OR pg_catalog.has_table_privilege(r.oid, c.oid, 'DELETE')
                     OR pg_catalog.has_table_privilege(r.oid, c.oid, 'TRUNCATE'),
                   r.rolcreatedb
            FROM pg_catalog.pg_roles r, pg_catalog.pg_class c
            WHERE r.rolname = current_user AND c.oid = 'public.audit_events'::pg_catalog.regclass
            """);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        await r.ReadAsync(ct);
        return DoctorRules.RolePrivileges(new DoctorRules.RoleFacts(r.GetString(0), r.GetBoolean(1), r.GetBoolean(2), r.GetBoolean(3),
            r.GetBoolean(4), r.GetBoolean(5), r.GetBoolean(6), r.GetBoolean(7), r.GetBoolean(8)) { CreateDb = r.GetBoolean(9) });
    }
}

public sealed class ClockSkewProbe(PressDataSources sources, TimeProvider time) : IDoctorProbe
{
    public string Name => DoctorChecks.ClockSkew;

    public async Task<DoctorCheck> RunAsync(CancellationToken ct)
    {
        await using var conn = await sources.Metadata.OpenConnectionAsync(ct);
        await conn.ScalarAsync<int>("SELECT 1", ct); // the first statement of a pooled connection may pay for its setup
        var before = time.GetUtcNow();
        // clock_timestamp(): the server's clock now, not the transaction's start.
        var postgres = new DateTimeOffset(await conn.ScalarAsync<DateTime>("SELECT pg_catalog.clock_timestamp()", ct), TimeSpan.Zero);
        var after = time.GetUtcNow();
        return DoctorRules.ClockSkew(before, postgres, after);
    }
}

public sealed class PostgresDiskProbe(PressDataSources sources, DoctorOptions options) : IDoctorProbe
{
    public string Name => DoctorChecks.PostgresDisk;

    public async Task<DoctorCheck> RunAsync(CancellationToken ct)
    {
        var folder = options.PostgresDataFolder;
        if (string.IsNullOrEmpty(folder))
        {
            await using var conn = await sources.Metadata.OpenConnectionAsync(ct);
            try { folder = await conn.ScalarAsync<string>("SHOW data_directory", ct); }
            catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.InsufficientPrivilege)
            {
                return DoctorRules.FreeDisk(Name, "PostgreSQL's data folder", null, null, null,
                    "not checked: Press may not read data_directory; set Press__Doctor__PostgresDataFolder when the data folder is on this host");
            }
        }
        if (!Directory.Exists(folder))
            return DoctorRules.FreeDisk(Name, "PostgreSQL's data folder", null, null, null,
                $"not checked: {folder} is not on this host (PostgreSQL runs elsewhere); watch its disk there");
        return Disk.Check(Name, "PostgreSQL's data folder", folder!);
    }
}

/// <summary>Failed jobs of the last day still failed, jobs running for too long, jobs due and not started.</summary>
public sealed class JobsProbe(PressDataSources sources, SiteQueries queries, DoctorOptions options, TimeProvider time) : IDoctorProbe
{
    /// <summary>As the overview judges the worker (docs/architecture.md §12).</summary>
    public static readonly TimeSpan OverdueAfter = TimeSpan.FromMinutes(2);

    public string Name => DoctorChecks.Jobs;

    public async Task<DoctorCheck> RunAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var failed = await IdsAsync("SELECT id FROM jobs WHERE state = 'Failed' AND finished_at >= @t ORDER BY finished_at DESC LIMIT 100",
            now.AddDays(-1), ct);
        var stuck = await IdsAsync("SELECT id FROM jobs WHERE state = 'Running' AND started_at < @t ORDER BY started_at LIMIT 100",
            now - options.StuckAfter, ct);
        var (overdue, _) = await queries.OverdueJobsAsync(now, OverdueAfter, ct);
        return DoctorRules.Jobs(new DoctorRules.JobFacts(failed, stuck, overdue, options.StuckAfter, OverdueAfter));
    }

    private async Task<List<Guid>> IdsAsync(string sql, DateTimeOffset t, CancellationToken ct)
    {
        await using var conn = await sources.Metadata.OpenConnectionAsync(ct);
        await using var cmd = Sql.Command(conn, sql, ("t", t));
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var ids = new List<Guid>();
        while (await r.ReadAsync(ct)) ids.Add(r.GetGuid(0));
        return ids;
    }
}

public sealed class StaleBackupsProbe(IBackupStore backups, ISettingsStore settings, TimeProvider time) : IDoctorProbe
{
    public string Name => DoctorChecks.StaleBackups;

    public async Task<DoctorCheck> RunAsync(CancellationToken ct)
    {
        var report = await Health.BackupStaleness.ComputeAsync(backups, settings, time, ct);
        return DoctorRules.StaleBackups(report.Stale.Select(s => s.SiteName).ToList(), report.StaleAfterHours);
    }
}
