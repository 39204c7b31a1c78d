using System.Text.RegularExpressions;

namespace Press.Infrastructure.Tests.Deployment;

/// <summary>
/// Finds references from a repository file to something outside the repository, or to a document that is not where
/// the reference says. Pure: the caller supplies the file's text and what exists in the repository.
/// </summary>
/// <remarks>
/// The kinds, each with the fix it names:
/// <list type="bullet">
/// <item>the workspace the project was first written in: its sibling folder of notes and schemas, or an absolute path
///   into it;</item>
/// <item>a relative path (outside C# sources) that climbs above the repository root from the file's own folder;</item>
/// <item>a markdown link whose target is outside the repository or does not exist in it;</item>
/// <item>a citation of the design or Frappe notes that does not name the file in docs/, or names a section that
///   file does not have; and the names of the background notes that were never part of the repository.</item>
/// </list>
/// In C# sources, relative paths are run-time values (the security tests feed <c>../</c> paths to the code on
/// purpose), so only the first and last kinds apply there.
/// </remarks>
internal static partial class OutsideReferences
{
    /// <summary>Documents that may be cited by section, and where they live.</summary>
    public static readonly IReadOnlyDictionary<string, string> CitableDocs = new Dictionary<string, string>
    {
        ["architecture"] = "docs/architecture.md",
        ["frappe"] = "docs/frappe.md",
    };

    // Built from parts so that this file does not match its own patterns.
    private static readonly string SharedFolder = ".." + "/shared";
    private static readonly string Workspace = "/" + "work/";
    private static readonly string[] NeverInRepo = ["test" + "-infra", "house" + "-style"];

    /// <param name="path">The file, relative to the root, '/'-separated.</param>
    /// <param name="exists">Whether a root-relative path is a file or folder of the repository.</param>
    /// <param name="sections">The section numbers (<c>## N.</c> headings) of a root-relative markdown file.</param>
    public static IEnumerable<string> Find(string path, string text, Func<string, bool> exists, Func<string, IReadOnlySet<string>> sections)
    {
        var folder = path.Contains('/') ? path[..path.LastIndexOf('/')] : "";
        var csharp = path.EndsWith(".cs", StringComparison.Ordinal);
        var lines = text.Split('\n');
        for (var n = 0; n < lines.Length; n++)
        {
            var line = lines[n];
            var at = $"{path}:{n + 1}";
            if (line.Contains(SharedFolder, StringComparison.Ordinal))
                yield return $"{at}: refers to {SharedFolder}, a folder beside the repository that a clone does not have; copy what is needed into the repository (docs/, tests/) and refer to that";
            if (Regex.IsMatch(line, $@"(?<![\w.-]){Regex.Escape(Workspace)}"))
                yield return $"{at}: refers to the absolute path {Workspace}…, which exists only on the machine it was written on; use a path inside the repository";
            foreach (var name in NeverInRepo.Where(name => Regex.IsMatch(line, $@"\b{name}\b", RegexOptions.IgnoreCase)))
                yield return $"{at}: cites '{name}', background notes that are not part of the repository; cite docs/architecture.md or docs/frappe.md";
            foreach (var problem in Citations(line, folder, sections)) yield return $"{at}: {problem}";
            if (!csharp)
                foreach (Match m in ClimbingPath().Matches(line))
                    if (Resolve(folder, m.Value) is null)
                        yield return $"{at}: '{m.Value}' climbs above the repository root from {(folder.Length == 0 ? "the root" : folder + "/")}; refer to a path inside the repository";
            if (path.EndsWith(".md", StringComparison.Ordinal))
                foreach (Match m in MarkdownLink().Matches(line))
                    if (LinkProblem(folder, m.Groups["target"].Value, exists) is { } problem)
                        yield return $"{at}: link '{m.Groups["target"].Value}' {problem}";
        }
    }

    private static IEnumerable<string> Citations(string line, string folder, Func<string, IReadOnlySet<string>> sections)
    {
        foreach (Match m in Citation().Matches(line))
        {
            var name = m.Groups["name"].Value.ToLowerInvariant();
            var doc = CitableDocs[name];
            var written = m.Groups["path"].Value + name + m.Groups["ext"].Value;
            var sameFolder = folder == "docs" && m.Groups["path"].Value.Length == 0 && m.Groups["ext"].Value.Length > 0;
            if (!sameFolder && !written.Equals(doc, StringComparison.OrdinalIgnoreCase))
            {
                yield return $"cites '{m.Value.Trim()}': name the file, as '{doc} §N'";
                continue;
            }
            var have = sections(doc);
            foreach (Capture section in m.Groups["section"].Captures)
                if (!have.Contains(section.Value))
                    yield return $"cites {doc} §{section.Value}, which {doc} does not have (its sections: §{string.Join(", §", have.Order())})";
        }
    }

    private static string? LinkProblem(string folder, string target, Func<string, bool> exists)
    {
        if (target.Length == 0 || target.StartsWith('#') || Regex.IsMatch(target, "^[a-zA-Z][a-zA-Z0-9+.-]*:")) return null; // anchor, URL, mailto
        var bare = target.Split('#', '?')[0];
        if (bare.Length == 0) return null;
        var resolved = bare.StartsWith('/') ? Resolve("", bare.TrimStart('/')) : Resolve(folder, bare);
        if (resolved is null) return "points outside the repository";
        return exists(resolved) ? null : $"points to {(resolved.Length == 0 ? "the root" : resolved)}, which is not in the repository";
    }

    /// <summary>The root-relative path <paramref name="relative"/> names from <paramref name="folder"/>; null when it leaves the root.</summary>
    public static string? Resolve(string folder, string relative)
    {
        var parts = new List<string>(folder.Length == 0 ? [] : folder.Split('/'));
        foreach (var segment in relative.Split('/'))
        {
            if (segment is "" or ".") continue;
            if (segment == "..")
            {
                if (parts.Count == 0) return null;
                parts.RemoveAt(parts.Count - 1);
            }
            else parts.Add(segment);
        }
        return string.Join('/', parts);
    }

    /// <summary>A relative path that starts with ../ at the start of a token (not one glued to a run-time prefix).</summary>
    [GeneratedRegex(@"(?<=^|[\s""'`(\[=,:<])(\.\./)+(\.\.(?![\w.])|[\w.-]+(/[\w.-]+)*)?")]
    private static partial Regex ClimbingPath();

    [GeneratedRegex(@"\]\((?<target>[^)\s]+)(\s+""[^""]*"")?\)")]
    private static partial Regex MarkdownLink();

    /// <summary>
    /// A citation: an optional folder, the document's name (see <see cref="CitableDocs"/>), an optional ".md" (maybe in
    /// backticks), then a run of "§N" joined by dashes, commas, "and" or "or"; each N is captured.
    /// </summary>
    [GeneratedRegex(@"(?<![\w-])(?<path>[\w./-]*/)?(?<name>architecture|frappe)(?<ext>\.md)?`?\s*(§(?<section>\d+)(\.\d+)*(\s*(–|-|,|and|&|or)\s*)?)+",
        RegexOptions.IgnoreCase)]
    private static partial Regex Citation();
}
