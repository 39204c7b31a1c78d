using Press.Core.Identity;
using Press.Infrastructure.Identity;

namespace Press.Infrastructure.Postgres;

/// <summary>People (local accounts, single sign-on people) and API tokens. Sessions: <see cref="SessionStore"/>.</summary>
public sealed class IdentityStore(PressDataSources sources, TimeProvider time, LocalPasswordCheck? passwords = null)
{
    private readonly LocalPasswordCheck _passwords = passwords ?? new LocalPasswordCheck(StandardPasswordHasher.Instance);

    public LocalPasswordCheck Passwords => _passwords;

    /// <summary>Who a credential belongs to; for a token also which one and when it expires (null for a password login).</summary>
    public sealed record Principal(Guid UserId, string UserName, string Role, Guid? TokenId, DateTimeOffset? TokenExpiresAt = null);

    public sealed record MintedToken(Guid Id, string Name, string Role, string Token, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt, Guid? ParentId);

    /// <summary>A token as listed: everything but its secret (<see cref="Hint"/> is its first characters).</summary>
    public sealed record TokenRecord(Guid Id, string UserName, string Name, string Role, string Hint, DateTimeOffset CreatedAt,
        DateTimeOffset ExpiresAt, DateTimeOffset? RevokedAt, DateTimeOffset? LastUsedAt, Guid? ParentId);

    /// <summary>
    /// Creates or updates the bootstrap admin so the configured password is always the one that works. A new one is
    /// break-glass (may log in locally while single sign-on works); an admin's later changes (disabled) are kept.
    /// </summary>
    public async Task EnsureLocalAdminAsync(string userName, string password, CancellationToken ct)
    {
        await using var conn = await sources.Metadata.OpenConnectionAsync(ct);
        var stored = await conn.ScalarAsync<string>("SELECT password_hash FROM users WHERE name = @n", ct, ("n", userName));
        if (stored is not null && _passwords.Check(password, stored)) return;
        await conn.ExecAsync("""
            INSERT INTO users (id, name, role, password_hash, source, created_at, break_glass) VALUES (@id, @n, 'admin', @h, 'bootstrap', @now, true)
            ON CONFLICT (name) DO UPDATE SET password_hash = excluded.password_hash, role = 'admin'
            """, ct, ("id", Guid.CreateVersion7()), ("n", userName), ("h", _passwords.Create(password)), ("now", time.GetUtcNow()));
    }

    /// <summary>
    /// Checks a local password: the account (null when unknown or single sign-on) and whether the password matched. The
    /// hash runs whether or not the account exists (<see cref="LocalPasswordCheck"/>). A right password whose hash uses an
    /// older scheme is rehashed in place.
    /// </summary>
    public async Task<(LocalAccount? Account, bool PasswordRight)> CheckLocalAsync(string userName, string password, CancellationToken ct)
    {
        await using var conn = await sources.Metadata.OpenConnectionAsync(ct);
        LocalAccount? account = null;
        string? stored = null;
        await using (var cmd = Sql.Command(conn, """
            SELECT id, role, password_hash, disabled_at IS NOT NULL, break_glass, source = 'bootstrap' FROM users
            WHERE name = @n AND issuer IS NULL
            """, ("n", userName)))
        await using (var r = await cmd.ExecuteReaderAsync(ct))
        {
            if (await r.ReadAsync(ct))
            {
                stored = r.IsDBNull(2) ? null : r.GetString(2);
                account = new LocalAccount(r.GetGuid(0), userName, r.GetString(1), r.GetBoolean(3), r.GetBoolean(4), r.GetBoolean(5));
            }
        }
        var right = _passwords.Check(password, stored);
        if (right && account is not null && _passwords.NeedsUpgrade(stored!))
            await conn.ExecAsync("UPDATE users SET password_hash = @h WHERE id = @id AND password_hash = @old", ct,
                ("h", _passwords.Create(password)), ("id", account.Id), ("old", stored));
        return (account, right);
    }

    /// <summary>The principal of a right password for an enabled local account (login rules aside); else null.</summary>
    public async Task<Principal?> CheckPasswordAsync(string userName, string password, CancellationToken ct)
    {
        var (account, right) = await CheckLocalAsync(userName, password, ct);
        return right && account is { Disabled: false } ? new Principal(account.Id, userName, account.Role, null) : null;
    }

    public async Task MarkLoginAsync(Guid userId, CancellationToken ct)
    {
        await using var conn = await sources.Metadata.OpenConnectionAsync(ct);
        await conn.ExecAsync("UPDATE users SET last_login_at = @now WHERE id = @id", ct, ("id", userId), ("now", time.GetUtcNow()));
    }

    /// <summary>A single sign-on person as Press knows them.</summary>
    public sealed record SsoPerson(Guid UserId, string UserName, string Role, bool Disabled);

    /// <summary>
    /// Finds or records the person <paramref name="issuer"/> knows as <paramref name="subject"/> (never matched by
    /// e-mail), with the role the IdP grants now. Written only when new or changed, so a bearer JWT costs one read.
    /// </summary>
    public async Task<SsoPerson> RecordSsoPersonAsync(string issuer, string subject, string? displayName, string role, CancellationToken ct)
    {
        await using var conn = await sources.Metadata.OpenConnectionAsync(ct);
        await using (var cmd = Sql.Command(conn, """
            SELECT id, name, role, display_name, disabled_at IS NOT NULL FROM users WHERE issuer = @i AND subject = @s
            """, ("i", issuer), ("s", subject)))
        await using (var r = await cmd.ExecuteReaderAsync(ct))
        {
            if (await r.ReadAsync(ct) && r.GetString(2) == role && (r.IsDBNull(3) ? null : r.GetString(3)) == displayName)
                return new SsoPerson(r.GetGuid(0), r.GetString(1), role, r.GetBoolean(4));
        }
        await using var upsert = Sql.Command(conn, """
            INSERT INTO users (id, name, role, source, created_at, issuer, subject, display_name)
            VALUES (@id, @n, @r, 'sso', @now, @i, @s, @d)
            ON CONFLICT (issuer, subject) WHERE issuer IS NOT NULL DO UPDATE SET role = excluded.role, display_name = excluded.display_name
            RETURNING id, name, disabled_at IS NOT NULL
            """, ("id", Guid.CreateVersion7()), ("n", UserNames.Sso(issuer, subject)), ("r", role), ("now", time.GetUtcNow()),
            ("i", issuer), ("s", subject), ("d", displayName));
        await using var w = await upsert.ExecuteReaderAsync(ct);
        await w.ReadAsync(ct);
        return new SsoPerson(w.GetGuid(0), w.GetString(1), role, w.GetBoolean(2));
    }

    /// <summary>Whether an enabled single sign-on admin exists (the bootstrap admin may then be kept for emergencies).</summary>
    public async Task<bool> SsoAdminExistsAsync(CancellationToken ct)
    {
        await using var conn = await sources.Metadata.OpenConnectionAsync(ct);
        return await conn.ScalarAsync<bool>(
            "SELECT EXISTS (SELECT 1 FROM users WHERE issuer IS NOT NULL AND role = 'admin' AND disabled_at IS NULL)", ct);
    }

    /// <summary>
    /// The token's principal while it is valid: its owner enabled, not expired, and neither it nor any token above it revoked (checked up
    /// the chain, so a child minted while its parent was being revoked cannot outlive it). No cache: a revocation holds
    /// from the next request on.
    /// </summary>
    public async Task<Principal?> CheckTokenAsync(string token, CancellationToken ct)
    {
        await using var conn = await sources.Metadata.OpenConnectionAsync(ct);
        var now = time.GetUtcNow();
        Principal principal;
        DateTimeOffset? lastUsed;
        await using (var cmd = Sql.Command(conn, """
            WITH RECURSIVE chain AS (
                SELECT id, parent_id, revoked_at, expires_at, 0 AS depth FROM api_tokens WHERE token_hash = @h
                UNION ALL
                SELECT p.id, p.parent_id, p.revoked_at, p.expires_at, c.depth + 1
                FROM api_tokens p JOIN chain c ON p.id = c.parent_id WHERE c.depth < 100)
            SELECT u.id, u.name, t.role, t.id, t.last_used_at, t.expires_at FROM api_tokens t JOIN users u ON u.id = t.user_id
            WHERE t.token_hash = @h AND u.disabled_at IS NULL
              AND NOT EXISTS (SELECT 1 FROM chain WHERE revoked_at IS NOT NULL OR expires_at <= @now)
            """, ("h", ApiToken.Hash(token)), ("now", now)))
        await using (var r = await cmd.ExecuteReaderAsync(ct))
        {
            if (!await r.ReadAsync(ct)) return null;
            principal = new Principal(r.GetGuid(0), r.GetString(1), r.GetString(2), r.GetGuid(3), r.GetFieldValue<DateTimeOffset>(5));
            lastUsed = Rows.NullableTime(r, 4);
        }
        // last_used_at is for operators, minute precision is plenty: a write (and a commit) on every request
        // would serialise all requests of one token on its row.
        if (lastUsed is null || now - lastUsed > TimeSpan.FromMinutes(1))
            await conn.ExecAsync("UPDATE api_tokens SET last_used_at = @now WHERE id = @id", ct, ("id", principal.TokenId), ("now", now));
        return principal;
    }

    /// <summary>Mints a token as planned (<see cref="TokenRules.Plan"/>); null when its parent was revoked meanwhile.</summary>
    public async Task<MintedToken?> MintAsync(Guid userId, TokenPlan plan, CancellationToken ct)
    {
        var token = ApiToken.New();
        var now = Microseconds(time.GetUtcNow());
        var minted = new MintedToken(Guid.CreateVersion7(now), plan.Name, plan.Role, token, now, Microseconds(plan.ExpiresAt), plan.ParentId);
        await using var conn = await sources.Metadata.OpenConnectionAsync(ct);
        var inserted = await conn.ExecAsync("""
            INSERT INTO api_tokens (id, user_id, name, role, token_hash, prefix, created_at, expires_at, parent_id)
            SELECT @id, @u, @n, @r, @h, @p, @now, @exp, @parent
            WHERE @parent::uuid IS NULL OR EXISTS (SELECT 1 FROM api_tokens WHERE id = @parent AND revoked_at IS NULL)
            """, ct, ("id", minted.Id), ("u", userId), ("n", plan.Name), ("r", plan.Role), ("h", ApiToken.Hash(token)),
            ("p", ApiToken.Hint(token)), ("now", now), ("exp", minted.ExpiresAt), ("parent", plan.ParentId));
        return inserted == 1 ? minted : null;
    }

    /// <summary>The tokens in <paramref name="scope"/>, newest first (never their secret).</summary>
    public async Task<IReadOnlyList<TokenRecord>> ListTokensAsync(TokenScope scope, CancellationToken ct)
    {
        await using var conn = await sources.Metadata.OpenConnectionAsync(ct);
        await using var cmd = Sql.Command(conn, ScopeCte + """
            SELECT t.id, u.name, t.name, t.role, t.prefix, t.created_at, t.expires_at, t.revoked_at, t.last_used_at, t.parent_id
            FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.id IN (SELECT id FROM scoped)
            ORDER BY t.created_at DESC, t.id DESC
            """, ScopeArgs(scope));
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var tokens = new List<TokenRecord>();
        while (await r.ReadAsync(ct))
            tokens.Add(new TokenRecord(r.GetGuid(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4),
                r.GetFieldValue<DateTimeOffset>(5), r.GetFieldValue<DateTimeOffset>(6), Rows.NullableTime(r, 7), Rows.NullableTime(r, 8),
                r.IsDBNull(9) ? null : r.GetGuid(9)));
        return tokens;
    }

    /// <summary>
    /// Revokes the token and every token under it; null when the token is not in <paramref name="scope"/> (or does not
    /// exist), else how many were revoked now (0: all already were).
    /// </summary>
    public async Task<int?> RevokeAsync(Guid id, TokenScope scope, CancellationToken ct)
    {
        await using var conn = await sources.Metadata.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var visible = await conn.ScalarAsync<bool>(ScopeCte + "SELECT EXISTS (SELECT 1 FROM scoped WHERE id = @target)", ct,
            [.. ScopeArgs(scope), ("target", id)]);
        if (!visible) return null;
        var revoked = await conn.ExecAsync("""
            WITH RECURSIVE tree AS (
                SELECT id FROM api_tokens WHERE id = @target
                UNION SELECT t.id FROM api_tokens t JOIN tree ON t.parent_id = tree.id)
            UPDATE api_tokens SET revoked_at = @now WHERE id IN (SELECT id FROM tree) AND revoked_at IS NULL
            """, ct, ("target", id), ("now", time.GetUtcNow()));
        await tx.CommitAsync(ct);
        return revoked;
    }

    /// <summary>PostgreSQL keeps microseconds: what a mint returns is exactly what a later read gives.</summary>
    private static DateTimeOffset Microseconds(DateTimeOffset t) => t.AddTicks(-(t.Ticks % 10));

    // The ids a scope covers: every token, one user's, or one token and everything minted under it.
    private const string ScopeCte = """
        WITH RECURSIVE scoped AS (
            SELECT id FROM api_tokens
            WHERE (@tree::uuid IS NULL OR id = @tree) AND (@user::uuid IS NULL OR user_id = @user)
            UNION
            SELECT t.id FROM api_tokens t JOIN scoped s ON t.parent_id = s.id WHERE @tree::uuid IS NOT NULL)

        """;

    private static (string, object?)[] ScopeArgs(TokenScope scope) => [("tree", scope.TreeOf), ("user", scope.UserId)];
}
