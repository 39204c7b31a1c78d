using System.Text.RegularExpressions;
using Npgsql;
using Press.Core.Tenancy;

namespace Press.Infrastructure.Postgres;

/// <summary>
/// A short-lived login that holds exactly a site role's powers, for everything Press does with a site's DATA (dump,
/// row counts, restore). Reading or writing data runs code the tenant controls — row-level security policies, CHECK
/// constraints, generated columns, domain checks, index expressions (even the planner folds those), triggers,
/// materialized views — and that code can drop back to its session's login identity (<c>RESET ROLE</c>,
/// <c>set_config('role', 'none', false)</c>). In a session logged in as Press that identity holds ADMIN on every site
/// role; in this one it holds nothing but the site role itself, which the code had anyway.
/// <para>
/// Why not the site role's own login: a suspended or deleted site's role is NOLOGIN, and a tenant can change its own
/// password (<c>ALTER ROLE CURRENT_USER PASSWORD</c>) — either would stop the backup that must precede its deletion.
/// This role is created for one operation: LOGIN, a random password sent as a SCRAM verifier, member of the site role
/// (INHERIT, so it may CONNECT where the site may, and SET, so objects are created as the site), a few connections,
/// and VALID UNTIL the operation's time limit — code running in it may change its password, but not that date, so a
/// role left behind by a killed worker cannot be logged into once it has expired; the next login for the same site
/// and the site's purge drop such leftovers.
/// </para>
/// </summary>
internal sealed partial class TenantLogin : IAsyncDisposable
{
    private readonly PressDataSources _sources;
    private readonly string _database;

    public string Role { get; }
    public string SiteRole { get; }

    /// <summary>The login's connection (pinned search path, unpooled); for the client tools too (PG* environment).</summary>
    public NpgsqlConnectionStringBuilder Connection { get; }

    private TenantLogin(PressDataSources sources, string database, string role, string siteRole, string password)
    {
        _sources = sources;
        _database = database;
        Role = role;
        SiteRole = siteRole;
        Connection = sources.Options.ForLogin(database, role, password);
        Connection.ApplicationName = "press-tenant";
    }

    /// <summary>The site role's own helper logins: its name, <c>_a</c>, 8 random base32 characters.</summary>
    public static bool IsLoginOf(string siteRole, string role) => role.StartsWith(siteRole + "_a", StringComparison.Ordinal) && Shape().IsMatch(role);

    public static async Task<TenantLogin> CreateAsync(PressDataSources sources, string database, string siteRole, TimeSpan validFor,
        CancellationToken ct)
    {
        TenantIdentifier.Require(siteRole);
        var role = siteRole + "_a" + TenantIdentifier.NewId()[2..10];
        var password = SitePassword.New();
        await using var conn = await sources.OpenSitesAsync(database, ct);
        await DropExpiredAsync(conn, siteRole, ct);
        var until = await conn.ScalarAsync<string>("SELECT (pg_catalog.now() + @v)::text", ct, ("v", validFor + TimeSpan.FromMinutes(10)));
        await using (var tx = await conn.BeginTransactionAsync(ct))
        {
            await conn.ExecAsync($"""
                CREATE ROLE {Sql.Ident(role)} LOGIN INHERIT NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS
                    CONNECTION LIMIT 4 VALID UNTIL {Sql.Literal(until!)} PASSWORD {Sql.Literal(ScramVerifier.For(password))}
                """, ct);
            await conn.ExecAsync($"GRANT {Sql.Ident(siteRole)} TO {Sql.Ident(role)} WITH INHERIT TRUE, SET TRUE", ct);
            await tx.CommitAsync(ct);
        }
        return new TenantLogin(sources, database, role, siteRole, password);
    }

    /// <summary>A session of this login acting as the site role (<c>SET ROLE</c>), as the site's own sessions act.</summary>
    public async Task<NpgsqlConnection> OpenAsync(CancellationToken ct)
    {
        var conn = new NpgsqlConnection(Connection.ConnectionString);
        try
        {
            await conn.OpenAsync(ct);
            await conn.ExecAsync($"SET ROLE {Sql.Ident(SiteRole)}", ct);
            return conn;
        }
        catch
        {
            await conn.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Ends the login's sessions and drops it. A failure here must not hide the operation's own outcome, and cannot
    /// hurt: tenant code may have granted the login something (DROP ROLE then refuses), but it expires by itself.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            await using var conn = await _sources.OpenSitesAsync(_database, CancellationToken.None);
            await DropAsync(conn, Role, CancellationToken.None);
        }
        catch (NpgsqlException) { }
    }

    /// <summary>Drops the site's helper logins: the expired ones before a new one is made, all of them on purge.</summary>
    public static async Task<int> DropAllAsync(NpgsqlConnection conn, string siteRole, bool onlyExpired, CancellationToken ct)
    {
        var roles = new List<string>();
        await using (var cmd = Sql.Command(conn, """
            SELECT rolname FROM pg_catalog.pg_roles
            WHERE pg_catalog.starts_with(rolname, @p) AND (NOT @expired OR rolvaliduntil < pg_catalog.now())
            """, ("p", siteRole + "_a"), ("expired", onlyExpired)))
        await using (var r = await cmd.ExecuteReaderAsync(ct))
            while (await r.ReadAsync(ct)) roles.Add(r.GetString(0));
        foreach (var role in roles.Where(r => IsLoginOf(siteRole, r))) await DropAsync(conn, role, ct);
        return roles.Count;
    }

    private static async Task DropExpiredAsync(NpgsqlConnection conn, string siteRole, CancellationToken ct)
    {
        try { await DropAllAsync(conn, siteRole, onlyExpired: true, ct); }
        catch (PostgresException ex) when (ex.SqlState == "2BP01") { } // still holds a grant; tried again next time
    }

    private static async Task DropAsync(NpgsqlConnection conn, string role, CancellationToken ct)
    {
        await conn.ExecAsync("""
            SELECT pg_catalog.pg_terminate_backend(pid, 5000::bigint) FROM pg_catalog.pg_stat_activity WHERE usename = @r
            """, ct, ("r", role));
        await conn.ExecAsync($"DROP ROLE IF EXISTS {Sql.Ident(role)}", ct);
    }

    [GeneratedRegex("^t_[a-z2-7]{20}_a[a-z2-7]{8}\\z")]
    private static partial Regex Shape();
}
