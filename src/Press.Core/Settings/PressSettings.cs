namespace Press.Core.Settings;

/// <summary>Runtime-editable settings (table <c>settings</c>), with the defaults used when a key is not set.</summary>
public sealed record PressSettings(int SoftDeleteRetentionDays)
{
    public const string SoftDeleteRetentionDaysKey = "sites.softDeleteRetentionDays";

    public static PressSettings Defaults { get; } = new(SoftDeleteRetentionDays: 30);

    public TimeSpan SoftDeleteRetention => TimeSpan.FromDays(SoftDeleteRetentionDays);

    /// <summary>Each known key with how to validate it; unknown keys are refused.</summary>
    public static IReadOnlyDictionary<string, Func<string, string?>> Validators { get; } =
        new Dictionary<string, Func<string, string?>>
        {
            [SoftDeleteRetentionDaysKey] = v => int.TryParse(v, out var d) && d is >= 1 and <= 3650
                ? null
                : "must be a whole number of days between 1 and 3650",
        };
}
