using System.Globalization;

namespace Press.Cli.Output;

/// <summary>Human formatting shared by all views; invariant culture so output is stable for grep.</summary>
public static class Formats
{
    public static string Time(DateTimeOffset? value) =>
        value is { } v ? v.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) : "-";

    public static string ShortTime(DateTimeOffset value) =>
        value.ToLocalTime().ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);

    public static string Duration(TimeSpan? value) => value switch
    {
        null => "-",
        { TotalSeconds: < 60 } d => d.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture) + " s",
        { TotalHours: < 1 } d => $"{(int)d.TotalMinutes} min {d.Seconds} s",
        var d => $"{(int)d.Value.TotalHours} h {d.Value.Minutes} min",
    };

    public static string YesNo(bool value) => value ? "yes" : "no";

    private static readonly string[] ByteUnits = ["KiB", "MiB", "GiB", "TiB", "PiB"];

    /// <summary>Binary units, one decimal: 512 B, 1.5 KiB, 2.0 GiB; "-" when unknown.</summary>
    public static string Bytes(long? value)
    {
        if (value is not { } bytes) return "-";
        if (bytes < 1024) return $"{bytes} B";
        double scaled = bytes;
        var unit = -1;
        while (scaled >= 1024 && unit < ByteUnits.Length - 1)
        {
            scaled /= 1024;
            unit++;
        }
        return scaled.ToString("0.0", CultureInfo.InvariantCulture) + " " + ByteUnits[unit];
    }

    /// <summary>12,345 (invariant grouping, for counts).</summary>
    public static string Count(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    /// <summary>Continuation lines of multi-line errors are indented under their first line.</summary>
    public static string Indent(string text, int spaces) =>
        text.TrimEnd().ReplaceLineEndings("\n" + new string(' ', spaces));
}
