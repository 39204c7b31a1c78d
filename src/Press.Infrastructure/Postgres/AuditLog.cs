using System.Text.Json;
using Npgsql;
using Press.Core.Audit;
using Press.Core.Ports;

namespace Press.Infrastructure.Postgres;

/// <summary>The append-only audit table (a trigger refuses UPDATE and DELETE).</summary>
public sealed class AuditLog(PressDataSources sources, TimeProvider time) : IAuditLog
{
    public async Task WriteAsync(AuditEntry entry, CancellationToken ct)
    {
        await using var conn = await sources.Metadata.OpenConnectionAsync(ct);
        await InsertAsync(conn, entry, time.GetUtcNow(), ct);
    }

    /// <summary>Used inside other stores' transactions, so the audit row commits with the change it records.</summary>
    internal static Task InsertAsync(NpgsqlConnection conn, AuditEntry e, DateTimeOffset at, CancellationToken ct)
    {
        var details = e.Details is { Count: > 0 } d ? JsonSerializer.Serialize(d) : null;
        return conn.ExecAsync("""
            INSERT INTO audit_events (at, actor, action, site_name, target, details, source_ip)
            VALUES (@at, @actor, @action, @site, @target, @details::jsonb, @ip)
            """, ct, ("at", at), ("actor", e.Actor), ("action", e.Action), ("site", e.SiteName), ("target", e.Target),
            ("details", details), ("ip", e.SourceIp));
    }
}
