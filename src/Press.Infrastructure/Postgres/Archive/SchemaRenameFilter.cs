using System.Buffers;
using System.IO.Pipelines;
using System.Text;

namespace Press.Infrastructure.Postgres.Archive;

/// <summary>
/// Rewrites the schema a dump was taken from to the schema it is restored into, in <c>pg_restore -f -</c>'s SQL as it
/// streams to psql. pg_restore has no option to restore into another schema, and restoring under the dump's own name
/// would mean renaming a live schema aside (as whoever owns it) in the middle of the restore.
/// <para>
/// Limits, by design: every whole word equal to the dump schema's name (a byte not in <c>[A-Za-z0-9_$]</c> or
/// non-ASCII on either side) is rewritten in the SQL — object references, but also function bodies, string literals,
/// comments and an object that shares the schema's name. Rows (the lines between <c>COPY … FROM stdin;</c> and
/// <c>\.</c>) pass through untouched. Schema names are Press's random identifiers, so only text that names the schema
/// itself matches. A dump whose SQL contains a line that only looks like a COPY header (a function body written to fool
/// this) can at worst leave some of its own SQL unrewritten: the restore runs as the target site's role, so the
/// mistake stays within what that role may touch. Lines are held in memory one at a time (a row is one line).
/// </para>
/// </summary>
public static class SchemaRenameFilter
{
    public static async Task<long> CopyAsync(Stream input, Stream output, string fromSchema, string toSchema, CancellationToken ct)
    {
        if (!IsPlainIdentifier(fromSchema) || !IsPlainIdentifier(toSchema))
            throw new ArgumentException($"schema names must be lower-case identifiers that need no quoting: '{fromSchema}', '{toSchema}'");
        var from = Encoding.ASCII.GetBytes(fromSchema);
        var to = Encoding.ASCII.GetBytes(toSchema);
        var reader = PipeReader.Create(input, new StreamPipeReaderOptions(bufferSize: 1 << 16, leaveOpen: true));
        // psql's stdin is a pipe: one write per line would be one system call per row. Not disposed: that would close
        // the output, and the caller writes more after the dump.
        var writer = new BufferedStream(output, 1 << 16);
        var inRows = false;
        long rewritten = 0;
        while (true)
        {
            var result = await reader.ReadAsync(ct);
            var buffer = result.Buffer;
            while (TryReadLine(ref buffer, out var line))
            {
                if (inRows)
                {
                    inRows = !(line.Length == 2 && line.ToArray() is [(byte)'\\', (byte)'.']);
                    foreach (var segment in line) await writer.WriteAsync(segment, ct);
                }
                else
                {
                    var sql = line.ToArray();
                    var (bytes, count) = Rewrite(sql, from, to);
                    await writer.WriteAsync(bytes, ct);
                    rewritten += count;
                    inRows = IsCopyFromStdin(sql);
                }
                writer.WriteByte((byte)'\n');
            }
            if (result.IsCompleted)
            {
                // A last line without a newline: SQL (rows always end with \. and a newline).
                if (!buffer.IsEmpty)
                {
                    var (bytes, count) = inRows ? (buffer.ToArray(), 0) : Rewrite(buffer.ToArray(), from, to);
                    await writer.WriteAsync(bytes, ct);
                    rewritten += count;
                }
                reader.AdvanceTo(buffer.End);
                break;
            }
            reader.AdvanceTo(buffer.Start, buffer.End);
        }
        await reader.CompleteAsync();
        await writer.FlushAsync(ct);
        return rewritten;
    }

    private static bool TryReadLine(ref ReadOnlySequence<byte> buffer, out ReadOnlySequence<byte> line)
    {
        var newline = buffer.PositionOf((byte)'\n');
        if (newline is null)
        {
            line = default;
            return false;
        }
        line = buffer.Slice(0, newline.Value);
        buffer = buffer.Slice(buffer.GetPosition(1, newline.Value));
        return true;
    }

    /// <summary>pg_restore's header of a block of rows: <c>COPY schema.table (columns) FROM stdin;</c></summary>
    private static bool IsCopyFromStdin(ReadOnlySpan<byte> line) =>
        line.StartsWith("COPY "u8) && line.EndsWith(" FROM stdin;"u8);

    /// <summary>Every whole-word occurrence of <paramref name="from"/> replaced by <paramref name="to"/>.</summary>
    public static (byte[] Bytes, int Count) Rewrite(ReadOnlySpan<byte> line, ReadOnlySpan<byte> from, ReadOnlySpan<byte> to)
    {
        var first = line.IndexOf(from);
        if (first < 0) return (line.ToArray(), 0);
        var result = new ArrayBufferWriter<byte>(line.Length + 64);
        var count = 0;
        var at = 0;
        while (at < line.Length)
        {
            var found = line[at..].IndexOf(from);
            if (found < 0) break;
            var start = at + found;
            var end = start + from.Length;
            var whole = (start == 0 || !IsWordByte(line[start - 1])) && (end == line.Length || !IsWordByte(line[end]));
            result.Write(line[at..start]);
            result.Write(whole ? to : from);
            if (whole) count++;
            at = end;
        }
        result.Write(line[at..]);
        return (result.WrittenSpan.ToArray(), count);
    }

    private static bool IsWordByte(byte b) => b is >= (byte)'a' and <= (byte)'z' or >= (byte)'A' and <= (byte)'Z'
        or >= (byte)'0' and <= (byte)'9' or (byte)'_' or (byte)'$' or >= 0x80;

    private static bool IsPlainIdentifier(string name) =>
        name.Length is > 0 and < 64 && name[0] is >= 'a' and <= 'z' or '_' && name.All(c => c is >= 'a' and <= 'z' or >= '0' and <= '9' or '_');
}
