using System.Runtime.CompilerServices;
using Npgsql;
using Press.Core.Audit;

namespace Press.Infrastructure.Postgres;

/// <summary>Filters of the audit list and export: all optional; 'from' inclusive, 'to' exclusive.</summary>
public sealed record AuditFilter(string? Site = null, string? Actor = null, DateTimeOffset? From = null, DateTimeOffset? To = null);

/// <summary>Streams audit entries with their links in chain (id) order, for verification and export.</summary>
public sealed class AuditChainReader(PressDataSources sources)
{
    /// <summary>Walks the whole chain (docs/architecture.md §14) and names the first broken entry.</summary>
    public async Task<AuditChainReport> VerifyAsync(CancellationToken ct)
    {
        await using var conn = await sources.Metadata.OpenConnectionAsync(ct);
        var verifier = new AuditChainVerifier();
        await foreach (var link in ReadAsync(conn, ct))
            if (!verifier.Add(link)) break;
        return verifier.Report;
    }

    public async IAsyncEnumerable<AuditLink> ExportAsync(AuditFilter filter, [EnumeratorCancellation] CancellationToken ct)
    {
        await using var conn = await sources.Metadata.OpenConnectionAsync(ct);
        await foreach (var link in ReadAsync(conn, ct, filter)) yield return link;
    }

    internal static async IAsyncEnumerable<AuditLink> ReadAsync(NpgsqlConnection conn, [EnumeratorCancellation] CancellationToken ct,
        AuditFilter? filter = null)
    {
        filter ??= new AuditFilter();
        await using var cmd = Sql.Command(conn, """
            SELECT id, at, actor, action, site_name, target, details::text, source_ip, prev_hash, hash FROM audit_events
            WHERE (@site::text IS NULL OR site_name = @site) AND (@actor::text IS NULL OR actor = @actor)
              AND (@from::timestamptz IS NULL OR at >= @from) AND (@to::timestamptz IS NULL OR at < @to)
            ORDER BY id
            """, ("site", filter.Site), ("actor", filter.Actor), ("from", filter.From), ("to", filter.To));
        // Rows are read one at a time off the wire: the table can be far larger than memory.
        await using var r = await cmd.ExecuteReaderAsync(System.Data.CommandBehavior.SequentialAccess, ct);
        while (await r.ReadAsync(ct))
        {
            var record = new AuditRecord(r.GetInt64(0), r.GetFieldValue<DateTimeOffset>(1), r.GetString(2), r.GetString(3),
                Rows.NullableString(r, 4), Rows.NullableString(r, 5), Rows.NullableString(r, 6), Rows.NullableString(r, 7));
            var prev = r.IsDBNull(8) ? null : r.GetFieldValue<byte[]>(8);
            var hash = r.IsDBNull(9) ? null : r.GetFieldValue<byte[]>(9);
            yield return new AuditLink(record, prev, hash);
        }
    }
}
