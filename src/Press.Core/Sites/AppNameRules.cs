using System.Text.RegularExpressions;

namespace Press.Core.Sites;

/// <summary>Frappe app names as bench accepts them: Python package names (lowercase, digits, underscores).</summary>
public static partial class AppNameRules
{
    public static IReadOnlyList<string> Validate(IReadOnlyList<string> apps)
    {
        var problems = new List<string>();
        for (var i = 0; i < apps.Count; i++)
        {
            if (!Shape().IsMatch(apps[i]))
                problems.Add($"apps[{i}] '{Shorten(apps[i])}' is not an app name: use a lowercase Python package name such as 'erpnext'.");
        }
        foreach (var dup in apps.GroupBy(a => a).Where(g => g.Count() > 1))
            problems.Add($"'{Shorten(dup.Key)}' is listed {dup.Count()} times: list each app once.");
        if (apps.Count > 50) problems.Add($"{apps.Count} apps given; at most 50 are allowed.");
        return problems;
    }

    public static bool IsValid(string app) => Shape().IsMatch(app);

    [GeneratedRegex("^[a-z][a-z0-9_]{0,63}\\z")]
    private static partial Regex Shape();

    private static string Shorten(string s) => s.Length <= 30 ? s : s[..30] + "…";
}
