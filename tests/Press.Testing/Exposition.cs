using System.Text.RegularExpressions;

namespace Press.Testing;

/// <summary>
/// Reads samples out of a Prometheus text exposition. OpenTelemetry's exporter writes a sample without labels as
/// <c>name{} value</c>, which the format treats as <c>name value</c>; tests ask for the sample, not its spelling.
/// </summary>
public static class Exposition
{
    /// <summary>The value of the unlabelled sample <paramref name="name"/>, or null when there is none.</summary>
    public static string? Value(string exposition, string name) =>
        Regex.Match(exposition, $@"(?m)^{Regex.Escape(name)}(?:\{{\}})? (\S+)$") is { Success: true } m ? m.Groups[1].Value : null;

    /// <summary>A regex for the unlabelled sample <paramref name="name"/> with <paramref name="value"/>.</summary>
    public static string Line(string name, string value) => $@"(?m)^{Regex.Escape(name)}(?:\{{\}})? {Regex.Escape(value)}$";
}
