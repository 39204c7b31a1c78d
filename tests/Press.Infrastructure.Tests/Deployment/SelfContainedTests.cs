using System.Text.RegularExpressions;

namespace Press.Infrastructure.Tests.Deployment;

/// <summary>
/// The repository stands alone: a clone with nothing beside it has everything its files refer to. Every file of the
/// repository (<see cref="RepositoryFiles"/>) is checked for references outside it (<see cref="OutsideReferences"/>).
/// </summary>
public sealed class SelfContainedTests
{
    private static readonly string Root = DeploymentPaths.Repo;

    // Document names in the sample citations below, kept apart so that this file passes its own check.
    private const string Design = "architecture";
    private const string Notes = "frappe";

    [Fact]
    public void No_file_refers_to_anything_outside_the_repository()
    {
        var (files, source) = RepositoryFiles.List(Root);
        Assert.Contains("README.md", files); // the listing found the repository, not an empty folder
        var known = new HashSet<string>(files, StringComparer.Ordinal);
        var problems = new List<string>();
        foreach (var file in files)
        {
            var bytes = File.ReadAllBytes(Path.Combine(Root, file));
            if (Array.IndexOf(bytes, (byte)0, 0, Math.Min(bytes.Length, 8000)) >= 0) continue; // binary
            problems.AddRange(OutsideReferences.Find(file, System.Text.Encoding.UTF8.GetString(bytes), p => Exists(known, p), Sections));
        }

        Assert.True(problems.Count == 0,
            $"{problems.Count} reference(s) outside the repository ({files.Count} files from {source}):\n  " + string.Join("\n  ", problems));
    }

    [Fact]
    public void Each_kind_of_outside_reference_is_found()
    {
        var shared = ".." + "/shared/docs/architecture.md";
        var known = new HashSet<string> { "README.md", "docs/architecture.md", "docs/frappe.md", "scripts/test" };
        IEnumerable<string> Check(string path, string text) =>
            OutsideReferences.Find(path, text, p => Exists(known, p), doc => new HashSet<string> { "1", "2", "3" });

        Assert.Contains(Check("README.md", $"The design is [here]({shared})."), p => p.Contains("a folder beside the repository"));
        Assert.Contains(Check("scripts/lib/x.sh", "# see " + "/" + "work/shared/docs/test.md"), p => p.Contains("absolute path"));
        Assert.Contains(Check("scripts/lib/x.sh", "cd ../../../elsewhere"), p => p.Contains("climbs above the repository root"));
        Assert.Contains(Check("docker/README.md", "[x](../../sibling/README.md)"), p => p.Contains("points outside the repository"));
        Assert.Contains(Check("docs/x.md", "[x](missing.md)"), p => p.Contains("not in the repository"));
        Assert.Contains(Check("src/A.cs", "/// <summary>The states of " + Design + " §3.</summary>"), p => p.Contains("name the file"));
        Assert.Contains(Check("src/A.cs", "// (" + Notes + ".md §1 step 2)"), p => p.Contains("name the file"));
        Assert.Contains(Check("src/A.cs", "// docs/" + Notes + ".md §1–§9"), p => p.Contains("does not have"));
        Assert.Contains(Check("src/A.cs", "// (" + "test" + "-infra: pg_restore 17)"), p => p.Contains("not part of the repository"));
    }

    [Fact]
    public void What_stays_inside_passes()
    {
        var known = new HashSet<string> { "README.md", "docs/architecture.md", "docs/frappe.md", "scripts/lib/services.sh", "tests/schemas/SOURCES.md" };
        IEnumerable<string> Check(string path, string text) =>
            OutsideReferences.Find(path, text, p => Exists(known, p), doc => new HashSet<string> { "1", "2", "3" });

        Assert.Empty(Check("scripts/lib/services.sh", "PRESS_REPO=\"$(cd \"$(dirname \"${BASH_SOURCE[0]}\")/../..\" && pwd -P)\""));
        Assert.Empty(Check("docker/README.md", "see [the schemas](../tests/schemas/SOURCES.md) and [Press](https://example.com/a/../b)"));
        Assert.Empty(Check("docs/architecture.md", $"Frappe's side is in [{Notes}.md]({Notes}.md) ({Notes}.md §1–§3); see the [README](../README.md)"));
        Assert.Empty(Check("src/A.cs", "// The states of docs/architecture.md §3; `docs/frappe.md` §1, §2 and §3."));
        Assert.Empty(Check("tests/B.cs", "var evil = \"../../../../etc/passwd\"; // a traversal the code under test must refuse"));
    }

    [Fact]
    public void Without_git_the_walk_leaves_out_what_the_gitignore_files_ignore()
    {
        var root = Directory.CreateTempSubdirectory("press-walk-").FullName;
        try
        {
            foreach (var (file, text) in new[]
            {
                (".gitignore", "# build output\n.press/\nbin/\n*.swp\n"),
                ("docker/.gitignore", "press/*/publish/\nsecrets/\n"),
                ("README.md", "x"), ("src/A/A.cs", "x"), ("src/A/bin/Release/A.dll", "x"), ("src/A/A.cs.swp", "x"),
                (".press/test/services.env", "x"), ("docker/secrets/key", "x"), ("docker/press/manager/publish/app", "x"),
                ("docker/press/manager/Dockerfile", "x"), ("secrets/not-under-docker", "x"),
            })
            {
                Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(root, file))!);
                File.WriteAllText(Path.Combine(root, file), text);
            }

            Assert.Equal(
                [".gitignore", "README.md", "docker/.gitignore", "docker/press/manager/Dockerfile", "secrets/not-under-docker", "src/A/A.cs"],
                RepositoryFiles.Walk(root).Order(StringComparer.Ordinal));
            File.AppendAllText(Path.Combine(root, ".gitignore"), "!keep-this\n");
            Assert.Throws<NotSupportedException>(() => RepositoryFiles.Walk(root));
        }
        finally { Directory.Delete(root, recursive: true); }
    }

    [Fact]
    public void The_walk_keeps_every_file_git_tracks_here()
    {
        var (listed, source) = RepositoryFiles.List(Root);
        var walked = RepositoryFiles.Walk(Root);
        if (source == "git ls-files")
            Assert.Empty(listed.Except(walked)); // the walk's .gitignore handling drops no tracked file
        else // no git here: the listing is the walk; at least it holds the repository and no build output
            Assert.True(walked.Contains("Press.slnx") && !walked.Any(f => f.Contains("/bin/") || f.Contains("/obj/")), string.Join("\n", walked));
    }

    private static bool Exists(HashSet<string> files, string path) =>
        path.Length == 0 || files.Contains(path) || files.Any(f => f.StartsWith(path + "/", StringComparison.Ordinal));

    private static IReadOnlySet<string> Sections(string doc)
    {
        var path = Path.Combine(Root, doc);
        return File.Exists(path)
            ? File.ReadLines(path).Select(l => Regex.Match(l, @"^## (\d+)\.")).Where(m => m.Success).Select(m => m.Groups[1].Value).ToHashSet()
            : new HashSet<string>();
    }
}
