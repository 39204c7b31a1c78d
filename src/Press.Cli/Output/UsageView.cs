using System.Globalization;
using Press.Cli.Api;

namespace Press.Cli.Output;

/// <summary>A site's usage as a table of measures: value, then limit or reason.</summary>
public static class UsageView
{
    public static void Write(TextWriter output, SiteUsage u)
    {
        var limits = u.Limits ?? new SiteLimitsBody(null, null, null);
        var table = new Table("MEASURE", "VALUE", "LIMIT / NOTE");
        table.Add("database", Formats.Bytes(u.DatabaseBytes),
            u.DatabaseReason ?? (u.DatabaseCapBytes is { } cap ? $"cap {Formats.Bytes(cap)}{(u.DatabaseOverCap ? " — OVER CAP" : "")}" : "no cap"));
        table.Add("files", Formats.Bytes(u.FilesBytes), u.FilesReason);
        table.Add("cpu", u.CpuRatio is { } r ? r.ToString("0.00", CultureInfo.InvariantCulture) + " CPUs" : "-",
            u.RunnerReason ?? (limits.Cpus is { } c ? $"{c.ToString(CultureInfo.InvariantCulture)} CPUs per container" : "default (runtime.cpus)"));
        table.Add("memory", Formats.Bytes(u.MemoryBytes),
            u.RunnerReason ?? (limits.MemoryMb is { } m ? $"{m} MiB per container" : "default (runtime.memoryMb)"));
        table.Add("requests", u.Requests.ToString(CultureInfo.InvariantCulture), "through the embedded proxy");
        table.Add("5xx", u.Errors5xx.ToString(CultureInfo.InvariantCulture), null);
        table.Write(output);
        output.WriteLine($"sampled {Formats.Time(u.SampledAt)}; requests counted until {Formats.Time(u.TrafficAt)}");
    }
}
