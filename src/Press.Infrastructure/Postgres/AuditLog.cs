using System.Text.Json;
using Npgsql;
using Press.Core.Audit;
using Press.Core.Ports;

namespace Press.Infrastructure.Postgres;

/// <summary>
/// The append-only audit table (a trigger refuses UPDATE, DELETE and TRUNCATE, even for its owner), chained by
/// SHA-256 (<see cref="AuditChain"/>, docs/architecture.md §14).
/// </summary>
public sealed class AuditLog(PressDataSources sources, TimeProvider time) : IAuditLog
{
    /// <summary>Transaction-level advisory lock that puts every insert in one line ("PRESS" + 0x14).</summary>
    internal const long ChainLockKey = 0x5052455353_14;

    public async Task WriteAsync(AuditEntry entry, CancellationToken ct)
    {
        await using var conn = await sources.Metadata.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await InsertAsync(conn, entry, time.GetUtcNow(), ct);
        await tx.CommitAsync(ct);
    }

    /// <summary>
    /// Used inside other stores' transactions, so the audit row commits with the change it records. Must run inside
    /// a READ COMMITTED transaction: the lock is held until it ends, and each statement after taking it sees the
    /// entries committed before (a REPEATABLE READ snapshot would not, and would fork the chain — refused).
    /// The id is drawn under the lock, so id order is chain order even when callers' transactions interleave.
    /// </summary>
    internal static async Task InsertAsync(NpgsqlConnection conn, AuditEntry e, DateTimeOffset at, CancellationToken ct)
    {
        var isolation = await conn.ScalarAsync<string>(
            "SELECT current_setting('transaction_isolation') FROM pg_catalog.pg_advisory_xact_lock(@k) AS l", ct, ("k", ChainLockKey));
        if (isolation != "read committed")
            throw new InvalidOperationException($"An audit entry must be written in a READ COMMITTED transaction, not {isolation}: the chain would fork.");

        long id;
        byte[]? last;
        await using (var cmd = Sql.Command(conn, """
            SELECT nextval('audit_events_id_seq'),
                   (SELECT hash FROM audit_events WHERE hash IS NOT NULL ORDER BY id DESC LIMIT 1)
            """))
        await using (var r = await cmd.ExecuteReaderAsync(ct))
        {
            await r.ReadAsync(ct);
            id = r.GetInt64(0);
            last = r.IsDBNull(1) ? null : r.GetFieldValue<byte[]>(1);
        }
        var prev = last ?? await ChainStartAsync(conn, ct);

        var details = e.Details is { Count: > 0 } d ? JsonSerializer.Serialize(d) : null;
        var record = new AuditRecord(id, AuditChain.ToStoredPrecision(at), e.Actor, e.Action, e.SiteName, e.Target, details, e.SourceIp);
        var hash = AuditChain.Hash(prev, record);
        await conn.ExecAsync("""
            INSERT INTO audit_events (id, at, actor, action, site_name, target, details, source_ip, prev_hash, hash)
            VALUES (@id, @at, @actor, @action, @site, @target, @details::jsonb, @ip, @prev, @hash)
            """, ct, ("id", id), ("at", record.At), ("actor", e.Actor), ("action", e.Action), ("site", e.SiteName),
            ("target", e.Target), ("details", details), ("ip", e.SourceIp), ("prev", prev), ("hash", hash));
    }

    /// <summary>
    /// The first chained entry links to the entries written before the chain existed: their hash chain from the
    /// genesis value, computed once here (they are all read, once per installation).
    /// </summary>
    private static async Task<byte[]> ChainStartAsync(NpgsqlConnection conn, CancellationToken ct)
    {
        var verifier = new AuditChainVerifier();
        await foreach (var link in AuditChainReader.ReadAsync(conn, ct))
            verifier.Add(link);
        return Convert.FromHexString(verifier.Report.HeadHash ?? AuditChain.Hex(AuditChain.Genesis.Span));
    }
}
