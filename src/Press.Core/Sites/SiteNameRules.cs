namespace Press.Core.Sites;

/// <summary>
/// Site names are DNS host names (docs/architecture.md §4): lowercase letters, digits and hyphens in dot-separated labels of
/// 1–63 characters, 253 characters in all. Every problem is reported, each with how to fix it.
/// </summary>
public static class SiteNameRules
{
    public const int MaxLength = 253;
    public const int MaxLabelLength = 63;

    /// <summary>Names Press keeps for itself or its platform services.</summary>
    public static readonly IReadOnlySet<string> Reserved = new HashSet<string>(StringComparer.Ordinal)
    {
        "localhost", "localhost.localdomain", "press", "admin", "api", "www", "traefik", "keycloak", "minio",
        "postgres", "redis", "metrics", "healthz", "readyz", "openapi", "sso", "auth", "login",
    };

    /// <summary>
    /// What a Frappe bench's <c>sites/</c> folder holds besides one folder per site: <c>assets</c> (built front-end
    /// files, frappe/build.py), <c>apps.txt</c> (installed apps, frappe/__init__.py get_all_apps), <c>apps.json</c>
    /// (bench's app list), <c>common_site_config.json</c> (frappe/__init__.py) and <c>currentsite.txt</c> (the default
    /// site, frappe/utils/bench_helper.py). A site folder of that name would clash with them.
    /// </summary>
    public static readonly IReadOnlySet<string> BenchFolderNames = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "assets", "apps.txt", "apps.json", "common_site_config.json", "currentsite.txt",
    };

    public static IReadOnlyList<string> Validate(string? name)
    {
        if (name is null) return ["'name' is required: give the site's host name, e.g. 'erp.example.com'."];
        if (name.Length == 0) return ["'name' is empty: give the site's host name, e.g. 'erp.example.com'."];

        var problems = new List<string>();
        if (name.Length > MaxLength)
            problems.Add($"The name is {name.Length} characters long; a host name has at most {MaxLength}.");
        if (name != name.Trim())
            problems.Add("The name has leading or trailing whitespace: remove it.");
        if (name.Any(char.IsUpper))
            problems.Add($"The name has uppercase letters: use lowercase ('{name.ToLowerInvariant()}').");
        if (name.Any(c => c > 127))
            problems.Add("The name has non-ASCII characters: use the punycode form (xn--…) of internationalised names.");
        var bad = name.Where(c => c <= 127 && !char.IsAsciiLetterOrDigit(c) && c != '-' && c != '.' && !char.IsUpper(c))
            .Distinct().ToArray();
        if (bad.Length > 0)
            problems.Add($"The name contains {Describe(bad)}: only lowercase letters a–z, digits, hyphens and dots are allowed.");
        if (name.EndsWith('.'))
            problems.Add("The name ends with a dot: drop the trailing dot.");
        if (name.StartsWith('.'))
            problems.Add("The name starts with a dot: every label between dots must be non-empty.");
        if (name.Contains(".."))
            problems.Add("The name has an empty label ('..'): every label between dots must be non-empty.");

        var labels = name.Trim('.').Split('.');
        foreach (var label in labels.Where(l => l.Length > MaxLabelLength).Distinct())
            problems.Add($"The label '{Shorten(label)}' is {label.Length} characters long; a label has at most {MaxLabelLength}.");
        foreach (var label in labels.Where(l => l.StartsWith('-') || l.EndsWith('-')).Distinct())
            problems.Add($"The label '{Shorten(label)}' starts or ends with a hyphen: labels must start and end with a letter or digit.");
        if (labels.Length > 0 && labels[^1].Length > 0 && labels[^1].All(char.IsAsciiDigit))
            problems.Add(System.Net.IPAddress.TryParse(name, out _)
                ? "The name is an IP address: sites need a host name, e.g. 'erp.example.com'."
                : "The last label is all digits: top-level labels must contain a letter.");
        if (problems.Count == 0)
            problems.AddRange(labels.Where(l => l.StartsWith(Punycode.AcePrefix, StringComparison.Ordinal)).Distinct()
                .Select(Punycode.Problem).OfType<string>());
        if (problems.Count == 0 && Reserved.Contains(name))
            problems.Add($"'{name}' is reserved for Press itself: choose another name.");
        if (Standby.StandbyNames.IsReserved(name))
            problems.Add($"'{name}' is under '.{Standby.StandbyNames.Domain}', the top-level domain that never resolves (RFC 6761), which Press keeps for its standby sites: choose another name.");
        if (BenchFolderNames.Contains(name))
            problems.Add($"'{name}' is a name a Frappe bench's sites/ folder already holds (besides the sites): choose another name.");
        return problems;
    }

    private static string Describe(char[] chars) =>
        string.Join(", ", chars.Select(c => c switch
        {
            ' ' => "a space",
            '_' => "an underscore '_'",
            _ when char.IsControl(c) => $"a control character (U+{(int)c:X4})",
            _ => $"'{c}'",
        }));

    private static string Shorten(string label) => label.Length <= 20 ? label : label[..20] + "…";
}
