using System.Text.Json;
using System.Text.Json.Nodes;
using Press.FrappeDouble.Site;

namespace Press.FrappeDouble.Cli;

/// <summary>The <c>bench --site SITE …</c> commands Press uses after new-site (docs/frappe.md §2).</summary>
public static class BenchSiteCommands
{
    public static readonly HashSet<string> Names =
        ["install-app", "uninstall-app", "migrate", "set-maintenance-mode", "enable-scheduler", "disable-scheduler", "set-config", "execute", "set-admin-password"];

    private static readonly HashSet<string> None = [];

    /// <summary>A site_config key only tests set: seconds one migrate statement takes (README).</summary>
    public const string MigrateSecondsKnob = "frappe_test_double_migrate_seconds";

    public static async Task<int> RunAsync(BenchFolder bench, string site, string command, IReadOnlyList<string> args)
    {
        var config = SiteConfig.Load(bench, site);
        return command switch
        {
            "install-app" => await AppCommands.InstallAsync(bench, config, ParsedArgs.Parse(args, new HashSet<string> { "--force" }, None)),
            "uninstall-app" => await AppCommands.UninstallAsync(site, config, ParsedArgs.Parse(args,
                new HashSet<string> { "--yes", "--dry-run", "--no-backup", "--force" }, None, new Dictionary<string, string> { ["-y"] = "--yes" })),
            "migrate" => await MigrateAsync(bench, site, config, ParsedArgs.Parse(args, new HashSet<string> { "--skip-failing", "--skip-search-index" }, None)),
            "set-maintenance-mode" => await MaintenanceAsync(config, ParsedArgs.Parse(args, None, None)),
            "execute" => await ExecuteCommand.RunAsync(bench, config, args),
            "set-admin-password" => await SetAdminPasswordAsync(site, config, ParsedArgs.Parse(args, new HashSet<string> { "--logout-all-sessions" }, None)),
            "enable-scheduler" or "disable-scheduler" => await SchedulerAsync(site, config, command == "enable-scheduler", ParsedArgs.Parse(args, None, None)),
            _ => await SetConfigAsync(config, ParsedArgs.Parse(args, new HashSet<string> { "--parse" }, None,
                new Dictionary<string, string> { ["-p"] = "--parse" })),
        };
    }

    /// <summary>Ends, as frappe/migrate.py does, by enqueuing the search-index rebuild unless --skip-search-index.</summary>
    private static async Task<int> MigrateAsync(BenchFolder bench, string site, SiteConfig config, ParsedArgs a)
    {
        if (a.Positionals.Count > 0) throw BenchException.Usage($"Got unexpected extra argument ({a.Positionals[0]})");
        Console.Out.WriteLine($"Migrating {site}");
        await using var conn = await SiteDatabase.OpenAsync(config);
        // Test-only knob: one statement that runs this long, as a patch rewriting a big table does. The site role's
        // statement_timeout ends it unless bench was started with PGOPTIONS='-c statement_timeout=0'.
        if (double.TryParse(config.String(MigrateSecondsKnob), System.Globalization.CultureInfo.InvariantCulture, out var seconds) && seconds > 0)
            await SiteDatabase.ExecAsync(conn, "SELECT pg_sleep($1)", default, seconds);
        await MigratePatches.RunAsync(conn, config);
        // One row per run, so a test can count migrations.
        await FrappeTables.LogPatchAsync(conn, $"frappe-test-double.migrate {DateTime.UtcNow:O}");
        foreach (var app in await FrappeTables.InstalledAppsAsync(conn))
            Console.Out.WriteLine($"Updating DocTypes for {app}");
        if (!a.Has("--skip-search-index"))
            Console.Out.WriteLine($"Queued rebuilding of search index for {site} (job {await SiteQueue.EnqueueAsync(bench, config, site, "long", "frappe.search.website_search.build_index_for_all_routes")})");
        return 0;
    }

    /// <summary>Name of the test hook's marker file: in the site folder, it makes set-admin-password fail (README).</summary>
    public const string FailSetAdminPasswordMarker = "frappe-test-double-fail-set-admin-password";

    /// <summary>
    /// As <c>frappe/commands/site.py::set_user_password</c>: the password argument, else getpass
    /// ("Administrator's password for SITE: ", stdin without a terminal; asked again while empty, EOF is EOFError);
    /// "User Administrator does not exist" (exit 1) on a site never installed; the hash replaces the old one in __Auth.
    /// --logout-all-sessions ends sessions, of which the double keeps none.
    /// </summary>
    private static async Task<int> SetAdminPasswordAsync(string site, SiteConfig config, ParsedArgs a)
    {
        if (a.Positionals.Count > 1) throw BenchException.Usage($"Got unexpected extra argument ({a.Positionals[1]})");
        if (File.Exists(Path.Combine(config.SitePath, FailSetAdminPasswordMarker)))
            throw new BenchException($"frappe-test-double: set-admin-password fails while {FailSetAdminPasswordMarker} exists in the site folder (test hook)");
        var password = a.Positionals.Count == 1 ? a.Positionals[0] : "";
        while (password.Length == 0)
        {
            Console.Error.WriteLine("GetPassWarning: Can not control echo on the terminal.\nWarning: Password input may be echoed.");
            Console.Error.Write($"Administrator's password for {site}: ");
            password = Console.In.ReadLine() ?? throw new BenchException("EOFError: EOF when reading a line (the password prompt got no answer)");
        }
        await using var conn = await SiteDatabase.OpenAsync(config);
        if (!(await FrappeTables.InstalledAppsAsync(conn)).Contains("frappe"))
        {
            Console.Out.WriteLine("User Administrator does not exist");
            return 1;
        }
        await FrappeTables.SetAdminPasswordAsync(conn, password);
        return 0;
    }

    private static async Task<int> MaintenanceAsync(SiteConfig config, ParsedArgs a)
    {
        if (a.Positionals is not [var state] || state is not ("on" or "off"))
            throw BenchException.Usage("Invalid value for 'STATE': choose from on, off.");
        await SiteConfig.UpdateAsync(config.SitePath, "maintenance_mode", state == "on" ? 1 : 0);
        return 0;
    }

    private static async Task<int> SchedulerAsync(string site, SiteConfig config, bool enable, ParsedArgs a)
    {
        if (a.Positionals.Count > 0) throw BenchException.Usage($"Got unexpected extra argument ({a.Positionals[0]})");
        await using var conn = await SiteDatabase.OpenAsync(config);
        await FrappeTables.SetSingleAsync(conn, "System Settings", "enable_scheduler", enable ? "1" : "0");
        Console.Out.WriteLine($"{(enable ? "Enabled" : "Disabled")} for {site}");
        return 0;
    }

    private static async Task<int> SetConfigAsync(SiteConfig config, ParsedArgs a)
    {
        if (a.Positionals is not [var key, var raw]) throw BenchException.Usage("set-config takes KEY VALUE.");
        JsonNode? value = a.Has("--parse") ? PythonLiteral.Parse(raw) : JsonValue.Create(raw);
        await SiteConfig.UpdateAsync(config.SitePath, key, value);
        return 0;
    }
}
