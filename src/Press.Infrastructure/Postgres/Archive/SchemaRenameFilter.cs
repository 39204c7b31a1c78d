using System.Buffers;
using System.IO.Pipelines;
using System.Text;

namespace Press.Infrastructure.Postgres.Archive;

/// <summary>
/// Rewrites the schema a dump was taken from in <c>pg_restore -f -</c>'s SQL as it streams to psql: pg_restore has no
/// option to restore into another schema, and restoring under the dump's own name would mean renaming a live schema
/// aside (as whoever owns it) in the middle of the restore.
/// <para>
/// Two names, because some text is resolved while the restore runs and some only when the site runs. Statements and
/// their string literals (<c>'schema.seq'::regclass</c> in a default, resolved once at CREATE) name where the objects
/// are created now: <paramref name="targetSchema"/>. Dollar-quoted function bodies are resolved each time the function
/// runs, so they name the schema the site will use: <paramref name="liveSchema"/> — for a restore in place that is the
/// dump's own name, which the restored schema takes at the swap; for a new site it is the target itself.
/// </para>
/// <para>
/// Limits, by design: every whole word equal to the dump schema's name (no <c>[A-Za-z0-9_$]</c> or non-ASCII byte on
/// either side) is rewritten — object references, but also literals, comments and an object that shares the schema's
/// name; a single-quoted setting such as a function's <c>SET search_path</c> gets the target name, not the live one.
/// Rows (between <c>COPY … FROM stdin;</c> and <c>\.</c>) pass through untouched. Schema names are Press's random
/// identifiers, so only text that names the schema itself matches. A dump crafted to mislead this scanner can at worst
/// leave some of its own SQL unrewritten or rewritten wrongly: the restore runs as the target site's role, so any
/// mistake stays within what that role may touch. Lines are held in memory one at a time (a row is one line).
/// </para>
/// </summary>
public sealed class SchemaRenameFilter(string dumpSchema, string targetSchema, string liveSchema)
{
    private readonly byte[] _from = Ascii(dumpSchema);
    private readonly byte[] _target = Ascii(targetSchema);
    private readonly byte[] _live = Ascii(liveSchema);
    private readonly SqlScanner _scanner = new();
    private bool _inRows;

    /// <summary>Whole words rewritten so far.</summary>
    public long Rewritten { get; private set; }

    public async Task<long> CopyAsync(Stream input, Stream output, CancellationToken ct)
    {
        var reader = PipeReader.Create(input, new StreamPipeReaderOptions(bufferSize: 1 << 16, leaveOpen: true));
        // psql's stdin is a pipe: one write per line would be one system call per row. Not disposed: that would close
        // the output, and the caller writes more after the dump.
        var writer = new BufferedStream(output, 1 << 16);
        while (true)
        {
            var result = await reader.ReadAsync(ct);
            var buffer = result.Buffer;
            while (TryReadLine(ref buffer, out var line))
            {
                await WriteLineAsync(writer, line, ct);
                writer.WriteByte((byte)'\n');
            }
            if (result.IsCompleted)
            {
                if (!buffer.IsEmpty) await WriteLineAsync(writer, buffer, ct); // a last line without its newline
                reader.AdvanceTo(buffer.End);
                break;
            }
            reader.AdvanceTo(buffer.Start, buffer.End);
        }
        await reader.CompleteAsync();
        await writer.FlushAsync(ct);
        return Rewritten;
    }

    private async ValueTask WriteLineAsync(Stream writer, ReadOnlySequence<byte> line, CancellationToken ct)
    {
        if (_inRows)
        {
            _inRows = !(line.Length == 2 && line.ToArray() is [(byte)'\\', (byte)'.']);
            foreach (var segment in line) await writer.WriteAsync(segment, ct);
            return;
        }
        var sql = line.ToArray();
        var startsInCode = _scanner.InCode;
        foreach (var (start, end, body) in _scanner.Split(sql))
        {
            var (bytes, count) = Rewrite(sql.AsSpan(start, end - start), _from, body ? _live : _target);
            await writer.WriteAsync(bytes, ct);
            Rewritten += count;
        }
        _inRows = startsInCode && _scanner.InCode && IsCopyFromStdin(sql);
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
    private static bool IsCopyFromStdin(ReadOnlySpan<byte> line) => line.StartsWith("COPY "u8) && line.EndsWith(" FROM stdin;"u8);

    /// <summary>Every whole-word occurrence of <paramref name="from"/> replaced by <paramref name="to"/>.</summary>
    public static (byte[] Bytes, int Count) Rewrite(ReadOnlySpan<byte> text, ReadOnlySpan<byte> from, ReadOnlySpan<byte> to)
    {
        if (text.IndexOf(from) < 0) return (text.ToArray(), 0);
        var result = new ArrayBufferWriter<byte>(text.Length + 64);
        var count = 0;
        var at = 0;
        while (at < text.Length)
        {
            var found = text[at..].IndexOf(from);
            if (found < 0) break;
            var start = at + found;
            var end = start + from.Length;
            var whole = (start == 0 || !SqlScanner.IsWordByte(text[start - 1])) && (end == text.Length || !SqlScanner.IsWordByte(text[end]));
            result.Write(text[at..start]);
            result.Write(whole ? to : from);
            if (whole) count++;
            at = end;
        }
        result.Write(text[at..]);
        return (result.WrittenSpan.ToArray(), count);
    }

    private static byte[] Ascii(string name) =>
        name.Length is > 0 and < 64 && name[0] is >= 'a' and <= 'z' or '_' && name.All(c => c is >= 'a' and <= 'z' or >= '0' and <= '9' or '_')
            ? Encoding.ASCII.GetBytes(name)
            : throw new ArgumentException($"schema names must be lower-case identifiers that need no quoting: '{name}'");
}
