using System.Security.Cryptography;
using System.Text.Json;
using Npgsql;

namespace Press.FrappeDouble.Site;

/// <summary>
/// The few Frappe tables the double keeps, with Frappe's names and the columns that matter, all unqualified. Two
/// kinds, as in Frappe: the framework tables of <c>frappe/database/postgres/framework_postgres.sql</c>, which new-site
/// DROPs and re-creates every time it runs (so a second new-site on an installed schema destroys their rows:
/// passwords in <c>__Auth</c>, settings in <c>tabSingles</c>, file records), and the tables of frappe's own doctypes,
/// created when the app is synced (<c>IF NOT EXISTS</c>). The unique keys that make the upserts possible are the
/// double's; Frappe's tables have only indexes there.
/// </summary>
public static class FrappeTables
{
    public static string AppVersion => Cli.DoubleRelease.AppVersion;

    /// <summary>framework_postgres.sql: <c>DROP TABLE IF EXISTS</c> then <c>CREATE TABLE</c> for each.</summary>
    private const string FrameworkDdl = """
        DROP TABLE IF EXISTS "tabDocType";
        CREATE TABLE "tabDocType" (
            name varchar(140) PRIMARY KEY, creation timestamp(6) NOT NULL DEFAULT now(), modified timestamp(6) NOT NULL DEFAULT now(),
            module varchar(140), istable smallint NOT NULL DEFAULT 0, issingle smallint NOT NULL DEFAULT 0);
        DROP TABLE IF EXISTS "tabDefaultValue";
        CREATE TABLE "tabDefaultValue" (
            name varchar(140) PRIMARY KEY, creation timestamp(6) NOT NULL DEFAULT now(), modified timestamp(6) NOT NULL DEFAULT now(),
            parent varchar(140) NOT NULL, parenttype varchar(140), parentfield varchar(140), idx int NOT NULL DEFAULT 0,
            defkey varchar(140) NOT NULL, defvalue text, UNIQUE (parent, defkey));
        DROP TABLE IF EXISTS "tabSingles";
        CREATE TABLE "tabSingles" (
            doctype varchar(140) NOT NULL, field varchar(140) NOT NULL, value text, PRIMARY KEY (doctype, field));
        DROP TABLE IF EXISTS "__Auth";
        CREATE TABLE "__Auth" (
            doctype varchar(140) NOT NULL, name varchar(255) NOT NULL, fieldname varchar(140) NOT NULL,
            password text NOT NULL, encrypted smallint NOT NULL DEFAULT 0, PRIMARY KEY (doctype, name, fieldname));
        DROP TABLE IF EXISTS "tabFile";
        CREATE TABLE "tabFile" (
            name varchar(140) PRIMARY KEY, creation timestamp(6) NOT NULL DEFAULT now(), modified timestamp(6) NOT NULL DEFAULT now(),
            file_name varchar(140), file_url text, is_private smallint NOT NULL DEFAULT 0);
        """;

    /// <summary>frappe's own doctypes, synced by install_app("frappe") (<c>CREATE TABLE IF NOT EXISTS</c>).</summary>
    private const string FrappeAppDdl = """
        CREATE TABLE IF NOT EXISTS "tabInstalled Application" (
            name varchar(140) PRIMARY KEY, creation timestamp(6) NOT NULL DEFAULT now(), modified timestamp(6) NOT NULL DEFAULT now(),
            parent varchar(140), parentfield varchar(140), parenttype varchar(140), idx int NOT NULL DEFAULT 0,
            app_name varchar(140) NOT NULL UNIQUE, app_version varchar(140), git_branch varchar(140));
        CREATE TABLE IF NOT EXISTS "tabPatch Log" (
            name varchar(140) PRIMARY KEY, creation timestamp(6) NOT NULL DEFAULT now(), modified timestamp(6) NOT NULL DEFAULT now(),
            patch text NOT NULL, skipped smallint NOT NULL DEFAULT 0, traceback text);
        CREATE TABLE IF NOT EXISTS "tabNote" (
            name varchar(140) PRIMARY KEY, creation timestamp(6) NOT NULL DEFAULT now(), modified timestamp(6) NOT NULL DEFAULT now(),
            title varchar(140) NOT NULL, content text, written_at timestamptz NOT NULL DEFAULT clock_timestamp());
        """;

    /// <summary>Every table new-site leaves in the schema, for tests.</summary>
    public static readonly string[] All = ["tabDocType", "tabDefaultValue", "tabSingles", "__Auth", "tabFile", "tabInstalled Application", "tabPatch Log", "tabNote"];

    public static Task CreateFrameworkAsync(NpgsqlConnection conn) => SiteDatabase.ExecAsync(conn, FrameworkDdl);

    public static Task SyncFrappeAsync(NpgsqlConnection conn) => SiteDatabase.ExecAsync(conn, FrappeAppDdl);

    /// <summary>
    /// Records APP as installed: the child row of "Installed Applications" and the <c>installed_apps</c> global
    /// default (<c>tabDefaultValue</c>, parent <c>__global</c>) that <c>frappe.get_installed_apps()</c> reads.
    /// Returns the installed apps afterwards, in install order.
    /// </summary>
    public static async Task<List<string>> InstallAppAsync(NpgsqlConnection conn, string app)
    {
        await SiteDatabase.ExecAsync(conn, """
            INSERT INTO "tabInstalled Application" (name, parent, parentfield, parenttype, idx, app_name, app_version, git_branch)
            VALUES ($1, 'Installed Applications', 'installed_applications', 'Installed Applications',
                    (SELECT count(*) + 1 FROM "tabInstalled Application"), $2, $3, 'version-16')
            ON CONFLICT (app_name) DO UPDATE SET app_version = EXCLUDED.app_version, modified = now()
            """, default, NewName(), app, AppVersion);
        var apps = await InstalledAppsAsync(conn);
        await SetGlobalDefaultAsync(conn, "installed_apps", JsonSerializer.Serialize(apps));
        return apps;
    }

    public static async Task<List<string>> InstalledAppsAsync(NpgsqlConnection conn)
    {
        var apps = new List<string>();
        await using var cmd = new NpgsqlCommand("""SELECT app_name FROM "tabInstalled Application" ORDER BY idx, creation""", conn);
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync()) apps.Add(r.GetString(0));
        return apps;
    }

    public static Task SetGlobalDefaultAsync(NpgsqlConnection conn, string key, string value) => SiteDatabase.ExecAsync(conn, """
        INSERT INTO "tabDefaultValue" (name, parent, parenttype, parentfield, defkey, defvalue)
        VALUES ($1, '__global', NULL, 'system_defaults', $2, $3)
        ON CONFLICT (parent, defkey) DO UPDATE SET defvalue = EXCLUDED.defvalue, modified = now()
        """, default, NewName(), key, value);

    /// <summary><c>frappe.db.set_single_value(doctype, field, value)</c>; with onlyIfMissing, a default.</summary>
    public static Task SetSingleAsync(NpgsqlConnection conn, string doctype, string field, string value, bool onlyIfMissing = false) =>
        SiteDatabase.ExecAsync(conn, $"""
            INSERT INTO "tabSingles" (doctype, field, value) VALUES ($1, $2, $3)
            ON CONFLICT (doctype, field) DO {(onlyIfMissing ? "NOTHING" : "UPDATE SET value = EXCLUDED.value")}
            """, default, doctype, field, value);

    public static async Task<string?> GetSingleAsync(NpgsqlConnection conn, string doctype, string field) =>
        await SiteDatabase.ScalarAsync(conn, """SELECT value FROM "tabSingles" WHERE doctype = $1 AND field = $2""", default, doctype, field) as string;

    /// <summary>The Administrator's password, hashed (never stored in clear, as in Frappe's __Auth).</summary>
    public static Task SetAdminPasswordAsync(NpgsqlConnection conn, string password) => SiteDatabase.ExecAsync(conn, """
        INSERT INTO "__Auth" (doctype, name, fieldname, password, encrypted) VALUES ('User', 'Administrator', 'password', $1, 0)
        ON CONFLICT (doctype, name, fieldname) DO UPDATE SET password = EXCLUDED.password
        """, default, PasswordHash.Hash(password));

    /// <summary>A Password field, as <c>frappe/utils/password.py::set_encrypted_password</c> stores it (Fernet token).</summary>
    public static Task SetEncryptedPasswordAsync(NpgsqlConnection conn, string doctype, string name, string fieldname, string token) =>
        SiteDatabase.ExecAsync(conn, """
            INSERT INTO "__Auth" (doctype, name, fieldname, password, encrypted) VALUES ($1, $2, $3, $4, 1)
            ON CONFLICT (doctype, name, fieldname) DO UPDATE SET password = EXCLUDED.password, encrypted = 1
            """, default, doctype, name, fieldname, token);

    public static async Task<string?> GetEncryptedPasswordAsync(NpgsqlConnection conn, string doctype, string name, string fieldname) =>
        await SiteDatabase.ScalarAsync(conn, """
            SELECT password FROM "__Auth" WHERE doctype = $1 AND name = $2 AND fieldname = $3 AND encrypted = 1
            """, default, doctype, name, fieldname) as string;

    /// <summary>A Note document (frappe/desk/doctype/note): the row a test writes through the web server.</summary>
    public static Task InsertNoteAsync(NpgsqlConnection conn, string title, CancellationToken ct) => SiteDatabase.ExecAsync(conn,
        """INSERT INTO "tabNote" (name, title) VALUES ($1, $2)""", ct, NewName(), title);

    public static Task LogPatchAsync(NpgsqlConnection conn, string patch) => SiteDatabase.ExecAsync(conn,
        """INSERT INTO "tabPatch Log" (name, patch) VALUES ($1, $2)""", default, NewName(), patch);

    /// <summary>Frappe's random 10-character document names.</summary>
    private static string NewName() => RandomNumberGenerator.GetString("0123456789abcdefghijklmnopqrstuvwxyz", 10);
}
