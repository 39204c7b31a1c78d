using Press.Core.Sites;

namespace Press.Core.Standby;

/// <summary>
/// The apps a site gets besides frappe, as a set: a standby installed with these apps can serve any request naming the
/// same apps in any order (docs/architecture.md §17). Its <see cref="Key"/> is how the pool, the API and the metrics
/// name it: the apps sorted and joined by commas, <c>frappe</c> for frappe alone.
/// </summary>
public sealed record AppSet
{
    private AppSet(IReadOnlyList<string> apps) => Apps = apps;

    /// <summary>Sorted, distinct, without frappe (every site has it).</summary>
    public IReadOnlyList<string> Apps { get; }

    public string Key => Apps.Count == 0 ? "frappe" : string.Join(",", Apps);

    public static AppSet Of(IEnumerable<string> apps) =>
        new(apps.Where(a => a != "frappe").Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList());

    public bool Equals(AppSet? other) => other is not null && Key == other.Key;
    public override int GetHashCode() => Key.GetHashCode(StringComparison.Ordinal);
    public override string ToString() => Key;

    /// <summary>
    /// The setting <c>standby.appSets</c>: app sets separated by <c>;</c>, the apps of one by <c>,</c>; <c>frappe</c>
    /// alone is frappe without other apps (e.g. <c>frappe;erpnext;erpnext,hrms</c>).
    /// </summary>
    public static IReadOnlyList<AppSet> ParseList(string value) =>
        value.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(set => Of(set.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))
            .Distinct().ToList();

    /// <summary>Why the setting's value cannot be used, or null.</summary>
    public static string? Problem(string value)
    {
        var sets = value.Split(';', StringSplitOptions.TrimEntries);
        if (sets.Any(s => s.Length == 0))
            return "must list app sets separated by ';', each its apps separated by ',' ('frappe' for frappe alone), e.g. 'frappe;erpnext'";
        var bad = sets.SelectMany(s => s.Split(',', StringSplitOptions.TrimEntries)).Where(a => !AppNameRules.IsValid(a)).Distinct().ToList();
        if (bad.Count > 0) return $"names no app: {string.Join(", ", bad.Select(b => $"'{b}'"))}; apps are lowercase Python package names such as 'erpnext'";
        return sets.Length > 20 ? "at most 20 app sets" : null;
    }
}
