namespace Press.Cli.Output;

/// <summary>Left-aligned text table; columns are as wide as their widest cell.</summary>
public sealed class Table(params string[] headers)
{
    private const string Gap = "  ";
    private readonly List<string[]> _rows = [];

    public Table Add(params string?[] cells)
    {
        _rows.Add(cells.Select(c => string.IsNullOrEmpty(c) ? "-" : c).ToArray());
        return this;
    }

    public void Write(TextWriter output, string indent = "")
    {
        var widths = headers.Select((h, i) => Math.Max(h.Length, _rows.Count == 0 ? 0 : _rows.Max(r => Cell(r, i).Length)))
            .ToArray();
        WriteRow(output, indent, headers, widths);
        foreach (var row in _rows) WriteRow(output, indent, row, widths);
    }

    private static void WriteRow(TextWriter output, string indent, string[] cells, int[] widths)
    {
        var parts = widths.Select((w, i) => Cell(cells, i).PadRight(w));
        // No trailing spaces after the last column: keeps diffs and copy-paste clean.
        output.WriteLine(indent + string.Join(Gap, parts).TrimEnd());
    }

    private static string Cell(string[] row, int index) => index < row.Length ? row[index] : "";
}

/// <summary>"Label   value" lines for the show commands.</summary>
public sealed class Details
{
    private readonly List<(string Label, string Value)> _lines = [];

    public Details Add(string label, string? value)
    {
        if (!string.IsNullOrEmpty(value)) _lines.Add((label, value));
        return this;
    }

    public void Write(TextWriter output)
    {
        var width = _lines.Count == 0 ? 0 : _lines.Max(l => l.Label.Length);
        foreach (var (label, value) in _lines)
            output.WriteLine($"{label.PadRight(width)}  {Formats.Indent(value, width + 2)}");
    }
}
