using Press.Core.Identity;

namespace Press.Infrastructure.Postgres;

/// <summary>Local users and API tokens.</summary>
public sealed class IdentityStore(PressDataSources sources, TimeProvider time, LocalPasswordCheck? passwords = null)
{
    private readonly LocalPasswordCheck _passwords = passwords ?? LocalPasswordCheck.Default;

    public sealed record Principal(Guid UserId, string UserName, string Role, Guid? TokenId);

    public sealed record MintedToken(Guid Id, string Name, string Role, string Token, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt);

    /// <summary>Creates or updates the bootstrap admin so the configured password is always the one that works.</summary>
    public async Task EnsureLocalAdminAsync(string userName, string password, CancellationToken ct)
    {
        await using var conn = await sources.Metadata.OpenConnectionAsync(ct);
        var stored = await conn.ScalarAsync<string>("SELECT password_hash FROM users WHERE name = @n", ct, ("n", userName));
        if (stored is not null && PasswordHash.Verify(password, stored)) return;
        await conn.ExecAsync("""
            INSERT INTO users (id, name, role, password_hash, source, created_at) VALUES (@id, @n, 'admin', @h, 'bootstrap', @now)
            ON CONFLICT (name) DO UPDATE SET password_hash = excluded.password_hash, role = 'admin'
            """, ct, ("id", Guid.CreateVersion7()), ("n", userName), ("h", PasswordHash.Create(password)), ("now", time.GetUtcNow()));
    }

    public async Task<Principal?> CheckPasswordAsync(string userName, string password, CancellationToken ct)
    {
        await using var conn = await sources.Metadata.OpenConnectionAsync(ct);
        await using var cmd = Sql.Command(conn, "SELECT id, role, password_hash FROM users WHERE name = @n", ("n", userName));
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var found = await r.ReadAsync(ct);
        var stored = found && !r.IsDBNull(2) ? r.GetString(2) : null;
        return _passwords.Check(password, stored) ? new Principal(r.GetGuid(0), userName, r.GetString(1), null) : null;
    }

    public async Task<Principal?> CheckTokenAsync(string token, CancellationToken ct)
    {
        await using var conn = await sources.Metadata.OpenConnectionAsync(ct);
        var now = time.GetUtcNow();
        Principal principal;
        DateTimeOffset? lastUsed;
        await using (var cmd = Sql.Command(conn, """
            SELECT u.id, u.name, t.role, t.id, t.last_used_at FROM api_tokens t JOIN users u ON u.id = t.user_id
            WHERE t.token_hash = @h AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > @now)
            """, ("h", ApiToken.Hash(token)), ("now", now)))
        await using (var r = await cmd.ExecuteReaderAsync(ct))
        {
            if (!await r.ReadAsync(ct)) return null;
            principal = new Principal(r.GetGuid(0), r.GetString(1), r.GetString(2), r.GetGuid(3));
            lastUsed = Rows.NullableTime(r, 4);
        }
        // last_used_at is for operators, minute precision is plenty: a write (and a commit) on every request
        // would serialise all requests of one token on its row.
        if (lastUsed is null || now - lastUsed > TimeSpan.FromMinutes(1))
            await conn.ExecAsync("UPDATE api_tokens SET last_used_at = @now WHERE id = @id", ct, ("id", principal.TokenId), ("now", now));
        return principal;
    }

    public async Task<MintedToken> MintAsync(Guid userId, string name, string role, TimeSpan? lifetime, CancellationToken ct)
    {
        var token = ApiToken.New();
        var now = time.GetUtcNow();
        var minted = new MintedToken(Guid.CreateVersion7(now), name, role, token, now, lifetime is { } l ? now + l : null);
        await using var conn = await sources.Metadata.OpenConnectionAsync(ct);
        await conn.ExecAsync("""
            INSERT INTO api_tokens (id, user_id, name, role, token_hash, prefix, created_at, expires_at)
            VALUES (@id, @u, @n, @r, @h, @p, @now, @exp)
            """, ct, ("id", minted.Id), ("u", userId), ("n", name), ("r", role), ("h", ApiToken.Hash(token)),
            ("p", ApiToken.Hint(token)), ("now", now), ("exp", minted.ExpiresAt));
        return minted;
    }
}
