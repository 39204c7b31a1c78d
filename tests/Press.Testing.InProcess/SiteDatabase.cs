using Npgsql;
using Press.Infrastructure.Secrets;
using Press.Testing;

namespace Press.Testing.InProcess;

/// <summary>Looks at a site from the database side: its role, schema, and a connection as the site itself.</summary>
public static class SiteDatabase
{
    public sealed record Facts(string Role, string Schema, bool RoleExists, bool CanLogin, bool SchemaExists);

    public static async Task<Facts> InspectAsync(this PressDatabase db, string siteName)
    {
        var (role, schema, _) = await RowAsync(db, siteName);
        await using var conn = await db.OpenAsSuperuserAsync();
        await using var cmd = new NpgsqlCommand("""
            SELECT (SELECT rolcanlogin FROM pg_roles WHERE rolname = @r),
                   EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = @s)
            """, conn);
        cmd.Parameters.AddWithValue("r", role);
        cmd.Parameters.AddWithValue("s", schema);
        await using var r = await cmd.ExecuteReaderAsync();
        await r.ReadAsync();
        return new Facts(role, schema, !r.IsDBNull(0), !r.IsDBNull(0) && r.GetBoolean(0), r.GetBoolean(1));
    }

    /// <summary>A connection as the site's own role, with its password decrypted the way the worker does.</summary>
    public static async Task<NpgsqlConnection> ConnectAsSiteAsync(this PressDatabase db, string siteName)
    {
        var (role, _, _) = await RowAsync(db, siteName);
        var conn = db.ConnectionAs(role, await SitePasswordAsync(db, siteName));
        await conn.OpenAsync();
        return conn;
    }

    public static async Task<string> SitePasswordAsync(this PressDatabase db, string siteName) =>
        new AesGcmSecretProtector(new SecretsOptions { Key = db.SecretsKey }).Unprotect((await RowAsync(db, siteName)).Password);

    private static async Task<(string Role, string Schema, byte[] Password)> RowAsync(PressDatabase db, string siteName)
    {
        await using var conn = await db.OpenAsSuperuserAsync(db.MetadataDatabase);
        await using var cmd = new NpgsqlCommand(
            "SELECT role_name, schema_name, password_enc FROM sites WHERE name = @n ORDER BY created_at DESC LIMIT 1", conn);
        cmd.Parameters.AddWithValue("n", siteName);
        await using var r = await cmd.ExecuteReaderAsync();
        Assert.True(await r.ReadAsync(), $"no site row for {siteName}");
        return (r.GetString(0), r.GetString(1), r.GetFieldValue<byte[]>(2));
    }

    public static async Task<long> CountAsync(this PressDatabase db, string sql, string? database = null)
    {
        await using var conn = await db.OpenAsSuperuserAsync(database);
        await using var cmd = new NpgsqlCommand(sql, conn);
        return Convert.ToInt64(await cmd.ExecuteScalarAsync());
    }
}
