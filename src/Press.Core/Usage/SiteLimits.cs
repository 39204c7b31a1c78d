using System.Globalization;

namespace Press.Core.Usage;

/// <summary>
/// An admin's per-site override (docs/architecture.md §15): the memory and CPUs of each container that runs the site's
/// code (its runner and its background processes), and a database size cap that raises an alert — it never deletes or
/// blocks data. A null field takes the default: the <c>runtime.*</c> settings, and no cap.
/// </summary>
public sealed record SiteLimits(int? MemoryMb, double? Cpus, int? DatabaseCapMb)
{
    public static SiteLimits None { get; } = new(null, null, null);

    // The same bounds as the runtime.memoryMb and runtime.cpus settings (PressSettings.Validators); the cap's upper
    // bound is 16 TiB, far above what one PostgreSQL schema holds well.
    public const int MinMemoryMb = 256, MaxMemoryMb = 262144;
    public const double MinCpus = 0.1, MaxCpus = 256;
    public const int MinDatabaseCapMb = 1, MaxDatabaseCapMb = 16 * 1024 * 1024;

    public long? DatabaseCapBytes => DatabaseCapMb * 1024L * 1024L;

    /// <summary>Every problem of the override, per field, each saying how to fix it; empty when it may be applied.</summary>
    public Dictionary<string, List<string>> Problems()
    {
        var problems = new Dictionary<string, List<string>>();
        if (MemoryMb is < MinMemoryMb or > MaxMemoryMb)
            problems["memoryMb"] = [$"'memoryMb' must be a whole number of MiB between {MinMemoryMb} and {MaxMemoryMb} (or null for the runtime.memoryMb default), not {MemoryMb}."];
        if (Cpus is { } cpus && (double.IsNaN(cpus) || cpus < MinCpus || cpus > MaxCpus))
            problems["cpus"] = [$"'cpus' must be a number of CPUs between {MinCpus.ToString(CultureInfo.InvariantCulture)} and {MaxCpus} such as 1.5 (or null for the runtime.cpus default), not {cpus.ToString(CultureInfo.InvariantCulture)}."];
        if (DatabaseCapMb is < MinDatabaseCapMb or > MaxDatabaseCapMb)
            problems["databaseCapMb"] = [$"'databaseCapMb' must be a whole number of MiB between {MinDatabaseCapMb} and {MaxDatabaseCapMb} (or null for no cap), not {DatabaseCapMb}."];
        return problems;
    }

    /// <summary>The override as job arguments (the ChangeLimits job shows what it applies); "" is "the default".</summary>
    public IReadOnlyDictionary<string, string> ToArgs() => new Dictionary<string, string>
    {
        [ArgMemoryMb] = MemoryMb?.ToString(CultureInfo.InvariantCulture) ?? "",
        [ArgCpus] = Cpus?.ToString(CultureInfo.InvariantCulture) ?? "",
        [ArgDatabaseCapMb] = DatabaseCapMb?.ToString(CultureInfo.InvariantCulture) ?? "",
    };

    /// <summary>The override a ChangeLimits job carries.</summary>
    public static SiteLimits FromArgs(IReadOnlyDictionary<string, string> args) => new(
        Int(args, ArgMemoryMb), args.TryGetValue(ArgCpus, out var c) && c.Length > 0 ? double.Parse(c, CultureInfo.InvariantCulture) : null,
        Int(args, ArgDatabaseCapMb));

    public const string ArgMemoryMb = "memoryMb", ArgCpus = "cpus", ArgDatabaseCapMb = "databaseCapMb";

    private static int? Int(IReadOnlyDictionary<string, string> args, string key) =>
        args.TryGetValue(key, out var v) && v.Length > 0 ? int.Parse(v, CultureInfo.InvariantCulture) : null;
}
