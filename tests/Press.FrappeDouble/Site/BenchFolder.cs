using Press.FrappeDouble.Cli;

namespace Press.FrappeDouble.Site;

/// <summary>The bench folder (the working directory): <c>sites/</c> with <c>apps.txt</c> and one folder per site.</summary>
public sealed class BenchFolder
{
    private BenchFolder(string path) => Path = path;

    public string Path { get; }

    public string SitesPath => System.IO.Path.Combine(Path, "sites");

    public static BenchFolder Open(string cwd)
    {
        var bench = new BenchFolder(System.IO.Path.GetFullPath(cwd));
        if (!Directory.Exists(bench.SitesPath))
            throw new BenchException($"{cwd} is not a bench folder: it has no sites/ (run bench from the bench folder, e.g. /home/frappe/frappe-bench).");
        return bench;
    }

    /// <summary>
    /// The folder of a site name, or null when the name cannot be one (path separators, dot-names). Site names come
    /// from Host headers too, so this is the guard against path traversal.
    /// </summary>
    public string? SitePath(string site) =>
        site.Length is > 0 and <= 255 && !site.StartsWith('.') && site.IndexOfAny(['/', '\\', '\0']) < 0
            ? System.IO.Path.Combine(SitesPath, site)
            : null;

    /// <summary>Apps this bench "has" (sites/apps.txt, one per line), like <c>frappe.get_all_apps()</c>.</summary>
    public IReadOnlyList<string> AvailableApps()
    {
        var file = System.IO.Path.Combine(SitesPath, "apps.txt");
        return File.Exists(file)
            ? File.ReadAllLines(file).Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList()
            : [];
    }

    public void RequireApps(IEnumerable<string> apps)
    {
        var available = AvailableApps();
        foreach (var app in apps)
            if (!available.Contains(app))
                throw new BenchException($"App {app} not in apps.txt (this bench has: {string.Join(", ", available)}).");
    }
}
