using Npgsql;
using Press.Core.Identity;

namespace Press.Infrastructure.Postgres;

/// <summary>What admins do to accounts: list, create local ones, disable, enable, reset a local password.</summary>
public sealed class UserStore(PressDataSources sources, TimeProvider time, IdentityStore identity)
{
    public sealed record UserRecord(Guid Id, string Name, string Kind, string Role, bool BreakGlass, bool Disabled, string? Issuer,
        string? Subject, string? DisplayName, DateTimeOffset CreatedAt, DateTimeOffset? LastLoginAt);

    private const string Columns = """
        id, name, CASE WHEN issuer IS NULL THEN 'local' ELSE 'sso' END, role, break_glass, disabled_at IS NOT NULL, issuer, subject,
        display_name, created_at, last_login_at
        """;

    public async Task<IReadOnlyList<UserRecord>> ListAsync(CancellationToken ct)
    {
        await using var conn = await sources.Metadata.OpenConnectionAsync(ct);
        await using var cmd = Sql.Command(conn, $"SELECT {Columns} FROM users ORDER BY name");
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var users = new List<UserRecord>();
        while (await r.ReadAsync(ct)) users.Add(Read(r));
        return users;
    }

    /// <summary>By name, or by id (single sign-on people's names hold the issuer's URL, awkward in a path).</summary>
    public async Task<UserRecord?> FindAsync(string nameOrId, CancellationToken ct)
    {
        await using var conn = await sources.Metadata.OpenConnectionAsync(ct);
        await using var cmd = Guid.TryParse(nameOrId, out var id)
            ? Sql.Command(conn, $"SELECT {Columns} FROM users WHERE id = @id", ("id", id))
            : Sql.Command(conn, $"SELECT {Columns} FROM users WHERE name = @n", ("n", nameOrId));
        await using var r = await cmd.ExecuteReaderAsync(ct);
        return await r.ReadAsync(ct) ? Read(r) : null;
    }

    /// <summary>Creates a local account with <paramref name="password"/> (hashed); null when the name is taken.</summary>
    public async Task<UserRecord?> CreateLocalAsync(string name, string role, bool breakGlass, string password, CancellationToken ct)
    {
        await using var conn = await sources.Metadata.OpenConnectionAsync(ct);
        await using var cmd = Sql.Command(conn, $"""
            INSERT INTO users (id, name, role, password_hash, source, created_at, break_glass)
            VALUES (@id, @n, @r, @h, 'local', @now, @bg) ON CONFLICT (name) DO NOTHING
            RETURNING {Columns}
            """, ("id", Guid.CreateVersion7()), ("n", name), ("r", role), ("h", identity.Passwords.Create(password)),
            ("now", time.GetUtcNow()), ("bg", breakGlass));
        await using var r = await cmd.ExecuteReaderAsync(ct);
        return await r.ReadAsync(ct) ? Read(r) : null;
    }

    /// <summary>Disables or enables; false when there is no such user.</summary>
    public async Task<bool> SetDisabledAsync(Guid id, bool disabled, CancellationToken ct)
    {
        await using var conn = await sources.Metadata.OpenConnectionAsync(ct);
        return await conn.ExecAsync("""
            UPDATE users SET disabled_at = CASE WHEN @d THEN coalesce(disabled_at, @now) END WHERE id = @id
            """, ct, ("id", id), ("d", disabled), ("now", time.GetUtcNow())) == 1;
    }

    /// <summary>Sets a new password on a local account; false when it is not a local account.</summary>
    public async Task<bool> SetPasswordAsync(Guid id, string password, CancellationToken ct)
    {
        await using var conn = await sources.Metadata.OpenConnectionAsync(ct);
        return await conn.ExecAsync("UPDATE users SET password_hash = @h WHERE id = @id AND issuer IS NULL", ct,
            ("id", id), ("h", identity.Passwords.Create(password))) == 1;
    }

    private static UserRecord Read(NpgsqlDataReader r) => new(r.GetGuid(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetBoolean(4),
        r.GetBoolean(5), r.IsDBNull(6) ? null : r.GetString(6), r.IsDBNull(7) ? null : r.GetString(7), r.IsDBNull(8) ? null : r.GetString(8),
        r.GetFieldValue<DateTimeOffset>(9), Rows.NullableTime(r, 10));
}
