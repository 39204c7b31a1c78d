using Npgsql;
using Press.Core.Tenancy;

namespace Press.Infrastructure.Postgres;

/// <summary>Small helpers so every statement is parameterised and every identifier quoted.</summary>
internal static class Sql
{
    /// <summary>Quotes an identifier the way PostgreSQL does. Tenant identifiers are also shape-checked first.</summary>
    public static string Ident(string name) => "\"" + name.Replace("\"", "\"\"") + "\"";

    public static string Tenant(string identifier) => Ident(TenantIdentifier.Require(identifier));

    /// <summary>
    /// A string literal for the few utility statements that take no parameters (CREATE ROLE … PASSWORD). Only used
    /// for values Press generated itself; standard_conforming_strings is on in every supported version.
    /// </summary>
    public static string Literal(string value) => "'" + value.Replace("'", "''") + "'";

    public static NpgsqlCommand Command(NpgsqlConnection conn, string sql, params (string Name, object? Value)[] args)
    {
        var cmd = new NpgsqlCommand(sql, conn);
        foreach (var (n, v) in args) cmd.Parameters.AddWithValue(n, v ?? DBNull.Value);
        return cmd;
    }

    public static async Task<int> ExecAsync(this NpgsqlConnection conn, string sql, CancellationToken ct, params (string, object?)[] args)
    {
        await using var cmd = Command(conn, sql, args);
        return await cmd.ExecuteNonQueryAsync(ct);
    }

    public static async Task<T?> ScalarAsync<T>(this NpgsqlConnection conn, string sql, CancellationToken ct, params (string, object?)[] args)
    {
        await using var cmd = Command(conn, sql, args);
        var value = await cmd.ExecuteScalarAsync(ct);
        return value is null or DBNull ? default : (T)value;
    }
}
