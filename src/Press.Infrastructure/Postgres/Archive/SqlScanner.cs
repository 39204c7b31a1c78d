namespace Press.Infrastructure.Postgres.Archive;

/// <summary>
/// Just enough of PostgreSQL's lexer to tell dollar-quoted bodies from everything else, line by line, across lines:
/// single-quoted literals (with <c>''</c>, and backslashes in <c>E'…'</c>), double-quoted identifiers, <c>--</c> and
/// nested <c>/* */</c> comments, and <c>$tag$…$tag$</c> (a <c>$</c> right after an identifier character belongs to the
/// identifier; <c>$1</c> is a parameter). pg_restore's output is machine-written SQL, which is all this has to read.
/// </summary>
internal sealed class SqlScanner
{
    private enum State { Code, Quote, EscapeQuote, Ident, Dollar, LineComment, BlockComment }

    private State _state = State.Code;
    private byte[] _tag = [];
    private int _depth;

    /// <summary>Between statements' tokens: not inside a literal, identifier, comment or body.</summary>
    public bool InCode => _state == State.Code;

    /// <summary>The line cut into runs, each flagged whether it lies inside a dollar-quoted body (delimiters excluded).</summary>
    public List<(int Start, int End, bool Body)> Split(byte[] line)
    {
        var runs = new List<(int, int, bool)>();
        var runStart = 0;
        var i = 0;
        void Cut(int at, bool body)
        {
            if (at > runStart) runs.Add((runStart, at, body));
            runStart = at;
        }
        while (i < line.Length)
        {
            var c = line[i];
            var next = i + 1 < line.Length ? line[i + 1] : (byte)0;
            switch (_state)
            {
                case State.Code:
                    if (c == '\'') { _state = (i > 0 && line[i - 1] is (byte)'E' or (byte)'e' && (i < 2 || !IsWordByte(line[i - 2]))) ? State.EscapeQuote : State.Quote; i++; }
                    else if (c == '"') { _state = State.Ident; i++; }
                    else if (c == '-' && next == '-') { _state = State.LineComment; i = line.Length; }
                    else if (c == '/' && next == '*') { _state = State.BlockComment; _depth = 1; i += 2; }
                    else if (c == '$' && (i == 0 || !IsWordByte(line[i - 1])) && DollarTag(line, i) is { } tag)
                    {
                        i += tag.Length;
                        Cut(i, body: false);
                        _tag = tag;
                        _state = State.Dollar;
                    }
                    else i++;
                    break;
                case State.Quote:
                    if (c == '\'') { if (next == '\'') i += 2; else { _state = State.Code; i++; } }
                    else i++;
                    break;
                case State.EscapeQuote:
                    if (c == '\\') i += 2;
                    else if (c == '\'') { if (next == '\'') i += 2; else { _state = State.Code; i++; } }
                    else i++;
                    break;
                case State.Ident:
                    if (c == '"') { if (next == '"') i += 2; else { _state = State.Code; i++; } }
                    else i++;
                    break;
                case State.BlockComment:
                    if (c == '/' && next == '*') { _depth++; i += 2; }
                    else if (c == '*' && next == '/') { i += 2; if (--_depth == 0) _state = State.Code; }
                    else i++;
                    break;
                case State.Dollar:
                    if (c == '$' && line.AsSpan(i).StartsWith(_tag))
                    {
                        Cut(i, body: true);
                        i += _tag.Length;
                        _state = State.Code;
                    }
                    else i++;
                    break;
                default: // LineComment: the rest of the line
                    i = line.Length;
                    break;
            }
        }
        Cut(line.Length, body: _state == State.Dollar);
        if (_state == State.LineComment) _state = State.Code;
        return runs;
    }

    /// <summary><c>$$</c> or <c>$tag$</c> (tag: letters, digits not first, underscores, non-ASCII) starting at <paramref name="at"/>.</summary>
    private static byte[]? DollarTag(byte[] line, int at)
    {
        var j = at + 1;
        if (j < line.Length && line[j] is >= (byte)'0' and <= (byte)'9') return null;
        while (j < line.Length && line[j] != '$' && IsWordByte(line[j])) j++;
        return j < line.Length && line[j] == '$' ? line[at..(j + 1)] : null;
    }

    /// <summary>Bytes that continue an identifier: letters, digits, <c>_</c>, <c>$</c>, anything non-ASCII.</summary>
    public static bool IsWordByte(byte b) => b is >= (byte)'a' and <= (byte)'z' or >= (byte)'A' and <= (byte)'Z'
        or >= (byte)'0' and <= (byte)'9' or (byte)'_' or (byte)'$' or >= 0x80;
}
