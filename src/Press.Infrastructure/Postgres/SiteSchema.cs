using Npgsql;
using Press.Core.Jobs;
using Press.Core.Ports;
using Press.Core.Sites;

namespace Press.Infrastructure.Postgres;

/// <summary>
/// The install state of a site's schema, and emptying it before new-site runs again, both in a helper login's session
/// acting as the site role (<see cref="TenantLogin"/>, docs/architecture.md §4): the catalog read is harmless, but
/// reading <c>"tabInstalled Application"</c> runs the tenant's row-level security, and DROP … CASCADE is the tenant's
/// own business. Names come from the catalog and are always quoted.
/// </summary>
public sealed class SiteSchema(PressDataSources sources) : ISiteSchema
{
    private static readonly TimeSpan LoginFor = TimeSpan.FromMinutes(10);

    // Relations, routines and free-standing types (a table's row type goes with its table): what Frappe creates.
    private const string ObjectsSql = """
        SELECT 'rel', c.relkind::text, c.relname, '' FROM pg_catalog.pg_class c
         WHERE c.relnamespace = @s::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
        UNION ALL
        SELECT 'proc', p.prokind::text, p.proname, pg_catalog.pg_get_function_identity_arguments(p.oid) FROM pg_catalog.pg_proc p
         WHERE p.pronamespace = @s::regnamespace
        UNION ALL
        SELECT 'type', t.typtype::text, t.typname, '' FROM pg_catalog.pg_type t
         WHERE t.typnamespace = @s::regnamespace AND t.typtype IN ('d', 'e', 'r', 'm')
            OR (t.typnamespace = @s::regnamespace AND t.typtype = 'c'
                AND (SELECT c.relkind FROM pg_catalog.pg_class c WHERE c.oid = t.typrelid) = 'c')
        """;

    public async Task<SchemaInstall> InspectInstallAsync(Site site, CancellationToken ct)
    {
        await using var login = await TenantLogin.CreateAsync(sources, site.Location.Database, site.RoleName, LoginFor, ct);
        await using var conn = await login.OpenAsync(ct);
        var objects = (await ObjectsAsync(conn, site.Location.Schema, ct)).Count;
        var table = $"{Sql.Ident(site.Location.Schema)}.{Sql.Ident("tabInstalled Application")}";
        if (!await conn.ScalarAsync<bool>("SELECT pg_catalog.to_regclass(@t) IS NOT NULL", ct, ("t", table)))
            return new SchemaInstall(objects, null);
        var apps = new List<string>();
        await using (var cmd = new NpgsqlCommand($"SELECT app_name FROM {table}", conn))
        await using (var r = await cmd.ExecuteReaderAsync(ct))
            while (await r.ReadAsync(ct)) apps.Add(r.GetString(0));
        return new SchemaInstall(objects, apps);
    }

    public async Task<string> EmptyAsync(Site site, CancellationToken ct)
    {
        var schema = site.Location.Schema;
        await using var login = await TenantLogin.CreateAsync(sources, site.Location.Database, site.RoleName, LoginFor, ct);
        await using var conn = await login.OpenAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var dropped = 0;
        // CASCADE takes dependants along, so later names may be gone already: IF EXISTS. Relations first, then what is left.
        foreach (var (kind, sub, name, args) in await ObjectsAsync(conn, schema, ct))
        {
            var target = $"{Sql.Ident(schema)}.{Sql.Ident(name)}";
            var drop = (kind, sub) switch
            {
                ("rel", "r" or "p") => $"DROP TABLE IF EXISTS {target} CASCADE",
                ("rel", "v") => $"DROP VIEW IF EXISTS {target} CASCADE",
                ("rel", "m") => $"DROP MATERIALIZED VIEW IF EXISTS {target} CASCADE",
                ("rel", "S") => $"DROP SEQUENCE IF EXISTS {target} CASCADE",
                ("rel", "f") => $"DROP FOREIGN TABLE IF EXISTS {target} CASCADE",
                ("proc", "a") => $"DROP AGGREGATE IF EXISTS {target}({args}) CASCADE",
                ("proc", _) => $"DROP ROUTINE IF EXISTS {target}({args}) CASCADE",
                ("type", "d") => $"DROP DOMAIN IF EXISTS {target} CASCADE",
                _ => $"DROP TYPE IF EXISTS {target} CASCADE",
            };
            await conn.ExecAsync(drop, ct);
            dropped++;
        }
        var left = await ObjectsAsync(conn, schema, ct);
        if (left.Count > 0)
            throw new StepFailedException(FailureKind.Permanent,
                $"schema {schema} still holds {left.Count} object(s) after emptying it: {string.Join(", ", left.Take(5).Select(o => o.Name))}");
        await tx.CommitAsync(ct);
        return $"emptied schema {schema} as the site ({dropped} object(s) dropped)";
    }

    private static async Task<List<(string Kind, string Sub, string Name, string Args)>> ObjectsAsync(NpgsqlConnection conn, string schema, CancellationToken ct)
    {
        var list = new List<(string, string, string, string)>();
        await using (var cmd = Sql.Command(conn, ObjectsSql, ("s", Sql.Ident(schema))))
        await using (var r = await cmd.ExecuteReaderAsync(ct))
            while (await r.ReadAsync(ct)) list.Add((r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3)));
        // Relations first (their row types and owned sequences go with them), then routines, then the types left.
        return list.OrderBy(o => o.Item1 switch { "rel" => 0, "proc" => 1, _ => 2 }).ThenBy(o => o.Item3, StringComparer.Ordinal).ToList();
    }
}
