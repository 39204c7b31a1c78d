using System.Text.Json;
using Press.FrappeDouble.Site;

namespace Press.FrappeDouble.Cli;

/// <summary>
/// <c>bench --site S install-app</c> and <c>uninstall-app</c> as frappe/commands/site.py and frappe/installer.py run
/// them (docs/frappe.md §8), including where Frappe does nothing yet exits 0.
/// </summary>
public static class AppCommands
{
    /// <summary>A site_config key only tests set: <c>after-drop</c> makes uninstall-app exit 137 once the app's tables
    /// are dropped but before it is removed from the installed apps, as a killed bench would.</summary>
    public const string CrashUninstallKnob = "frappe_test_double_crash_uninstall";

    /// <summary>
    /// Per app: its required_apps first, "App X not in apps.txt" (an exception, printed as "An error occurred while
    /// installing X: …", exit 1 at the end), "App X already installed" (exit 0); otherwise its modules and doctypes,
    /// then its "tabInstalled Application" row, which marks a completed install.
    /// </summary>
    public static async Task<int> InstallAsync(BenchFolder bench, SiteConfig config, ParsedArgs a)
    {
        var available = bench.AvailableApps();
        await using var conn = await SiteDatabase.OpenAsync(config);
        var exitCode = 0;
        foreach (var app in a.Positionals)
        {
            try { await InstallOneAsync(conn, app, available, a.Has("--force")); }
            catch (BenchException e)
            {
                Console.Out.WriteLine($"An error occurred while installing {app}: {e.Message}");
                exitCode = 1;
            }
        }
        await SiteCache.SetAsync(config, "installed_apps", JsonSerializer.Serialize(await FrappeTables.InstalledAppsAsync(conn)));
        return exitCode;
    }

    private static async Task InstallOneAsync(Npgsql.NpgsqlConnection conn, string app, IReadOnlyList<string> available, bool force)
    {
        foreach (var required in AppTables.RequiredApps.GetValueOrDefault(app) ?? [])
            await InstallOneAsync(conn, required, available, force: false);
        if (!available.Contains(app)) throw new BenchException($"App {app} not in apps.txt");
        if (!force && (await FrappeTables.InstalledAppsAsync(conn)).Contains(app))
        {
            Console.Out.WriteLine($"App {app} already installed");
            return;
        }
        Console.Out.WriteLine($"Installing {app}...");
        if (app != "frappe") await AppTables.SyncAsync(conn, app);
        await FrappeTables.InstallAppAsync(conn, app);
    }

    /// <summary>
    /// frappe/commands/site.py <c>uninstall</c> → frappe/installer.py <c>remove_app</c>. The double is stricter in one
    /// place: without <c>--no-backup</c> Frappe runs its own backup (<c>scheduled_backup</c>, a dump of the whole
    /// database), which the double does not implement, so it refuses.
    /// </summary>
    public static async Task<int> UninstallAsync(string site, SiteConfig config, ParsedArgs a)
    {
        if (a.Positionals is not [var app]) throw BenchException.Usage(a.Positionals.Count == 0 ? "Missing argument 'APP'." : $"Got unexpected extra argument ({a.Positionals[1]})");
        if (app == "frappe") throw new BenchException("You cannot remove or uninstall the app `frappe`"); // ensure_app_not_frappe
        var dryRun = a.Has("--dry-run");
        await using var conn = await SiteDatabase.OpenAsync(config);
        var installed = await FrappeTables.InstalledAppsAsync(conn);
        if (!a.Has("--force") && !installed.Contains(app))
        {
            Console.Out.WriteLine($"App {app} not installed on Site {site}");
            return 0;
        }
        foreach (var other in installed.Where(o => o != app && (AppTables.RequiredApps.GetValueOrDefault(o)?.Contains(app) ?? false)))
        {
            Console.Out.WriteLine($"App {app} is a dependency of {other}. Uninstall {other} first.");
            return 0;
        }
        Console.Out.WriteLine($"Uninstalling App {app} from Site {site}...");
        if (!dryRun && !a.Has("--yes"))
        {
            // click.confirm without a terminal reads stdin; at its end click aborts ("Aborted!", exit 1).
            Console.Out.Write("All doctypes (including custom) and modules belonging to this app will be deleted. Are you sure you want to continue? [y/N]: ");
            var answer = Console.In.ReadLine() ?? throw new BenchException("Aborted!");
            if (answer.Trim().ToLowerInvariant() is not ("y" or "yes")) return 0;
        }
        if (!dryRun && !a.Has("--no-backup"))
            throw new BenchException("frappe-test-double: Frappe's own backup (scheduled_backup: the whole database) is not implemented; pass --no-backup");
        if (dryRun)
        {
            Console.Out.WriteLine($"* would drop the doctypes of module '{AppTables.Module(app)}'");
            return 0;
        }
        await AppTables.DropAsync(conn, app);
        if (config.String(CrashUninstallKnob) == "after-drop")
        {
            Console.Error.WriteLine($"frappe-test-double: {CrashUninstallKnob}=after-drop: exiting half-way through the uninstall");
            return 137;
        }
        var left = await AppTables.RemoveFromInstalledAsync(conn, app);
        await SiteCache.SetAsync(config, "installed_apps", JsonSerializer.Serialize(left));
        Console.Out.WriteLine($"Uninstalled App {app} from Site {site}");
        return 0;
    }
}
