using Press.Core.Sites;

namespace Press.Core.Ports;

/// <summary>
/// The site's schema as the site itself sees it: every call runs logged in with the site role's powers only (a helper
/// login, docs/architecture.md §4), never as Press — reading or dropping the tenant's objects may run the tenant's code.
/// </summary>
public interface ISiteSchema
{
    /// <summary>What an install left in the schema (docs/frappe.md §7: new-site is not transactional).</summary>
    Task<SchemaInstall> InspectInstallAsync(Site site, CancellationToken ct);

    /// <summary>Drops every object in the site's schema (the schema itself, its owner and grants stay), so new-site
    /// starts on an empty schema. Fails naming what could not be dropped.</summary>
    Task<string> EmptyAsync(Site site, CancellationToken ct);
}

/// <param name="Objects">Tables, views, sequences, functions and types in the schema.</param>
/// <param name="InstalledApps">The apps of <c>"tabInstalled Application"</c>, which Frappe fills as each app's install
/// completes (add_to_installed_apps); null when that table does not exist.</param>
public sealed record SchemaInstall(int Objects, IReadOnlyList<string>? InstalledApps)
{
    public bool Empty => Objects == 0;

    /// <summary>Every app completed its install, frappe first among them.</summary>
    public bool Holds(IEnumerable<string> apps) => InstalledApps is { } installed && apps.All(installed.Contains);
}
