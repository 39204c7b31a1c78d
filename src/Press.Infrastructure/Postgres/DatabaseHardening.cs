using Npgsql;

namespace Press.Infrastructure.Postgres;

/// <summary>
/// What keeps site roles out of Press's databases but the one they are granted (docs/architecture.md §4, §16): PUBLIC
/// loses CONNECT and TEMPORARY on the database (every role may connect where PUBLIC may), Press keeps them, and schema
/// <c>public</c> inside is Press's alone. Bootstrap applies it as the superuser to <c>press</c> and the first sites
/// database; the create-site-database step applies the very same statements as Press, the owner of the databases it
/// creates. Idempotent.
/// </summary>
internal static class DatabaseHardening
{
    /// <summary>
    /// Whether <see cref="ApplyAsync"/>'s outcome already holds, read without writing: every new site's
    /// create-site-database step asks first, so that creates do not all rewrite their database's pg_database row (the row
    /// configure-role's GRANT CONNECT rewrites too; concurrent rewrites of one row wait on each other).
    /// </summary>
    public static async Task<bool> IsAppliedAsync(NpgsqlConnection cluster, Func<CancellationToken, Task<NpgsqlConnection>> openDatabase,
        string database, CancellationToken ct)
    {
        var closed = await cluster.ScalarAsync<bool>("""
            SELECT NOT pg_catalog.has_database_privilege('public', @d, 'CONNECT')
               AND NOT pg_catalog.has_database_privilege('public', @d, 'TEMPORARY')
               AND pg_catalog.has_database_privilege(current_user, @d, 'CONNECT')
            """, ct, ("d", database));
        if (!closed) return false;
        await using var conn = await openDatabase(ct);
        return await conn.ScalarAsync<bool>("""
            SELECT NOT pg_catalog.has_schema_privilege('public', 'public', 'USAGE')
               AND NOT pg_catalog.has_schema_privilege('public', 'public', 'CREATE')
            """, ct);
    }

    /// <param name="cluster">A session in any database of the cluster, allowed to grant on <paramref name="database"/>.</param>
    /// <param name="openDatabase">Opens a session, with the same powers, in <paramref name="database"/> itself.</param>
    /// <param name="pressRole">Press's role as SQL (a quoted name, or CURRENT_USER).</param>
    public static async Task ApplyAsync(NpgsqlConnection cluster, Func<CancellationToken, Task<NpgsqlConnection>> openDatabase,
        string database, string pressRole, CancellationToken ct)
    {
        await cluster.ExecAsync($"REVOKE CONNECT, TEMPORARY ON DATABASE {Sql.Ident(database)} FROM PUBLIC", ct);
        await cluster.ExecAsync($"GRANT CONNECT, TEMPORARY ON DATABASE {Sql.Ident(database)} TO {pressRole}", ct);
        await using var conn = await openDatabase(ct);
        // Site roles get nothing in public; Press's own tables live there in `press`, owned by Press.
        await conn.ExecAsync("REVOKE ALL ON SCHEMA public FROM PUBLIC", ct);
        await conn.ExecAsync($"GRANT ALL ON SCHEMA public TO {pressRole}", ct);
    }
}
