using Npgsql;
using Press.Core.Ports;
using Press.Core.Sites;
using Press.Core.Tenancy;
using static Press.Infrastructure.Postgres.PostgresErrors;

namespace Press.Infrastructure.Postgres;

/// <summary>
/// Per-site role and schema, done as Press's non-superuser role (PG16 semantics, docs/architecture.md §4). Each operation
/// reads the catalog first, so a second run after a crash is a no-op that says what it found.
/// </summary>
public sealed class TenantDatabase(PressDataSources sources, PostgresOptions postgres, TenancyOptions tenancy) : ITenantDatabase
{
    public Task<string> EnsureRoleAsync(Site site, string password, CancellationToken ct) => Guard("create role", async () =>
    {
        if (!SitePassword.IsWellFormed(password)) throw new InvalidOperationException("site password is malformed");
        await using var conn = await sources.Sites.OpenConnectionAsync(ct);
        var role = Sql.Tenant(site.RoleName);
        var limits = $"CONNECTION LIMIT {tenancy.ConnectionLimit} PASSWORD {Sql.Literal(password)}";
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
        await using var conn = await sources.Sites.OpenConnectionAsync(ct);
        var role = Sql.Tenant(site.RoleName);
        // PG16: the creator has ADMIN but not SET; AUTHORIZATION needs SET. INHERIT FALSE keeps site data out of
        // Press's reach unless it deliberately SET ROLEs.
        await conn.ExecAsync($"GRANT {role} TO CURRENT_USER WITH INHERIT FALSE, SET TRUE", ct);
        var owner = await conn.ScalarAsync<string>(
            "SELECT pg_get_userbyid(nspowner) FROM pg_namespace WHERE nspname = @s", ct, ("s", site.Location.Schema));
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
        // Role-level search_path: Frappe's initial import runs plain psql with unqualified names (docs/frappe.md §1).
        string[] wanted =
        [
            $"search_path={site.Location.Schema}",
            $"statement_timeout={Ms(tenancy.StatementTimeout)}",
            $"idle_in_transaction_session_timeout={Ms(tenancy.IdleInTransactionSessionTimeout)}",
        ];
        var summary = $"{string.Join(", ", wanted)} (ms), CONNECT on {site.Location.Database}";
        var current = await conn.ScalarAsync<string[]>("""
            SELECT s.setconfig FROM pg_db_role_setting s JOIN pg_roles r ON r.oid = s.setrole
            WHERE r.rolname = @r AND s.setdatabase = 0
            """, ct, ("r", site.RoleName)) ?? [];
        var canConnect = await conn.ScalarAsync<bool>("SELECT has_database_privilege(@r, @d, 'CONNECT')", ct,
            ("r", site.RoleName), ("d", site.Location.Database));
        if (canConnect && wanted.All(current.Contains)) return "already configured: " + summary;

        await conn.ExecAsync($"ALTER ROLE {role} SET search_path = {Sql.Tenant(site.Location.Schema)}", ct);
        await conn.ExecAsync($"ALTER ROLE {role} SET statement_timeout = {Ms(tenancy.StatementTimeout)}", ct);
        await conn.ExecAsync($"ALTER ROLE {role} SET idle_in_transaction_session_timeout = {Ms(tenancy.IdleInTransactionSessionTimeout)}", ct);
        await OnDatabaseRowAsync(conn, site, ct, $"GRANT CONNECT ON DATABASE {Sql.Ident(site.Location.Database)} TO {role}");
        return "configured: " + summary;
    });

    public Task<string> VerifyLoginAsync(Site site, string password, CancellationToken ct) => Guard("verify login", async () =>
    {
        var cs = postgres.For(site.Location.Database);
        cs.Username = site.RoleName;
        cs.Password = password;
        cs.Pooling = false;
        await using var conn = new NpgsqlConnection(cs.ConnectionString);
        await conn.OpenAsync(ct);
        var schema = await conn.ScalarAsync<string>("SELECT current_schema()", ct);
        if (schema != site.Location.Schema)
            throw new Core.Jobs.StepFailedException(Core.Jobs.FailureKind.Permanent,
                $"logged in as {site.RoleName} but search_path resolves to '{schema}', not {site.Location.Schema}");
        return $"logged in as {site.RoleName}; search_path resolves to {schema}";
    });

    public Task<string> SetLoginAsync(Site site, bool canLogin, CancellationToken ct) => Guard(canLogin ? "enable login" : "disable login", async () =>
    {
        await using var conn = await sources.Sites.OpenConnectionAsync(ct);
        var current = await conn.ScalarAsync<bool?>("SELECT rolcanlogin FROM pg_roles WHERE rolname = @r", ct, ("r", site.RoleName))
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
        await using var tx = await conn.BeginTransactionAsync(ct);
        // As the site role itself: a role may end its own sessions, so Press needs no pg_signal_backend.
        await conn.ExecAsync($"SET LOCAL ROLE {Sql.Tenant(site.RoleName)}", ct);
        var ended = await conn.ScalarAsync<long>(
            "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid, 5000)) FROM pg_stat_activity WHERE usename = @r AND pid <> pg_backend_pid()",
            ct, ("r", site.RoleName));
        await tx.CommitAsync(ct);
        return $"terminated {ended} connection(s) of {site.RoleName}";
    });

    public Task<string> DropSchemaAsync(Site site, CancellationToken ct) => Guard("drop schema", async () =>
    {
        await using var conn = await sources.Sites.OpenConnectionAsync(ct);
        var exists = await conn.ScalarAsync<bool>("SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = @s)", ct, ("s", site.Location.Schema));
        if (!exists) return $"schema {site.Location.Schema} already gone";
        await using var tx = await conn.BeginTransactionAsync(ct);
        await conn.ExecAsync($"SET LOCAL ROLE {Sql.Tenant(site.RoleName)}", ct);
        await conn.ExecAsync($"DROP SCHEMA {Sql.Tenant(site.Location.Schema)} CASCADE", ct);
        await tx.CommitAsync(ct);
        return $"dropped schema {site.Location.Schema}";
    });

    public Task<string> DropRoleAsync(Site site, CancellationToken ct) => Guard("drop role", async () =>
    {
        await using var conn = await sources.Sites.OpenConnectionAsync(ct);
        if (!await RoleExists(conn, site, ct)) return $"role {site.RoleName} already gone";
        var role = Sql.Tenant(site.RoleName);
        // DROP ROLE fails while the role still holds privileges: revoke them first, in the same transaction, so a
        // failed drop leaves the role able to connect as before.
        await OnDatabaseRowAsync(conn, site, ct,
            $"REVOKE ALL ON DATABASE {Sql.Ident(site.Location.Database)} FROM {role}",
            $"DROP ROLE {role}");
        return $"dropped role {site.RoleName}";
    });

    /// <summary>
    /// GRANT/REVOKE on a database rewrite its one row in the shared catalog; two sites doing it at once make the
    /// later fail with "tuple concurrently updated". Press's own grants take turns on an advisory lock; a clash with
    /// anyone else is classified transient and retried.
    /// </summary>
    private static async Task OnDatabaseRowAsync(NpgsqlConnection conn, Site site, CancellationToken ct, params string[] statements)
    {
        await using var tx = await conn.BeginTransactionAsync(ct);
        await conn.ExecAsync("SELECT pg_advisory_xact_lock(hashtext('press:database-acl:' || @db))", ct, ("db", site.Location.Database));
        foreach (var sql in statements) await conn.ExecAsync(sql, ct);
        await tx.CommitAsync(ct);
    }

    private static async Task<bool> RoleExists(NpgsqlConnection conn, Site site, CancellationToken ct) =>
        await conn.ScalarAsync<bool>("SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = @r)", ct, ("r", site.RoleName));

    private static Core.Jobs.StepFailedException Missing(Site site) =>
        new(Core.Jobs.FailureKind.Permanent, $"role {site.RoleName} of {site.Name} does not exist in the cluster");

    private static long Ms(TimeSpan t) => (long)t.TotalMilliseconds;
}
