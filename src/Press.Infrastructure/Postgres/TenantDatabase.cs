using Npgsql;
using Press.Core.Ports;
using Press.Core.Sites;
using Press.Core.Tenancy;
using static Press.Infrastructure.Postgres.PostgresErrors;

namespace Press.Infrastructure.Postgres;

/// <summary>
/// Per-site role and schema, done as Press's non-superuser role (PG16 semantics, docs/architecture.md §4). Each operation
/// reads the catalog first, so a second run after a crash is a no-op that says what it found.
/// <para>
/// Roles are the cluster's, so role statements run in the first sites database (<see cref="PressDataSources.Sites"/>,
/// which always exists); schema statements run in the site's own database (docs/architecture.md §16).
/// Everything here runs in Press's own sessions, search path pinned to pg_catalog (<see cref="PressDataSources.Sites"/>),
/// and none of it runs code a tenant wrote: role DDL, grants, <c>DROP SCHEMA</c> (event triggers, the one way to hook
/// DDL, need a superuser), and session termination by qualified built-ins. Press acts as a site role (<c>SET ROLE</c>)
/// only for what only the owner may do and that runs no user code: dropping its schema and what it owns.
/// </para>
/// </summary>
public sealed class TenantDatabase(PressDataSources sources, PostgresOptions postgres, TenancyOptions tenancy) : ITenantDatabase
{
    public Task<string> EnsureRoleAsync(Site site, string password, CancellationToken ct) => Guard("create role", async () =>
    {
        if (!SitePassword.IsWellFormed(password)) throw new InvalidOperationException("site password is malformed");
        await using var conn = await sources.Sites.OpenConnectionAsync(ct);
        var role = Sql.Tenant(site.RoleName);
        // The password goes over as its SCRAM verifier: a failed statement's text ends up in the server log.
        var limits = $"CONNECTION LIMIT {tenancy.ConnectionLimit} PASSWORD {Sql.Literal(ScramVerifier.For(password))}";
        if (await RoleExists(conn, site, ct))
        {
            await conn.ExecAsync($"ALTER ROLE {role} {limits}", ct);
            return $"role {site.RoleName} already existed; password and connection limit re-applied";
        }
        await conn.ExecAsync($"CREATE ROLE {role} LOGIN NOINHERIT NOCREATEDB NOCREATEROLE {limits}", ct);
        return $"created role {site.RoleName} (connection limit {tenancy.ConnectionLimit})";
    });

    public Task<string> EnsureSchemaAsync(Site site, CancellationToken ct) => Guard("create schema", async () =>
    {
        await using var conn = await sources.OpenSitesAsync(site.Location.Database, ct);
        var role = Sql.Tenant(site.RoleName);
        // PG16: the creator has ADMIN but not SET; AUTHORIZATION needs SET. INHERIT FALSE keeps site data out of
        // Press's reach unless it deliberately SET ROLEs.
        await conn.ExecAsync($"GRANT {role} TO CURRENT_USER WITH INHERIT FALSE, SET TRUE", ct);
        var owner = await conn.ScalarAsync<string>(
            "SELECT pg_catalog.pg_get_userbyid(nspowner) FROM pg_catalog.pg_namespace WHERE nspname = @s", ct, ("s", site.Location.Schema));
        if (owner is not null)
            return owner == site.RoleName
                ? $"schema {site.Location.Schema} already existed, owned by {owner}"
                : throw new Core.Jobs.StepFailedException(Core.Jobs.FailureKind.Permanent,
                    $"schema {site.Location.Schema} exists but is owned by {owner}, not {site.RoleName}");
        await conn.ExecAsync($"CREATE SCHEMA {Sql.Tenant(site.Location.Schema)} AUTHORIZATION {role}", ct);
        return $"created schema {site.Location.Schema} in {site.Location.Database}, owned by {site.RoleName}";
    });

    public Task<string> ConfigureRoleAsync(Site site, CancellationToken ct) => Guard("configure role", async () =>
    {
        await using var conn = await sources.Sites.OpenConnectionAsync(ct);
        var role = Sql.Tenant(site.RoleName);
        // Role-level search_path: Frappe's initial import runs plain psql with unqualified names (docs/frappe.md §1). The
        // timeouts are defaults a site may change for itself; temp_file_limit binds (setting it needs the SET privilege
        // on the parameter, which bootstrap grants Press and no site has).
        string[] wanted =
        [
            $"search_path={site.Location.Schema}",
            $"statement_timeout={Ms(tenancy.StatementTimeout)}",
            $"idle_in_transaction_session_timeout={Ms(tenancy.IdleInTransactionSessionTimeout)}",
            $"temp_file_limit={tenancy.TempFileLimitMb}MB",
        ];
        var summary = $"{string.Join(", ", wanted)} (ms), CONNECT on {site.Location.Database}";
        var current = await conn.ScalarAsync<string[]>("""
            SELECT s.setconfig FROM pg_catalog.pg_db_role_setting s JOIN pg_catalog.pg_roles r ON r.oid = s.setrole
            WHERE r.rolname = @r AND s.setdatabase = 0
            """, ct, ("r", site.RoleName)) ?? [];
        var canConnect = await conn.ScalarAsync<bool>("SELECT pg_catalog.has_database_privilege(@r, @d, 'CONNECT')", ct,
            ("r", site.RoleName), ("d", site.Location.Database));
        if (canConnect && wanted.All(current.Contains)) return "already configured: " + summary;

        await conn.ExecAsync($"ALTER ROLE {role} SET search_path = {Sql.Tenant(site.Location.Schema)}", ct);
        await conn.ExecAsync($"ALTER ROLE {role} SET statement_timeout = {Ms(tenancy.StatementTimeout)}", ct);
        await conn.ExecAsync($"ALTER ROLE {role} SET idle_in_transaction_session_timeout = {Ms(tenancy.IdleInTransactionSessionTimeout)}", ct);
        await conn.ExecAsync($"ALTER ROLE {role} SET temp_file_limit = '{tenancy.TempFileLimitMb}MB'", ct);
        await DatabaseRow.RunAsync(sources, site.Location.Database,
            c => c.ExecAsync($"GRANT CONNECT ON DATABASE {Sql.Ident(site.Location.Database)} TO {role}", ct), ct);
        return "configured: " + summary;
    });

    public Task<string> VerifyLoginAsync(Site site, string password, CancellationToken ct) => Guard("verify login", async () =>
    {
        // The site's own login with its own settings (no pinned search path: the point is to see the role's).
        var cs = postgres.For(site.Location.Database);
        cs.Username = site.RoleName;
        cs.Password = password;
        cs.Pooling = false;
        await using var conn = new NpgsqlConnection(cs.ConnectionString);
        await conn.OpenAsync(ct);
        var schema = await conn.ScalarAsync<string>("SELECT pg_catalog.current_schema()", ct);
        if (schema != site.Location.Schema)
            throw new Core.Jobs.StepFailedException(Core.Jobs.FailureKind.Permanent,
                $"logged in as {site.RoleName} but search_path resolves to '{schema}', not {site.Location.Schema}");
        return $"logged in as {site.RoleName}; search_path resolves to {schema}";
    });

    public Task<string> SetLoginAsync(Site site, bool canLogin, CancellationToken ct) => Guard(canLogin ? "enable login" : "disable login", async () =>
    {
        await using var conn = await sources.Sites.OpenConnectionAsync(ct);
        var current = await conn.ScalarAsync<bool?>("SELECT rolcanlogin FROM pg_catalog.pg_roles WHERE rolname = @r", ct, ("r", site.RoleName))
            ?? throw Missing(site);
        var wanted = canLogin ? $"role {site.RoleName} may log in" : $"role {site.RoleName} set NOLOGIN";
        if (current == canLogin) return "already: " + wanted;
        await conn.ExecAsync($"ALTER ROLE {Sql.Tenant(site.RoleName)} {(canLogin ? "LOGIN" : "NOLOGIN")}", ct);
        return wanted;
    });

    public Task<string> TerminateConnectionsAsync(Site site, CancellationToken ct) => Guard("terminate connections", async () =>
    {
        await using var conn = await sources.Sites.OpenConnectionAsync(ct);
        if (!await RoleExists(conn, site, ct)) throw Missing(site);
        // As Press itself (pg_signal_backend, granted by bootstrap), never as the site: the session holds the site's
        // identity nowhere. Built-ins are qualified; operators resolve in the pinned search path (pg_catalog only).
        var ended = await conn.ScalarAsync<long>("""
            SELECT pg_catalog.count(*) FILTER (WHERE pg_catalog.pg_terminate_backend(a.pid, 5000::bigint))
            FROM pg_catalog.pg_stat_activity a WHERE a.usename = @r AND a.pid <> pg_catalog.pg_backend_pid()
            """, ct, ("r", site.RoleName));
        return $"terminated {ended} connection(s) of {site.RoleName}";
    });

    public Task<string> DropSchemaAsync(Site site, CancellationToken ct) => Guard("drop schema", async () =>
    {
        await using var conn = await sources.OpenSitesAsync(site.Location.Database, ct);
        var exists = await conn.ScalarAsync<bool>("SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = @s)", ct, ("s", site.Location.Schema));
        if (!exists) return $"schema {site.Location.Schema} already gone";
        await using var tx = await conn.BeginTransactionAsync(ct);
        await conn.ExecAsync($"SET LOCAL ROLE {Sql.Tenant(site.RoleName)}", ct);
        await conn.ExecAsync($"DROP SCHEMA {Sql.Tenant(site.Location.Schema)} CASCADE", ct);
        await tx.CommitAsync(ct);
        return $"dropped schema {site.Location.Schema}";
    });

    public Task<string> DropRoleAsync(Site site, CancellationToken ct) => Guard("drop role", async () =>
    {
        await using (var conn = await sources.Sites.OpenConnectionAsync(ct))
            if (!await RoleExists(conn, site, ct)) return $"role {site.RoleName} already gone";
        var role = Sql.Tenant(site.RoleName);
        var helpers = 0;
        // CONNECT on another database (one a move left, or was undone from) would keep the role from being dropped.
        foreach (var other in (await DatabasesGrantedAsync(site, ct)).Where(d => d != site.Location.Database))
            await DatabaseRow.RunAsync(sources, other, c => c.ExecAsync($"REVOKE ALL ON DATABASE {Sql.Ident(other)} FROM {role}", ct), ct);
        // One transaction: a failed drop leaves the role able to connect as before.
        await DatabaseRow.RunAsync(sources, site.Location.Database, async conn =>
        {
            await conn.ExecAsync($"REVOKE ALL ON DATABASE {Sql.Ident(site.Location.Database)} FROM {role}", ct);
            // What else keeps a role from being dropped: default privileges it set for itself (ALTER DEFAULT
            // PRIVILEGES) and what it granted. DROP OWNED removes them, as the role — but it would also drop the
            // role's objects, so only once it owns none (the schema is dropped first; if not, DROP ROLE says so).
            if (await OwnsNothingAsync(conn, site, ct))
            {
                await conn.ExecAsync($"GRANT {role} TO CURRENT_USER WITH INHERIT FALSE, SET TRUE", ct);
                await conn.ExecAsync($"SET LOCAL ROLE {role}", ct);
                await conn.ExecAsync($"DROP OWNED BY {role}", ct);
                await conn.ExecAsync("RESET ROLE", ct);
            }
            helpers = await TenantLogin.DropAllAsync(conn, site.RoleName, onlyExpired: false, ct);
            await conn.ExecAsync($"DROP ROLE {role}", ct);
        }, ct);
        return $"dropped role {site.RoleName}" + (helpers > 0 ? $" and {helpers} helper login(s) left by killed operations" : "");
    });

    public Task<string> SetConnectAsync(Site site, string database, bool canConnect, CancellationToken ct) =>
        Guard(canConnect ? "grant connect" : "revoke connect", async () =>
        {
            var granted = (await DatabasesGrantedAsync(site, ct)).Contains(database);
            var wanted = canConnect ? $"{site.RoleName} may connect to {database}" : $"{site.RoleName} may not connect to {database}";
            if (granted == canConnect) return "already: " + wanted;
            var role = Sql.Tenant(site.RoleName);
            await DatabaseRow.RunAsync(sources, database, c => c.ExecAsync(canConnect
                ? $"GRANT CONNECT ON DATABASE {Sql.Ident(database)} TO {role}"
                : $"REVOKE ALL ON DATABASE {Sql.Ident(database)} FROM {role}", ct), ct);
            return wanted;
        });

    /// <summary>The databases on which the role holds a privilege of its own (the cluster's shared catalog; PUBLIC's are
    /// revoked on every site database, so this is where it can connect).</summary>
    private async Task<IReadOnlyList<string>> DatabasesGrantedAsync(Site site, CancellationToken ct)
    {
        await using var conn = await sources.Sites.OpenConnectionAsync(ct);
        await using var cmd = Sql.Command(conn, """
            SELECT d.datname FROM pg_catalog.pg_shdepend s
            JOIN pg_catalog.pg_database d ON d.oid = s.objid
            JOIN pg_catalog.pg_roles r ON r.oid = s.refobjid
            WHERE s.classid = 'pg_catalog.pg_database'::pg_catalog.regclass AND s.deptype = 'a' AND r.rolname = @r
            """, ("r", site.RoleName));
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var list = new List<string>();
        while (await r.ReadAsync(ct)) list.Add(r.GetString(0));
        return list;
    }

    private static async Task<bool> OwnsNothingAsync(NpgsqlConnection conn, Site site, CancellationToken ct) =>
        !await conn.ScalarAsync<bool>("""
            SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_shdepend d JOIN pg_catalog.pg_roles r ON r.oid = d.refobjid
                           WHERE r.rolname = @r AND d.deptype = 'o' AND d.refclassid = 'pg_catalog.pg_authid'::pg_catalog.regclass
                             AND d.classid <> 'pg_catalog.pg_default_acl'::pg_catalog.regclass)
            """, ct, ("r", site.RoleName));

    private static async Task<bool> RoleExists(NpgsqlConnection conn, Site site, CancellationToken ct) =>
        await conn.ScalarAsync<bool>("SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = @r)", ct, ("r", site.RoleName));

    private static Core.Jobs.StepFailedException Missing(Site site) =>
        new(Core.Jobs.FailureKind.Permanent, $"role {site.RoleName} of {site.Name} does not exist in the cluster");

    private static long Ms(TimeSpan t) => (long)t.TotalMilliseconds;
}
