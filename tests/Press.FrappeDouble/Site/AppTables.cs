using Npgsql;

namespace Press.FrappeDouble.Site;

/// <summary>
/// What installing an app leaves in a site's schema besides its "tabInstalled Application" row, and what uninstalling
/// takes away (frappe/installer.py, docs/frappe.md §8): <c>add_module_defs</c> writes one <c>"tabModule Def"</c> row
/// per module of the app, and <c>sync_for</c> creates each of its doctypes — a <c>"tabDocType"</c> row and its table.
/// The double gives every app one module named after it ("Erpnext") with one doctype ("Erpnext Record").
/// </summary>
public static class AppTables
{
    /// <summary>The <c>required_apps</c> hooks of the apps the double knows (hrms/hooks.py and lending/hooks.py:
    /// <c>required_apps = ["frappe/erpnext"]</c>); install_app installs them first, remove_app refuses to remove them.</summary>
    public static readonly IReadOnlyDictionary<string, string[]> RequiredApps = new Dictionary<string, string[]>
    {
        ["hrms"] = ["erpnext"],
        ["lending"] = ["erpnext"],
    };

    public static string Module(string app) => char.ToUpperInvariant(app[0]) + app[1..].Replace('_', ' ');

    public static string Doctype(string app) => $"{Module(app)} Record";

    /// <summary>Module Def is a frappe doctype (created here too for sites installed before the double kept it).</summary>
    private const string ModuleDefDdl = """
        CREATE TABLE IF NOT EXISTS "tabModule Def" (
            name varchar(140) PRIMARY KEY, creation timestamp(6) NOT NULL DEFAULT now(), modified timestamp(6) NOT NULL DEFAULT now(),
            module_name varchar(140) NOT NULL, app_name varchar(140) NOT NULL, custom smallint NOT NULL DEFAULT 0)
        """;

    /// <summary>add_module_defs, then sync_for: each statement commits on its own, as Frappe's install does.</summary>
    public static async Task SyncAsync(NpgsqlConnection conn, string app)
    {
        var (module, doctype) = (Module(app), Doctype(app));
        await SiteDatabase.ExecAsync(conn, ModuleDefDdl);
        await SiteDatabase.ExecAsync(conn, """
            INSERT INTO "tabModule Def" (name, module_name, app_name) VALUES ($1, $1, $2) ON CONFLICT (name) DO NOTHING
            """, default, module, app);
        await SiteDatabase.ExecAsync(conn, """
            INSERT INTO "tabDocType" (name, module) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING
            """, default, doctype, module);
        await SiteDatabase.ExecAsync(conn, $"""
            CREATE TABLE IF NOT EXISTS {SiteDatabase.Quote("tab" + doctype)} (
                name varchar(140) PRIMARY KEY, creation timestamp(6) NOT NULL DEFAULT now(), modified timestamp(6) NOT NULL DEFAULT now(),
                title varchar(140))
            """);
    }

    /// <summary>remove_app's <c>_delete_modules</c> and <c>_delete_doctypes</c>: the doctypes of the app's modules
    /// (rows, then <c>DROP TABLE IF EXISTS</c>) and the Module Defs. Returns the tables dropped.</summary>
    public static async Task<List<string>> DropAsync(NpgsqlConnection conn, string app)
    {
        await SiteDatabase.ExecAsync(conn, ModuleDefDdl);
        var modules = new List<string>();
        await using (var cmd = new NpgsqlCommand("""SELECT name FROM "tabModule Def" WHERE app_name = $1 AND custom = 0""", conn) { Parameters = { new() { Value = app } } })
        await using (var r = await cmd.ExecuteReaderAsync())
            while (await r.ReadAsync()) modules.Add(r.GetString(0));
        var doctypes = new List<string>();
        await using (var cmd = new NpgsqlCommand("""SELECT name FROM "tabDocType" WHERE module = ANY($1)""", conn) { Parameters = { new() { Value = modules.ToArray() } } })
        await using (var r = await cmd.ExecuteReaderAsync())
            while (await r.ReadAsync()) doctypes.Add(r.GetString(0));
        foreach (var doctype in doctypes)
        {
            Console.Out.WriteLine($"* dropping Table for '{doctype}'...");
            await SiteDatabase.ExecAsync(conn, """DELETE FROM "tabDocType" WHERE name = $1""", default, doctype);
            await SiteDatabase.ExecAsync(conn, $"DROP TABLE IF EXISTS {SiteDatabase.Quote("tab" + doctype)}");
        }
        foreach (var module in modules)
        {
            Console.Out.WriteLine($"* removing Module Def '{module}'...");
            await SiteDatabase.ExecAsync(conn, """DELETE FROM "tabModule Def" WHERE name = $1""", default, module);
        }
        return doctypes.Select(d => "tab" + d).ToList();
    }

    /// <summary>remove_from_installed_apps: the "Installed Applications" row and the installed_apps global.</summary>
    public static async Task<List<string>> RemoveFromInstalledAsync(NpgsqlConnection conn, string app)
    {
        await SiteDatabase.ExecAsync(conn, """DELETE FROM "tabInstalled Application" WHERE app_name = $1""", default, app);
        var apps = await FrappeTables.InstalledAppsAsync(conn);
        await FrappeTables.SetGlobalDefaultAsync(conn, "installed_apps", System.Text.Json.JsonSerializer.Serialize(apps));
        return apps;
    }
}
