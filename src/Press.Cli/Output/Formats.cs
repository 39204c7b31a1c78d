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

    /// <summary>Continuation lines of multi-line errors are indented under their first line.</summary>
    public static string Indent(string text, int spaces) =>
        text.TrimEnd().ReplaceLineEndings("\n" + new string(' ', spaces));
}
