using System.Text.Json;
using Press.FrappeDouble.Site;

namespace Press.FrappeDouble.Cli;

/// <summary>
/// <c>bench new-site SITE --force --no-setup-db [--db-type postgres] [--admin-password PW] [--install-app APP]…</c>,
/// the only form Press may use on a shared database (docs/frappe.md §1). Each refusal below is a call that would go
/// wrong against the real bench: a DROP DATABASE of the shared database, a site config Frappe would write itself
/// (with the wrong role and no schema), a password prompt nobody answers. Without <c>--admin-password</c> the
/// password is asked as Frappe asks it (frappe/utils/install.py <c>get_admin_password</c>, unless site config has
/// <c>admin_password</c>): getpass "Set Administrator password: " then "Re-enter Administrator password: ", again
/// while they differ. Without a terminal getpass reads stdin (Python's <c>getpass.fallback_getpass</c>); at the end of
/// stdin it raises EOFError and new-site fails.
/// </summary>
public static class NewSiteCommand
{
    private static readonly HashSet<string> Flags = ["--force", "--no-setup-db", "--setup-db", "--verbose"];
    private static readonly HashSet<string> Options = ["--db-type", "--admin-password", "--install-app"];

    /// <summary>A site_config key only tests set: <c>after-framework</c> makes new-site die half-way (README).</summary>
    public const string CrashKnob = "frappe_test_double_crash_new_site";

    public static async Task<int> RunAsync(BenchFolder bench, IReadOnlyList<string> args)
    {
        var a = ParsedArgs.Parse(args, Flags, Options);
        if (a.Positionals.Count != 1) throw BenchException.Usage("new-site takes exactly one SITE argument.");
        var site = a.Positionals[0];
        var sitePath = bench.SitePath(site) ?? throw new BenchException($"Invalid site name: {site}");

        if (a.Has("--setup-db") || !a.Has("--no-setup-db"))
            throw new BenchException("Refusing new-site without --no-setup-db: bench would DROP and re-create database "
                                     + "db_name, which all sites share (docs/frappe.md §1).");
        if (!a.Has("--force"))
            throw new BenchException($"Site {site} already exists (its folder and site_config.json must exist before new-site, so pass --force).");
        if (a.Value("--db-type") is { } dbType && dbType != "postgres")
            throw new BenchException($"--db-type {dbType}: the test double knows only postgres.");

        var config = SiteConfig.TryLoad(sitePath)
            ?? throw new BenchException($"{SiteConfig.FilePath(sitePath)} does not exist: Press must write it before new-site "
                                        + "(otherwise Frappe writes its own, for a per-site database and role).");
        var missing = SiteConfig.RequiredForNewSite.Where(k => !config.IsSet(k)).ToList();
        if (missing.Count > 0)
            throw new BenchException($"site_config.json of {site} lacks: {string.Join(", ", missing)}.");
        if (config.String("db_type") != "postgres")
            throw new BenchException($"site_config db_type is {config.String("db_type")}, expected postgres.");

        var adminPassword = a.Value("--admin-password") ?? config.String("admin_password") ?? AskAdminPassword();

        var apps = new List<string> { "frappe" };
        apps.AddRange(a.Values("--install-app").Where(app => !apps.Contains(app)));
        bench.RequireApps(apps);

        // Frappe takes this lock for one second: a second new-site of the same site fails instead of waiting.
        using var siteLock = await FileLock.AcquireAsync(sitePath, $"bench_new_site_{site}", TimeSpan.FromSeconds(1));
        foreach (var dir in new[] { "public/files", "private/backups", "private/files", "locks", "logs" })
            Directory.CreateDirectory(Path.Combine(sitePath, dir));

        await using var conn = await SiteDatabase.OpenRawAsync(config);
        await RequireSchemaFromRoleAsync(conn, config);
        // Not one transaction, as in Frappe (frappe/installer.py install_db, then install_app per app; it rolls back
        // only on an interactive terminal, frappe/commands/site.py): each statement commits. The framework tables are
        // dropped and created anew (framework_postgres.sql), frappe's doctypes synced, and each app recorded in
        // "tabInstalled Application" last (add_to_installed_apps) — that row is the mark of a completed install.
        await FrappeTables.CreateFrameworkAsync(conn);
        if (config.String(CrashKnob) == "after-framework")
        {
            // Test-only: the process dies here, as a killed bench would, leaving the framework tables behind.
            Console.Error.WriteLine($"frappe-test-double: {CrashKnob}=after-framework: exiting half-way through the install");
            return 137;
        }
        await FrappeTables.SyncFrappeAsync(conn);
        await FrappeTables.SetAdminPasswordAsync(conn, adminPassword);
        // New sites start with the scheduler disabled (frappe/installer.py, frappe/utils/scheduler.py).
        await FrappeTables.SetSingleAsync(conn, "System Settings", "enable_scheduler", "0");
        List<string> installed = [];
        foreach (var app in apps)
        {
            Console.Out.WriteLine($"Installing {app}...");
            if (app != "frappe") await AppTables.SyncAsync(conn, app); // its modules and doctypes, as install-app (AppCommands)
            installed = await FrappeTables.InstallAppAsync(conn, app);
        }
        await SiteCache.SetAsync(config, "installed_apps", JsonSerializer.Serialize(installed));

        var scheduler = await FrappeTables.GetSingleAsync(conn, "System Settings", "enable_scheduler") == "1" ? "enabled" : "disabled";
        Console.Out.WriteLine($"*** Scheduler is {scheduler} ***");
        return 0;
    }

    private static string AskAdminPassword()
    {
        while (true)
        {
            var first = GetPass("Set Administrator password: ");
            var second = GetPass("Re-enter Administrator password: ");
            if (first == second) return first;
            Console.Out.WriteLine("\nPasswords do not match");
        }
    }

    /// <summary>getpass's fallback: warn, prompt on stderr, read one line of stdin; EOF is Python's EOFError.</summary>
    private static string GetPass(string prompt)
    {
        Console.Error.WriteLine("GetPassWarning: Can not control echo on the terminal.\nWarning: Password input may be echoed.");
        Console.Error.Write(prompt);
        return Console.In.ReadLine() ?? throw new BenchException("EOFError: EOF when reading a line (the Administrator password prompt got no answer)");
    }

    /// <summary>
    /// The proof of Press's provisioning: with no SET issued, the role's own search_path must resolve to the site's
    /// schema (Frappe's initial import is plain psql with unqualified names).
    /// </summary>
    private static async Task RequireSchemaFromRoleAsync(Npgsql.NpgsqlConnection conn, SiteConfig config)
    {
        var current = await SiteDatabase.ScalarAsync(conn, "SELECT current_schema()") as string;
        var expected = config.String("db_schema");
        if (current != expected)
            throw new BenchException(
                $"Connected as {config.String("db_user")}, current_schema() is {current ?? "NULL (no schema of the search_path exists)"} "
                + $"but db_schema is {expected}: the role needs ALTER ROLE … SET search_path = {expected} (docs/frappe.md §1 step 1).");
    }
}
