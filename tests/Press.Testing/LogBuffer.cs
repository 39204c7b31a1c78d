namespace Press.Testing;

/// <summary>Lines a child process wrote (stdout and stderr), thread-safe, for diagnostics and for waiting on markers.</summary>
public sealed class LogBuffer
{
    private readonly Lock _lock = new();
    private readonly List<string> _lines = [];

    public void Add(string stream, string? line)
    {
        if (line is null) return;
        lock (_lock) _lines.Add(stream == "err" ? "[stderr] " + line : line);
    }

    public IReadOnlyList<string> Lines
    {
        get { lock (_lock) return _lines.ToArray(); }
    }

    public string? Find(Func<string, bool> predicate)
    {
        lock (_lock) return _lines.FirstOrDefault(predicate);
    }

    public string Tail(int count = 60)
    {
        var lines = Lines;
        var tail = lines.Skip(Math.Max(0, lines.Count - count));
        return (lines.Count > count ? $"  … ({lines.Count - count} earlier lines)\n" : "") + string.Join("\n", tail.Select(l => "  " + l));
    }
}
