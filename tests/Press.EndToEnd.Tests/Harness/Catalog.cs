using Npgsql;
using Press.Testing;

namespace Press.EndToEnd.Tests.Harness;

/// <summary>What PostgreSQL itself says about a site's role and schema (superuser reads, assertions only).</summary>
public static class Catalog
{
    public sealed record Tenant(long Roles, long Schemas, string? SchemaOwner, bool? CanLogin, string[] RoleConfig, bool? CanConnect);

    /// <param name="identifier">The site's schema name; its role has the same opaque identifier.</param>
    /// <remarks>The schema is looked for in every site database of the installation (docs/architecture.md §16: a site
    /// lands in the first one with room), and judged in the one that holds it.</remarks>
    public static async Task<Tenant> InspectAsync(PressDatabase db, string identifier)
    {
        long schemas = 0;
        string? home = null;
        foreach (var database in await SiteDatabasesAsync(db))
        {
            await using var site = await db.OpenAsSuperuserAsync(database);
            var here = await Scalar<long>(site, "SELECT count(*) FROM pg_namespace WHERE nspname = @i", identifier);
            schemas += here;
            if (here > 0) home ??= database;
        }
        await using var conn = await db.OpenAsSuperuserAsync(home);
        var roles = await Scalar<long>(conn, "SELECT count(*) FROM pg_roles WHERE rolname = @i", identifier);
        var owner = await Scalar<string?>(conn, "SELECT pg_get_userbyid(nspowner)::text FROM pg_namespace WHERE nspname = @i", identifier);
        var canLogin = await Scalar<bool?>(conn, "SELECT rolcanlogin FROM pg_roles WHERE rolname = @i", identifier);
        var config = await Scalar<string[]?>(conn, "SELECT rolconfig FROM pg_roles WHERE rolname = @i", identifier) ?? [];
        var canConnect = roles == 1
            ? await Scalar<bool?>(conn, "SELECT has_database_privilege(@i::name, current_database(), 'CONNECT')", identifier)
            : null;
        return new Tenant(roles, schemas, owner, canLogin, config, canConnect);
    }

    public sealed record Installation(long SiteRoles, long SiteSchemas, long LiveSites);

    /// <summary>
    /// Counts over this installation only: site roles the Press role was made a member of (PG16 grants the creator
    /// ADMIN on every role it creates), tenant schemas in its sites database, and its non-purged site records.
    /// </summary>
    public static async Task<Installation> CountAsync(PressDatabase db)
    {
        await using var sites = await db.OpenAsSuperuserAsync();
        var roles = await Scalar<long>(sites, """
            SELECT count(DISTINCT m.roleid) FROM pg_auth_members m
            JOIN pg_roles r ON r.oid = m.roleid JOIN pg_roles p ON p.oid = m.member
            WHERE p.rolname = @i AND r.rolname LIKE 't\_%'
            """, db.PressRole);
        long schemas = 0;
        foreach (var database in await SiteDatabasesAsync(db))
        {
            await using var site = await db.OpenAsSuperuserAsync(database);
            schemas += await Scalar<long>(site, "SELECT count(*) FROM pg_namespace WHERE nspname LIKE 't\\_%'");
        }
        await using var meta = await db.OpenAsSuperuserAsync(db.MetadataDatabase);
        var live = await Scalar<long>(meta, "SELECT count(*) FROM sites WHERE state <> 'Purged'");
        return new Installation(roles, schemas, live);
    }

    /// <summary>A superuser session in the site database that holds <paramref name="schema"/> (the first one when none
    /// does, e.g. before the restore that makes it).</summary>
    public static async Task<NpgsqlConnection> OpenSchemaHomeAsync(PressDatabase db, string schema)
    {
        foreach (var database in await SiteDatabasesAsync(db))
        {
            var conn = await db.OpenAsSuperuserAsync(database);
            if (await Scalar<long>(conn, "SELECT count(*) FROM pg_namespace WHERE nspname = @i", schema) > 0) return conn;
            await conn.DisposeAsync();
        }
        return await db.OpenAsSuperuserAsync();
    }

    /// <summary>The installation's site databases: the first, and those Press made after it (<c>_002</c>, …).</summary>
    private static async Task<IReadOnlyList<string>> SiteDatabasesAsync(PressDatabase db)
    {
        await using var conn = await db.OpenAsSuperuserAsync("postgres");
        await using var cmd = new NpgsqlCommand(
            "SELECT datname FROM pg_database WHERE datname = @i OR starts_with(datname, @i || '_') ORDER BY datname", conn);
        cmd.Parameters.AddWithValue("i", db.SitesDatabase);
        var names = new List<string>();
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync()) names.Add(r.GetString(0));
        return names;
    }

    public static async Task<T> Scalar<T>(NpgsqlConnection conn, string sql, string? parameter = null)
    {
        await using var cmd = new NpgsqlCommand(sql, conn);
        if (parameter is not null) cmd.Parameters.AddWithValue("i", parameter);
        var value = await cmd.ExecuteScalarAsync();
        return value is null or DBNull ? default! : (T)value;
    }
}
