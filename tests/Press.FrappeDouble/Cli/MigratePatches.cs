using Npgsql;
using Press.FrappeDouble.Site;

namespace Press.FrappeDouble.Cli;

/// <summary>
/// The patch release 2 brings, run by <c>bench migrate</c> as <c>frappe/migrate.py</c> runs patches
/// (<c>SiteMigration.run_schema_updates</c> → <c>frappe/modules/patch_handler.py::run_all</c>): a patch already in
/// <c>"tabPatch Log"</c> is skipped; each patch's statements commit as they go, and a patch that raises stops migrate
/// with the traceback and exit 1, leaving what it already changed in the schema — no rollback of earlier statements,
/// and no Patch Log row, so the next migrate runs it again.
/// </summary>
public static class MigratePatches
{
    public const string NotePriority = "frappe.patches.v16_1.add_note_priority";

    /// <summary>
    /// TEST HOOK, not Frappe behaviour: a file of this name in the site folder tells release 2's patch to
    /// <c>fail</c> half-way (after its first statement) or <c>hang</c>; absent or anything else, it succeeds.
    /// </summary>
    public const string HookFile = "frappe-test-double-migrate";

    /// <summary>
    /// TEST HOOK, not Frappe behaviour: the same request as a site_config key. Unlike the file, it travels with the
    /// site's backup (the config part keeps the site's own keys), so a rehearsal's scratch copy of the site — a new
    /// site folder under another name — fails or hangs the same way (docs/architecture.md §20). The file wins.
    /// </summary>
    public const string HookKey = "frappe_test_double_migrate";

    public static async Task RunAsync(NpgsqlConnection conn, SiteConfig config)
    {
        if (DoubleRelease.Current < 2) return;
        if (await SiteDatabase.ScalarAsync(conn, """SELECT count(*) FROM "tabPatch Log" WHERE patch = $1""", default, NotePriority) is long n && n > 0)
            return;
        Console.Out.WriteLine($"Executing {NotePriority} in {config.Values["db_name"]}");
        await SiteDatabase.ExecAsync(conn, """ALTER TABLE "tabNote" ADD COLUMN IF NOT EXISTS priority varchar(140)""");
        var hook = Path.Combine(config.SitePath, HookFile);
        var told = File.Exists(hook) ? (await File.ReadAllTextAsync(hook)).Trim() : config.String(HookKey)?.Trim() ?? "";
        if (told == "hang") await Task.Delay(Timeout.Infinite);
        if (told == "fail")
            throw new BenchException($"""
                Traceback (most recent call last):
                  File "apps/frappe/frappe/modules/patch_handler.py", line 180, in execute_patch
                  File "apps/frappe/frappe/patches/v16_1/add_note_priority.py", line 9, in execute
                frappe.exceptions.ValidationError: {NotePriority}: cannot set the priority of the site's notes (failure asked for by {HookFile})
                """);
        await SiteDatabase.ExecAsync(conn, """UPDATE "tabNote" SET priority = 'Medium' WHERE priority IS NULL""");
        await FrappeTables.LogPatchAsync(conn, NotePriority);
    }
}
