using Npgsql;
using Press.FrappeDouble.Cli;

namespace Press.FrappeDouble.Site;

/// <summary>
/// The site's database as its own login role (site_config db_user/db_password on db_name). Table names are always
/// unqualified, so where they land is decided by the search_path: Frappe's initial import relies on the role's
/// search_path (plain psql, no SET), while Frappe v16's connect() runs <c>SET search_path TO db_schema</c>.
/// </summary>
public static class SiteDatabase
{
    /// <summary>Connection as the site role, with nothing added: search_path is whatever the role gives.</summary>
    public static async Task<NpgsqlConnection> OpenRawAsync(SiteConfig config, CancellationToken ct = default)
    {
        if (!int.TryParse(config.String("db_port") ?? "5432", out var port))
            throw new BenchException($"site_config db_port is not a number: {config.String("db_port")}");
        var user = config.String("db_user") ?? config.String("db_name"); // v16 falls back to db_name
        var cs = new NpgsqlConnectionStringBuilder
        {
            Host = config.String("db_host") ?? "127.0.0.1",
            Port = port,
            Database = config.String("db_name"),
            Username = user,
            Password = config.String("db_password"),
            // Frappe connects per request/command; no pool keeps a session (or its search_path) alive between them.
            Pooling = false,
            Timeout = 10,
            CommandTimeout = 0,
            ApplicationName = "frappe-test-double",
            // libpq (psycopg, so Frappe) sends PGOPTIONS from the environment as the startup options, e.g.
            // "-c statement_timeout=0"; Npgsql reads no such variable, so the double passes it on itself.
            Options = Environment.GetEnvironmentVariable("PGOPTIONS"),
            // No client-side limit: statement_timeout (the role's, or PGOPTIONS's) is what ends a long statement.
        };
        var conn = new NpgsqlConnection(cs.ConnectionString);
        await conn.OpenAsync(ct);
        return conn;
    }

    /// <summary>Frappe v16's connect(): the site role, then <c>SET search_path TO db_schema</c> (default public).</summary>
    public static async Task<NpgsqlConnection> OpenAsync(SiteConfig config, CancellationToken ct = default)
    {
        var conn = await OpenRawAsync(config, ct);
        try
        {
            var schema = config.String("db_schema") is { Length: > 0 } s ? s : "public";
            await ExecAsync(conn, $"SET search_path TO {Quote(schema)}", ct);
            return conn;
        }
        catch
        {
            await conn.DisposeAsync();
            throw;
        }
    }

    public static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"") + "\"";

    public static async Task ExecAsync(NpgsqlConnection conn, string sql, CancellationToken ct = default, params object?[] args)
    {
        await using var cmd = Command(conn, sql, args);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    public static async Task<object?> ScalarAsync(NpgsqlConnection conn, string sql, CancellationToken ct = default, params object?[] args)
    {
        await using var cmd = Command(conn, sql, args);
        return await cmd.ExecuteScalarAsync(ct);
    }

    /// <summary>A command with positional parameters <c>$1, $2, …</c>.</summary>
    private static NpgsqlCommand Command(NpgsqlConnection conn, string sql, object?[] args)
    {
        var cmd = new NpgsqlCommand(sql, conn);
        foreach (var a in args) cmd.Parameters.Add(new NpgsqlParameter { Value = a ?? DBNull.Value });
        return cmd;
    }
}
