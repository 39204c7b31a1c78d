namespace Press.Core.Settings;

/// <summary>Runtime-editable settings (table <c>settings</c>), with the defaults used when a key is not set.</summary>
public sealed record PressSettings(int SoftDeleteRetentionDays)
{
    public const string SoftDeleteRetentionDaysKey = "sites.softDeleteRetentionDays";
    public const string RunnerImageKey = "runtime.image";
    public const string RunnerMemoryMbKey = "runtime.memoryMb";
    public const string RunnerCpusKey = "runtime.cpus";

    /// <summary>Runner image for new runners; null = the driver's configured default.</summary>
    public string? RunnerImage { get; init; }

    /// <summary>Default plan limits for runners; null = the driver's configured defaults.</summary>
    public int? RunnerMemoryMb { get; init; }
    public double? RunnerCpus { get; init; }

    public static PressSettings Defaults { get; } = new(SoftDeleteRetentionDays: 30);

    public TimeSpan SoftDeleteRetention => TimeSpan.FromDays(SoftDeleteRetentionDays);

    /// <summary>Each known key with how to validate it; unknown keys are refused.</summary>
    public static IReadOnlyDictionary<string, Func<string, string?>> Validators { get; } =
        new Dictionary<string, Func<string, string?>>
        {
            [SoftDeleteRetentionDaysKey] = v => int.TryParse(v, out var d) && d is >= 1 and <= 3650
                ? null
                : "must be a whole number of days between 1 and 3650",
            [RunnerImageKey] = v => v.Length is > 0 and <= 255 && v.All(c => char.IsAsciiLetterOrDigit(c) || "._-/:@".Contains(c))
                ? null
                : "must be an image reference such as 'frappe/erpnext:v16.1.0'",
            [RunnerMemoryMbKey] = v => int.TryParse(v, out var mb) && mb is >= 256 and <= 262144
                ? null
                : "must be a whole number of MiB between 256 and 262144",
            [RunnerCpusKey] = v => double.TryParse(v, System.Globalization.CultureInfo.InvariantCulture, out var cpus) && cpus is >= 0.1 and <= 256
                ? null
                : "must be a number of CPUs between 0.1 and 256, e.g. 1.5",
        };
}
