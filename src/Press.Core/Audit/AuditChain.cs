using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Press.Core.Audit;

/// <summary>
/// The tamper-evident chain over the audit log (docs/architecture.md §14). Each entry stores
/// <c>prev_hash</c> (the previous entry's <c>hash</c>) and <c>hash = SHA-256(Encode(prev_hash, entry))</c>, so changing,
/// removing or re-ordering any entry breaks every link after it. The encoding is canonical and versioned:
/// <code>
///   field(s)   = int32 big-endian UTF-8 byte length (−1 for null) ‖ the UTF-8 bytes
///   Encode     = field("press-audit-v1") ‖ prev_hash (32 bytes) ‖ id (int64 BE)
///              ‖ at (int64 BE, microseconds since 1970-01-01T00:00Z — PostgreSQL's timestamptz precision)
///              ‖ field(actor) ‖ field(action) ‖ field(site_name) ‖ field(target)
///              ‖ details: int32 BE pair count (−1 when null or empty), then field(key) ‖ field(value) per pair,
///                keys sorted by ordinal (so jsonb's re-ordering of keys cannot change the hash)
///              ‖ field(source_ip)
/// </code>
/// Length prefixes make the encoding unambiguous (no two entries encode alike); no JSON or text rendering is hashed,
/// because PostgreSQL's <c>jsonb</c> output re-orders and re-spaces what it was given.
/// </summary>
public static class AuditChain
{
    public const int HashLength = 32;
    private const string Version = "press-audit-v1";

    /// <summary>The <c>prev_hash</c> of the very first entry of an installation that had no entries before the chain.</summary>
    public static ReadOnlyMemory<byte> Genesis { get; } = new byte[HashLength];

    /// <summary>PostgreSQL keeps microseconds: the time is truncated to them before it is stored and hashed.</summary>
    public static DateTimeOffset ToStoredPrecision(DateTimeOffset at)
    {
        var utc = at.ToUniversalTime();
        return utc.AddTicks(-(utc.Ticks % 10));
    }

    public static byte[] Hash(ReadOnlySpan<byte> prevHash, AuditRecord entry) =>
        SHA256.HashData(Encode(prevHash, entry));

    public static byte[] Encode(ReadOnlySpan<byte> prevHash, AuditRecord e)
    {
        if (prevHash.Length != HashLength) throw new ArgumentException($"prev_hash must be {HashLength} bytes.", nameof(prevHash));
        var buffer = new ArrayBufferWriter();
        buffer.Field(Version);
        buffer.Bytes(prevHash);
        buffer.Int64(e.Id);
        buffer.Int64((ToStoredPrecision(e.At) - DateTimeOffset.UnixEpoch).Ticks / 10);
        buffer.Field(e.Actor);
        buffer.Field(e.Action);
        buffer.Field(e.SiteName);
        buffer.Field(e.Target);
        var details = Details(e.DetailsJson);
        buffer.Int32(details.Count == 0 ? -1 : details.Count);
        foreach (var (key, value) in details.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            buffer.Field(key);
            buffer.Field(value);
        }
        buffer.Field(e.SourceIp);
        return buffer.ToArray();
    }

    /// <summary>The details as stored (a JSON object of strings); a non-string value counts as its JSON text.</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> Details(string? json)
    {
        if (string.IsNullOrEmpty(json)) return [];
        using var doc = JsonDocument.Parse(json);
        if (doc.RootElement.ValueKind == JsonValueKind.Null) return [];
        return doc.RootElement.EnumerateObject()
            .Select(p => KeyValuePair.Create(p.Name, p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : p.Value.GetRawText()))
            .ToList();
    }

    public static string Hex(ReadOnlySpan<byte> hash) => Convert.ToHexStringLower(hash);

    /// <summary>A growable buffer; the encoding is small (a few hundred bytes), so no pooling.</summary>
    private sealed class ArrayBufferWriter
    {
        private readonly MemoryStream _stream = new();

        public void Bytes(ReadOnlySpan<byte> bytes) => _stream.Write(bytes);

        public void Int32(int value)
        {
            Span<byte> b = stackalloc byte[4];
            BinaryPrimitives.WriteInt32BigEndian(b, value);
            _stream.Write(b);
        }

        public void Int64(long value)
        {
            Span<byte> b = stackalloc byte[8];
            BinaryPrimitives.WriteInt64BigEndian(b, value);
            _stream.Write(b);
        }

        public void Field(string? value)
        {
            if (value is null)
            {
                Int32(-1);
                return;
            }
            var bytes = Encoding.UTF8.GetBytes(value);
            Int32(bytes.Length);
            _stream.Write(bytes);
        }

        public byte[] ToArray() => _stream.ToArray();
    }
}
