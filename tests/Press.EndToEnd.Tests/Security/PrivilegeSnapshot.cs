using Npgsql;
using Press.Testing;

namespace Press.EndToEnd.Tests.Security;

/// <summary>
/// One privilege a role holds, as the catalog says it (superuser reads): <paramref name="Kind"/> of grant,
/// <paramref name="Holder"/> who holds it, <paramref name="Detail"/> what exactly.
/// </summary>
public sealed record Privilege(string Kind, string Holder, string Detail)
{
    public override string ToString() => $"{Kind} {Holder}: {Detail}";
}

/// <summary>
/// Everything the roles of one installation hold in the cluster: memberships (both directions), role attributes and
/// settings, password hashes, database and parameter ACLs, and the owners and ACLs of every schema, relation and
/// default ACL in the sites database — except what belongs to the roles the caller says may change their own
/// (a tenant may share its own schema with anyone; what it must never do is gain something it did not own).
/// </summary>
public static class PrivilegeSnapshot
{
    /// <param name="roles">Press's role and every site role of the installation; roles whose names start with a site
    /// role's (a helper login left behind) are included too.</param>
    /// <param name="ownOnly">Roles whose own schemas and objects are left out: the tenant under test.</param>
    public static async Task<HashSet<Privilege>> TakeAsync(PressDatabase db, IReadOnlyCollection<string> roles, IReadOnlyCollection<string> ownOnly)
    {
        var set = new HashSet<Privilege>();
        await using var conn = await db.OpenAsSuperuserAsync();
        var all = await ReadAsync(conn, """
            SELECT rolname FROM pg_roles r
            WHERE r.rolname = ANY(@roles) OR EXISTS (SELECT 1 FROM unnest(@roles) s(n) WHERE r.rolname LIKE s.n || '\_%')
            """, roles.ToArray(), ownOnly);
        var names = all.Select(r => r[0]).ToArray();
        foreach (var r in await ReadAsync(conn, """
            SELECT g.rolname, m.rolname, a.admin_option, a.inherit_option, a.set_option
            FROM pg_auth_members a JOIN pg_roles g ON g.oid = a.roleid JOIN pg_roles m ON m.oid = a.member
            WHERE g.rolname = ANY(@roles) OR m.rolname = ANY(@roles)
            """, names, ownOnly))
            set.Add(new("member", r[1], $"of {r[0]} admin={r[2]} inherit={r[3]} set={r[4]}"));
        foreach (var r in await ReadAsync(conn, """
            SELECT r.rolname, r.rolsuper, r.rolinherit, r.rolcreaterole, r.rolcreatedb, r.rolreplication, r.rolbypassrls, r.rolconnlimit,
                   coalesce(r.rolvaliduntil::text, '-'), coalesce(array_to_string(r.rolconfig, ','), '-'), r.rolcanlogin,
                   md5(coalesce(a.rolpassword, ''))
            FROM pg_roles r JOIN pg_authid a ON a.oid = r.oid WHERE r.rolname = ANY(@roles)
            """, names, ownOnly))
        {
            set.Add(new("attributes", r[0], $"super={r[1]} inherit={r[2]} createrole={r[3]} createdb={r[4]} replication={r[5]} bypassrls={r[6]} connlimit={r[7]} validuntil={r[8]}"));
            set.Add(new("settings", r[0], r[9]));
            set.Add(new("login", r[0], r[10]));
            set.Add(new("password", r[0], r[11]));
        }
        foreach (var r in await ReadAsync(conn, """
            SELECT d.datname, CASE WHEN e.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(e.grantee) END, e.privilege_type, e.is_grantable
            FROM pg_database d, aclexplode(coalesce(d.datacl, acldefault('d', d.datdba))) e
            WHERE d.datname = ANY(@dbs)
            """, names, ownOnly, ("dbs", (object)new[] { db.SitesDatabase, db.MetadataDatabase, "postgres", "template1" })))
            set.Add(new("database", r[1], $"{r[2]} on {r[0]} grantable={r[3]}"));
        foreach (var r in await ReadAsync(conn, """
            SELECT p.parname, pg_get_userbyid(e.grantee), e.privilege_type
            FROM pg_parameter_acl p, aclexplode(p.paracl) e WHERE pg_get_userbyid(e.grantee) = ANY(@roles)
            """, names, ownOnly))
            set.Add(new("parameter", r[1], $"{r[2]} on {r[0]}"));
        // Objects of the sites database whose owner is not the tenant under test.
        foreach (var r in await ReadAsync(conn, """
            SELECT n.nspname, pg_get_userbyid(n.nspowner) FROM pg_namespace n WHERE pg_get_userbyid(n.nspowner) <> ALL(@own)
            """, names, ownOnly))
            set.Add(new("schema owner", r[1], r[0]));
        foreach (var r in await ReadAsync(conn, """
            SELECT n.nspname, CASE WHEN e.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(e.grantee) END, e.privilege_type, e.is_grantable
            FROM pg_namespace n, aclexplode(n.nspacl) e WHERE pg_get_userbyid(n.nspowner) <> ALL(@own)
            """, names, ownOnly))
            set.Add(new("schema", r[1], $"{r[2]} on {r[0]} grantable={r[3]}"));
        foreach (var r in await ReadAsync(conn, """
            SELECT n.nspname || '.' || c.relname, CASE WHEN e.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(e.grantee) END,
                   e.privilege_type, pg_get_userbyid(c.relowner)
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace, aclexplode(c.relacl) e
            WHERE pg_get_userbyid(c.relowner) <> ALL(@own) AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
            """, names, ownOnly))
            set.Add(new("relation", r[1], $"{r[2]} on {r[0]} (owner {r[3]})"));
        foreach (var r in await ReadAsync(conn, """
            SELECT pg_get_userbyid(d.defaclrole), d.defaclobjtype::text, coalesce(n.nspname, '*'),
                   CASE WHEN e.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(e.grantee) END, e.privilege_type
            FROM pg_default_acl d LEFT JOIN pg_namespace n ON n.oid = d.defaclnamespace, aclexplode(d.defaclacl) e
            WHERE pg_get_userbyid(d.defaclrole) <> ALL(@own)
            """, names, ownOnly))
            set.Add(new("default privilege", r[3], $"{r[4]} on new {r[1]} of {r[0]} in {r[2]}"));
        return set;
    }

    private static async Task<List<string[]>> ReadAsync(NpgsqlConnection conn, string sql, string[] roles, IReadOnlyCollection<string> own,
        params (string Name, object Value)[] more)
    {
        await using var cmd = new NpgsqlCommand(sql, conn);
        if (sql.Contains("@roles", StringComparison.Ordinal)) cmd.Parameters.AddWithValue("roles", roles);
        if (sql.Contains("@own", StringComparison.Ordinal)) cmd.Parameters.AddWithValue("own", own.ToArray());
        foreach (var (n, v) in more) cmd.Parameters.AddWithValue(n, v);
        var rows = new List<string[]>();
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync()) rows.Add(Enumerable.Range(0, r.FieldCount).Select(i => Text(r.GetValue(i))).ToArray());
        return rows;
    }

    private static string Text(object value) => value switch
    {
        DBNull => "null",
        bool b => b ? "true" : "false",
        _ => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? "null",
    };
}
