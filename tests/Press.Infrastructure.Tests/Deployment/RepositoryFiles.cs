using System.ComponentModel;
using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Press.Infrastructure.Tests.Deployment;

/// <summary>
/// The repository's files as a clone has them, as paths relative to the repository root ('/'-separated).
/// </summary>
/// <remarks>
/// <c>git ls-files</c> first: the tracked files are exactly what a clone from a public host receives, whatever else
/// lies in this working tree (build output, .press state, a developer's scratch files). Without git (no git program,
/// or a source archive with no .git) the tree is walked instead, leaving out what the repository's .gitignore files
/// ignore, so the test still runs — and fails, never skips — wherever the code is. The walk understands only the
/// pattern forms those files use today and throws on any other, so a new kind of pattern is taught here rather than
/// silently ignored.
/// </remarks>
internal static partial class RepositoryFiles
{
    public static (IReadOnlyList<string> Files, string Source) List(string root) =>
        GitLsFiles(root) is { } tracked ? (tracked, "git ls-files") : (Walk(root), "a walk of the tree (no git checkout here)");

    private static List<string>? GitLsFiles(string root)
    {
        try
        {
            if (Git(root, "rev-parse", "--show-toplevel") is not { } top
                || Path.GetFullPath(top.Trim()) != Path.GetFullPath(root)) return null; // not this repository's own checkout
            return Git(root, "ls-files", "-z", "--cached")?.Split('\0', StringSplitOptions.RemoveEmptyEntries)
                .Where(f => File.Exists(Path.Combine(root, f))) // deleted in the working tree, not yet committed
                .ToList();
        }
        catch (Win32Exception) { return null; } // no git program
    }

    private static string? Git(string root, params string[] args)
    {
        var info = new ProcessStartInfo("git") { WorkingDirectory = root, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) info.ArgumentList.Add(a);
        using var git = Process.Start(info)!;
        var output = git.StandardOutput.ReadToEndAsync();
        git.StandardError.ReadToEnd();
        git.WaitForExit();
        return git.ExitCode == 0 ? output.Result : null;
    }

    internal static List<string> Walk(string root)
    {
        var files = new List<string>();
        void Visit(string dir, IReadOnlyList<Ignore> ignores)
        {
            var here = ignores.Concat(ReadIgnores(root, dir)).ToList();
            foreach (var entry in Directory.EnumerateFileSystemEntries(dir).Order(StringComparer.Ordinal))
            {
                var relative = Path.GetRelativePath(root, entry).Replace(Path.DirectorySeparatorChar, '/');
                var isDir = Directory.Exists(entry);
                if (Path.GetFileName(entry) == ".git" || here.Any(i => i.Matches(relative, isDir))) continue;
                if (isDir) Visit(entry, here);
                else files.Add(relative);
            }
        }
        Visit(root, []);
        return files;
    }

    /// <summary>One .gitignore line: where its file is (relative to the root) and the pattern as a regex.</summary>
    private sealed record Ignore(string Base, Regex Pattern, bool DirectoryOnly)
    {
        public bool Matches(string relative, bool isDir)
        {
            if (DirectoryOnly && !isDir) return false;
            if (Base.Length > 0 && !relative.StartsWith(Base + "/", StringComparison.Ordinal)) return false;
            return Pattern.IsMatch(Base.Length > 0 ? relative[(Base.Length + 1)..] : relative);
        }
    }

    private static IEnumerable<Ignore> ReadIgnores(string root, string dir)
    {
        var file = Path.Combine(dir, ".gitignore");
        if (!File.Exists(file)) yield break;
        var baseDir = Path.GetRelativePath(root, dir).Replace(Path.DirectorySeparatorChar, '/');
        if (baseDir == ".") baseDir = "";
        foreach (var raw in File.ReadLines(file))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            if (!SupportedPattern().IsMatch(line))
                throw new NotSupportedException($"{file}: the pattern '{line}' is of a form RepositoryFiles.Walk does not know; teach it there.");
            var directoryOnly = line.EndsWith('/');
            var body = line.TrimEnd('/');
            var segments = string.Join("/", body.Split('/').Select(s => Regex.Escape(s).Replace(@"\*", "[^/]*")));
            // No slash inside: the name matches at any depth; a slash inside anchors it at the .gitignore's folder.
            var regex = body.Contains('/') ? $"^{segments}$" : $"(^|/){segments}$";
            yield return new Ignore(baseDir, new Regex(regex, RegexOptions.CultureInvariant), directoryOnly);
        }
    }

    /// <summary>Plain names, '*' within a segment, '/' between segments, an optional trailing '/'. No '!', '**', '?', '['.</summary>
    [GeneratedRegex(@"^[A-Za-z0-9._*\-]+(/[A-Za-z0-9._*\-]+)*/?$")]
    private static partial Regex SupportedPattern();
}
