using System.Security.Cryptography;
using Microsoft.AspNetCore.WebUtilities;
using Press.Core.Identity;

namespace Press.Infrastructure.Postgres;

/// <summary>
/// Browser sessions, server-side: the cookie carries a random secret whose SHA-256 names a row here, so ending the row
/// (logout, an admin, the account disabled) ends the session on its next request. Checked on every request by one
/// indexed read; <c>last_seen_at</c> is written at most once a minute (the idle timeout counts in minutes).
/// </summary>
public sealed class SessionStore(PressDataSources sources, TimeProvider time, SessionOptions options)
{
    private static readonly TimeSpan TouchEvery = TimeSpan.FromMinutes(1);

    public sealed record NewSession(Guid Id, string Secret, DateTimeOffset ExpiresAt);

    /// <summary>A live session: whose, with which role, and how it was opened (<c>local</c> or <c>sso</c>).</summary>
    public sealed record LiveSession(Guid Id, Guid UserId, string UserName, string Role, string Method);

    public sealed record SessionRecord(Guid Id, string UserName, string Role, string Method, DateTimeOffset CreatedAt,
        DateTimeOffset LastSeenAt, DateTimeOffset ExpiresAt, string? SourceIp);

    public async Task<NewSession> OpenAsync(Guid userId, string role, string method, string? sourceIp, CancellationToken ct)
    {
        var secret = WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(32));
        var now = time.GetUtcNow();
        var session = new NewSession(Guid.CreateVersion7(now), secret, now + options.AbsoluteLifetime);
        await using var conn = await sources.Metadata.OpenConnectionAsync(ct);
        await conn.ExecAsync("""
            INSERT INTO sessions (id, secret_hash, user_id, method, role, created_at, last_seen_at, expires_at, source_ip)
            VALUES (@id, @h, @u, @m, @r, @now, @now, @exp, @ip)
            """, ct, ("id", session.Id), ("h", Hash(secret)), ("u", userId), ("m", method), ("r", role), ("now", now),
            ("exp", session.ExpiresAt), ("ip", sourceIp));
        return session;
    }

    /// <summary>The session while it is live (not ended, not idle too long, not past its lifetime, its owner enabled).</summary>
    public async Task<LiveSession?> CheckAsync(string secret, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        await using var conn = await sources.Metadata.OpenConnectionAsync(ct);
        LiveSession session;
        DateTimeOffset lastSeen;
        await using (var cmd = Sql.Command(conn, """
            SELECT s.id, u.id, u.name, s.role, s.method, s.last_seen_at FROM sessions s JOIN users u ON u.id = s.user_id
            WHERE s.secret_hash = @h AND s.ended_at IS NULL AND s.expires_at > @now AND s.last_seen_at > @idle AND u.disabled_at IS NULL
            """, ("h", Hash(secret)), ("now", now), ("idle", now - options.IdleTimeout)))
        await using (var r = await cmd.ExecuteReaderAsync(ct))
        {
            if (!await r.ReadAsync(ct)) return null;
            session = new LiveSession(r.GetGuid(0), r.GetGuid(1), r.GetString(2), r.GetString(3), r.GetString(4));
            lastSeen = r.GetFieldValue<DateTimeOffset>(5);
        }
        if (now - lastSeen >= TouchEvery)
            await conn.ExecAsync("UPDATE sessions SET last_seen_at = @now WHERE id = @id", ct, ("id", session.Id), ("now", now));
        return session;
    }

    /// <summary>Ends one session; false when it was not live.</summary>
    public async Task<bool> EndAsync(Guid id, string endedBy, CancellationToken ct)
    {
        await using var conn = await sources.Metadata.OpenConnectionAsync(ct);
        return await conn.ExecAsync("UPDATE sessions SET ended_at = @now, ended_by = @by WHERE id = @id AND ended_at IS NULL", ct,
            ("id", id), ("now", time.GetUtcNow()), ("by", endedBy)) == 1;
    }

    /// <summary>Ends every live session of a user; how many.</summary>
    public async Task<int> EndAllOfAsync(Guid userId, string endedBy, CancellationToken ct)
    {
        await using var conn = await sources.Metadata.OpenConnectionAsync(ct);
        return await conn.ExecAsync("UPDATE sessions SET ended_at = @now, ended_by = @by WHERE user_id = @u AND ended_at IS NULL", ct,
            ("u", userId), ("now", time.GetUtcNow()), ("by", endedBy));
    }

    /// <summary>Live sessions, newest first.</summary>
    public async Task<IReadOnlyList<SessionRecord>> ListLiveAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        await using var conn = await sources.Metadata.OpenConnectionAsync(ct);
        await using var cmd = Sql.Command(conn, """
            SELECT s.id, u.name, s.role, s.method, s.created_at, s.last_seen_at, s.expires_at, s.source_ip
            FROM sessions s JOIN users u ON u.id = s.user_id
            WHERE s.ended_at IS NULL AND s.expires_at > @now AND s.last_seen_at > @idle AND u.disabled_at IS NULL
            ORDER BY s.created_at DESC, s.id DESC LIMIT 1000
            """, ("now", now), ("idle", now - options.IdleTimeout));
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var list = new List<SessionRecord>();
        while (await r.ReadAsync(ct))
            list.Add(new SessionRecord(r.GetGuid(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetFieldValue<DateTimeOffset>(4),
                r.GetFieldValue<DateTimeOffset>(5), r.GetFieldValue<DateTimeOffset>(6), r.IsDBNull(7) ? null : r.GetString(7)));
        return list;
    }

    private static byte[] Hash(string secret) => SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(secret));
}
