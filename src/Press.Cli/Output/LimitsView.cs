using System.Globalization;
using Press.Cli.Api;

namespace Press.Cli.Output;

/// <summary>A site's limits as <c>press site limits NAME</c> shows them: each override, or the default it falls back to.</summary>
public static class LimitsView
{
    public static void Write(TextWriter output, SiteLimitsBody limits)
    {
        var table = new Table("LIMIT", "VALUE");
        table.Add("memory", limits.MemoryMb is { } m ? $"{m} MiB per container" : "default (runtime.memoryMb)");
        table.Add("cpus", limits.Cpus is { } c ? $"{c.ToString(CultureInfo.InvariantCulture)} CPUs per container" : "default (runtime.cpus)");
        table.Add("database cap", limits.DatabaseCapMb is { } cap ? $"{cap} MiB (alert only)" : "none");
        table.Write(output);
    }
}
