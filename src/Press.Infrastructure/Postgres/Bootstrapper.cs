using Microsoft.Extensions.Logging;
using Npgsql;

namespace Press.Infrastructure.Postgres;

/// <summary>
/// One-time setup as a superuser: Press's own non-superuser role (LOGIN, CREATEROLE, CREATEDB), the databases <c>press</c> and
/// <c>press_sites</c>, the revocations that keep site roles out of everything but their own schema, the few predefined
/// roles Press needs, the metadata migrations (as Press), and last the audit table handed to a role Press cannot become.
/// Idempotent: running it again re-applies the same state (and the current password); upgrades run it again.
/// </summary>
public sealed partial class Bootstrapper(PostgresOptions options, MigrationRunner migrations, ILogger<Bootstrapper> logger)
{
    public async Task RunAsync(string superuserConnectionString, CancellationToken ct)
    {
        var press = options.For(options.MetadataDatabase);
        if (string.IsNullOrEmpty(press.Username) || string.IsNullOrEmpty(press.Password))
            throw new InvalidOperationException("Press:Postgres needs a Username and a Password for Press's own role.");
        var role = Sql.Ident(press.Username);
        var su = new NpgsqlConnectionStringBuilder(superuserConnectionString) { Pooling = false };

        await using var lockConn = await Open(su, su.Database ?? "postgres", ct);
        // Role, database and parameter ACLs are shared catalog rows: two bootstraps at once would collide on them.
        await lockConn.ExecAsync("SELECT pg_advisory_lock(@k)", ct, ("k", ClusterLockKey));
        try
        {
            await ApplyAsync(su, press, role, ct);
            await AuditTable.AddChainColumnsAsync(su, options.MetadataDatabase, ct);
            await migrations.ApplyAsync(ct);
            await HardenSiteDatabasesAsync(su, role, ct);
            await AuditTable.SecureAsync(su, options.MetadataDatabase, press.Username!, ct);
        }
        finally
        {
            await lockConn.ExecAsync("SELECT pg_advisory_unlock(@k)", CancellationToken.None, ("k", ClusterLockKey));
        }
        if (await lockConn.ScalarAsync<string>("SHOW reserved_connections", ct) is "0")
            LogNoReservedConnections(press.Username!);
        LogDone(press.Username!, options.MetadataDatabase, options.SitesDatabase);
    }

    /// <summary>Session-level advisory lock key for cluster-wide changes (also taken by test teardown).</summary>
    public const long ClusterLockKey = 0x5052455353_00;

    private async Task ApplyAsync(NpgsqlConnectionStringBuilder su, NpgsqlConnectionStringBuilder press, string role, CancellationToken ct)
    {
        await using (var conn = await Open(su, su.Database ?? "postgres", ct))
        {
            var exists = await conn.ScalarAsync<bool>("SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = @r)", ct, ("r", press.Username!));
            var verb = exists ? "ALTER" : "CREATE";
            // CREATEDB: Press creates the next site database when the others are full (docs/architecture.md §16).
            // A verifier, not the password: the statement's text may be logged.
            await conn.ExecAsync($"{verb} ROLE {role} LOGIN CREATEROLE NOSUPERUSER CREATEDB PASSWORD {Sql.Literal(ScramVerifier.For(press.Password!))}", ct);
            foreach (var db in new[] { options.MetadataDatabase, options.SitesDatabase })
            {
                if (!await conn.ScalarAsync<bool>("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = @d)", ct, ("d", db)))
                    await conn.ExecAsync($"CREATE DATABASE {Sql.Ident(db)} OWNER {role} ENCODING 'UTF8' TEMPLATE template0", ct);
                await DatabaseHardening.ApplyAsync(conn, c => Open(su, db, c), db, role, ct);
            }
            await conn.ExecAsync("REVOKE CONNECT, TEMPORARY ON DATABASE postgres FROM PUBLIC", ct);
            await conn.ExecAsync("REVOKE CONNECT, TEMPORARY ON DATABASE template1 FROM PUBLIC", ct);
            // Lets Press cap temp files per site role without being a superuser.
            await conn.ExecAsync($"GRANT SET ON PARAMETER temp_file_limit TO {role}", ct);
            // Ends a site's sessions as itself, never by acting as the site (whose schema could shadow the function).
            await conn.ExecAsync($"GRANT pg_signal_backend TO {role}", ct);
            // The reserved_connections slots: tenants filling every other slot cannot lock Press out.
            await conn.ExecAsync($"GRANT pg_use_reserved_connections TO {role}", ct);
            await conn.ExecAsync($"""
                DO $$ BEGIN
                  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = {Sql.Literal(AuditTable.OwnerFor(press.Username!))}) THEN
                    CREATE ROLE {Sql.Ident(AuditTable.OwnerFor(press.Username!))} NOLOGIN;
                  END IF;
                END $$
                """, ct);
        }
    }

    /// <summary>The site databases Press created (docs/architecture.md §16) get the hardening again, as the first one does.</summary>
    private async Task HardenSiteDatabasesAsync(NpgsqlConnectionStringBuilder su, string role, CancellationToken ct)
    {
        await using var meta = await Open(su, options.MetadataDatabase, ct);
        var names = new List<string>();
        await using (var cmd = Sql.Command(meta, "SELECT d.name FROM site_databases d WHERE d.name <> @first ORDER BY d.name", ("first", options.SitesDatabase)))
        await using (var r = await cmd.ExecuteReaderAsync(ct))
            while (await r.ReadAsync(ct)) names.Add(r.GetString(0));
        foreach (var db in names)
            if (await meta.ScalarAsync<bool>("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = @d)", ct, ("d", db)))
                await DatabaseHardening.ApplyAsync(meta, c => Open(su, db, c), db, role, ct);
    }

    internal static async Task<NpgsqlConnection> Open(NpgsqlConnectionStringBuilder su, string database, CancellationToken ct)
    {
        var conn = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(su.ConnectionString) { Database = database }.ConnectionString);
        await conn.OpenAsync(ct);
        return conn;
    }

    [LoggerMessage(LogLevel.Information, "Bootstrap done: role {Role} (CREATEROLE, CREATEDB, not superuser), databases {Metadata} and {Sites}")]
    private partial void LogDone(string role, string metadata, string sites);

    [LoggerMessage(LogLevel.Warning, "The server has reserved_connections = 0: sites that together open max_connections sessions lock {Role} out " +
                                     "(it could not even suspend them). Set reserved_connections (e.g. 10) in postgresql.conf or the server's command line.")]
    private partial void LogNoReservedConnections(string role);
}
