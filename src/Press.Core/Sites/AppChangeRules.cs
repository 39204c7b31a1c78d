namespace Press.Core.Sites;

/// <summary>
/// The rules for installing or uninstalling one app on a running site (docs/architecture.md §19), as pure functions:
/// the API checks them before any job, and the job's check-app step checks them again against the live schema.
/// </summary>
public static class AppChangeRules
{
    /// <summary>
    /// The apps that need another app, from their <c>required_apps</c> hooks (hrms/hooks.py:
    /// <c>required_apps = ["frappe/erpnext"]</c>; lending/hooks.py likewise). Frappe refuses to uninstall an app another
    /// installed app requires (frappe/installer.py <c>remove_app</c>, docs/frappe.md §8). Press cannot read an image's
    /// hooks, so the check-app step also reads what Frappe recorded, and apps outside this list are checked by Frappe only.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, IReadOnlyList<string>> Requires = new Dictionary<string, IReadOnlyList<string>>
    {
        ["hrms"] = ["erpnext"],
        ["lending"] = ["erpnext"],
    };

    /// <summary>Every problem of installing <paramref name="app"/> (empty when it may go ahead).</summary>
    /// <param name="installed">The site's apps besides frappe.</param>
    /// <param name="benchApps">The apps the site's bench has (apps.txt, as <c>bench version</c> lists them); null when
    /// unknown (no runtime), and then Frappe is the judge.</param>
    public static List<string> InstallProblems(string? app, IReadOnlyList<string> installed, IReadOnlyCollection<string>? benchApps)
    {
        if (Shape(app) is { } shape) return [shape];
        if (installed.Contains(app!)) return [$"'{app}' is already installed on this site: nothing to do."];
        if (benchApps is not null && !benchApps.Contains(app!))
            return [$"'{app}' is not an app of this site's bench (it has {string.Join(", ", benchApps.Where(a => a != "frappe").DefaultIfEmpty("no app besides frappe"))}): build the runner image with it first."];
        return [];
    }

    /// <summary>Every problem of uninstalling <paramref name="app"/> (empty when it may go ahead).</summary>
    public static List<string> UninstallProblems(string? app, IReadOnlyList<string> installed)
    {
        if (Shape(app) is { } shape) return [shape];
        if (!installed.Contains(app!))
            return [$"'{app}' is not installed on this site (installed: {string.Join(", ", installed.DefaultIfEmpty("none besides frappe"))})."];
        var dependants = installed.Where(other => Requires.GetValueOrDefault(other)?.Contains(app!) == true).ToList();
        return dependants.Count == 0 ? []
            : [$"'{app}' is required by {string.Join(", ", dependants)}, installed on this site: uninstall {string.Join(" and ", dependants)} first."];
    }

    private static string? Shape(string? app) => app switch
    {
        null or "" => "'app' is required: the app's Python package name, such as 'erpnext'.",
        "frappe" => "'frappe' is the framework every site runs on: it is never installed or uninstalled on its own.",
        _ when !AppNameRules.IsValid(app) => $"'{(app.Length > 30 ? app[..30] + "…" : app)}' is not an app name: use a lowercase Python package name such as 'erpnext'.",
        _ => null,
    };
}
