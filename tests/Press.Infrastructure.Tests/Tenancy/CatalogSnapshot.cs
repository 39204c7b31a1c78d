namespace Press.Infrastructure.Tests.Tenancy;

/// <summary>Everything the cluster catalog says about one site's role and schema, as one comparable string.</summary>
public static class CatalogSnapshot
{
    // pg_roles masks the password; a re-applied password gets a fresh SCRAM salt, so pg_authid would always differ.
    private const string Sql = """
        SELECT json_build_object(
          'role', (SELECT row_to_json(r) FROM (
              SELECT rolname, rolsuper, rolinherit, rolcreaterole, rolcreatedb, rolcanlogin, rolreplication, rolbypassrls,
                     rolconnlimit, rolconfig
              FROM pg_roles WHERE rolname = @role) r),
          'settings', (SELECT json_agg(s ORDER BY s) FROM (
              SELECT coalesce(d.datname, '*') || ':' || array_to_string(setconfig, ',') AS s
              FROM pg_db_role_setting x LEFT JOIN pg_database d ON d.oid = x.setdatabase
              WHERE x.setrole = (SELECT oid FROM pg_roles WHERE rolname = @role)) s),
          'members', (SELECT json_agg(m ORDER BY m) FROM (
              SELECT concat_ws(' ', pg_get_userbyid(roleid), 'to', pg_get_userbyid(member), 'by', pg_get_userbyid(grantor),
                               'admin=' || admin_option::text, 'inherit=' || inherit_option::text, 'set=' || set_option::text) AS m
              FROM pg_auth_members
              WHERE roleid = (SELECT oid FROM pg_roles WHERE rolname = @role)
                 OR member = (SELECT oid FROM pg_roles WHERE rolname = @role)) m),
          'schema', (SELECT row_to_json(n) FROM (
              SELECT nspname, pg_get_userbyid(nspowner) AS owner, nspacl::text AS acl
              FROM pg_namespace WHERE nspname = @schema) n),
          'database_acl', (SELECT datacl::text FROM pg_database WHERE datname = current_database())
        )::text
        """;

    public static async Task<string> TakeAsync(InfraFixture f, TestSite site) =>
        await f.SuperScalarInAsync<string>(f.Db.SitesDatabase, Sql, ("role", site.Role), ("schema", site.Schema))
        ?? throw new InvalidOperationException("snapshot query returned nothing");
}
