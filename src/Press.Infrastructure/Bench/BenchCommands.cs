namespace Press.Infrastructure.Bench;

/// <summary>
/// The bench commands Press runs, as pure functions (docs/frappe.md §1–§2). Press never runs <c>bench restore</c>,
/// <c>bench drop-site</c> or <c>bench backup</c> for the database: they act on the whole shared database. Database
/// backup, restore and drop are Press's own, per schema.
/// </summary>
public static class BenchCommands
{
    /// <summary>Subcommands that would destroy or dump the shared database; the executors refuse them.</summary>
    public static readonly IReadOnlySet<string> Forbidden = new HashSet<string>
    {
        "restore", "partial-restore", "drop-site", "backup", "backup-all-sites", "reinstall",
    };

    /// <summary>
    /// <c>--force</c> because Press wrote site_config.json first (the folder exists); <c>--no-setup-db</c> so bench does
    /// not drop and create a database. No <c>--admin-password</c>: a command line is readable by every process on the
    /// host (/proc/PID/cmdline) and recorded in Docker's exec events. Without it Frappe asks for the password
    /// (frappe/utils/install.py <c>get_admin_password</c>: getpass twice), and getpass reads stdin when the command has
    /// no terminal — so the runtimes write <see cref="AdminPasswordPrompt"/> to bench's stdin.
    /// </summary>
    public static BenchCommand NewSite(string site, IReadOnlyList<string> apps)
    {
        var argv = new List<string> { "bench", "new-site", site, "--force", "--no-setup-db", "--db-type", "postgres" };
        foreach (var app in apps) argv.AddRange(["--install-app", app]);
        return new BenchCommand(argv, new HashSet<int>());
    }

    /// <summary>What bench's stdin receives for new-site: the password for "Set Administrator password" and again for
    /// "Re-enter Administrator password". A password with a line break cannot be typed at that prompt.</summary>
    public static string AdminPasswordPrompt(string adminPassword) =>
        adminPassword.Length > 0 && adminPassword.IndexOfAny(['\n', '\r']) < 0
            ? $"{adminPassword}\n{adminPassword}\n"
            : throw new ArgumentException("the Administrator password must be one non-empty line", nameof(adminPassword));

    /// <summary>
    /// <c>bench --site S set-admin-password --logout-all-sessions</c> without the password argument: Frappe then asks for it
    /// with getpass (<c>frappe/commands/site.py</c>), which reads stdin without a terminal — give it
    /// <see cref="AdminPasswordLine"/>. Ending every session: the standby's Administrator must not stay signed in.
    /// </summary>
    public static BenchCommand SetAdminPassword(string site) => new("bench", "--site", site, "set-admin-password", "--logout-all-sessions");

    /// <summary>The one line set-admin-password's prompt reads.</summary>
    public static string AdminPasswordLine(string adminPassword) => AdminPasswordPrompt(adminPassword).Split('\n')[0] + "\n";

    public static BenchCommand InstallApps(string site, IReadOnlyList<string> apps) =>
        new(["bench", "--site", site, "install-app", .. apps]);

    /// <summary>
    /// <c>--yes</c>: without it Frappe asks for confirmation (click.confirm), and nobody answers. <c>--no-backup</c>:
    /// Press took its own backup first, and Frappe's (<c>scheduled_backup</c>) would dump the whole shared database
    /// (docs/frappe.md §1, §8).
    /// </summary>
    public static BenchCommand UninstallApp(string site, string app) =>
        new("bench", "--site", site, "uninstall-app", app, "--yes", "--no-backup");

    public static BenchCommand Migrate(string site) => new("bench", "--site", site, "migrate");

    public static BenchCommand SetMaintenanceMode(string site, bool on) =>
        new("bench", "--site", site, "set-maintenance-mode", on ? "on" : "off");

    public static BenchCommand EnableScheduler(string site) => new("bench", "--site", site, "enable-scheduler");

    public static BenchCommand DisableScheduler(string site) => new("bench", "--site", site, "disable-scheduler");

    /// <param name="parse">Pass <c>--parse</c>: bench evaluates the value as a <b>Python literal</b>
    /// (<c>ast.literal_eval</c>: <c>True</c>, <c>None</c>, <c>'text'</c>, numbers, dicts), not as JSON — JSON's
    /// <c>true</c> and <c>null</c> fail (docs/frappe.md §7).</param>
    public static BenchCommand SetConfig(string site, string key, string value, bool parse = false) =>
        new(parse ? ["bench", "--site", site, "set-config", key, value, "--parse"] : ["bench", "--site", site, "set-config", key, value]);

    /// <summary>
    /// Whether the site has a doc of that name: <c>bench execute frappe.db.exists --args "['DOCTYPE', 'NAME']"</c>
    /// prints the name (JSON) when it exists and nothing when not (frappe/commands/utils.py <c>execute</c>).
    /// </summary>
    public static BenchCommand DocExists(string site, string doctype, string name) =>
        new("bench", "--site", site, "execute", "frappe.db.exists", "--args", $"[{PythonString(doctype)}, {PythonString(name)}]");

    /// <summary>
    /// <c>frappe.client.insert</c> of the doc in <paramref name="docFile"/>. bench evaluates <c>--kwargs</c> as Python
    /// (<c>eval</c> in frappe/commands/utils.py, docs/frappe.md §7), so <c>frappe.get_file_json(PATH)</c> reads the doc
    /// there: a secret in it reaches Frappe without ever being on a command line.
    /// </summary>
    public static BenchCommand InsertDocFromFile(string site, string docFile) =>
        new("bench", "--site", site, "execute", "frappe.client.insert", "--kwargs", $"{{'doc': frappe.get_file_json({PythonString(docFile)})}}");

    /// <summary><c>frappe.client.set_value</c> with a dict of fields read from <paramref name="docFile"/> (see <see cref="InsertDocFromFile"/>).</summary>
    public static BenchCommand UpdateDocFromFile(string site, string doctype, string name, string docFile) =>
        new("bench", "--site", site, "execute", "frappe.client.set_value", "--kwargs",
            $"{{'doctype': {PythonString(doctype)}, 'name': {PythonString(name)}, 'fieldname': frappe.get_file_json({PythonString(docFile)})}}");

    /// <summary>A Python string literal (single-quoted, backslashes and quotes escaped).</summary>
    public static string PythonString(string value) =>
        value.Any(char.IsControl) ? throw new ArgumentException("no control characters in a bench argument", nameof(value))
            : "'" + value.Replace("\\", "\\\\").Replace("'", "\\'") + "'";

    /// <summary><c>bench version</c>: one line <c>APP VERSION</c> per app of the bench (<see cref="ParseVersions"/>).</summary>
    public static BenchCommand Version() => new("bench", "version");

    /// <summary>
    /// The environment every bench command gets. The site role's <c>statement_timeout</c> (§4, there for the web
    /// workers) would cancel a long migration or new-site, so bench runs without it: libpq sends PGOPTIONS as the
    /// session's startup options. A variable, never argv; the command's own time limit (the runtime's
    /// <c>CommandTimeout</c>) bounds it instead.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> Environment = new Dictionary<string, string>
    {
        ["PGOPTIONS"] = "-c statement_timeout=0",
    };

    /// <summary>Reads <c>bench version</c>'s lines (<c>frappe 16.0.0</c>); lines of another shape are ignored.</summary>
    public static IReadOnlyDictionary<string, string> ParseVersions(string output)
    {
        var versions = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            if (line.Split(' ', StringSplitOptions.RemoveEmptyEntries) is [var app, var version] && Core.Sites.AppNameRules.IsValid(app))
                versions[app] = version;
        return versions;
    }

    /// <summary>The runner's web server: frappe_docker's backend command, bound to the site's loopback port.</summary>
    public static IReadOnlyList<string> Gunicorn(int port) =>
    [
        "/home/frappe/frappe-bench/env/bin/gunicorn", "--chdir=/home/frappe/frappe-bench/sites", $"--bind=127.0.0.1:{port}",
        "--threads=4", "--workers=2", "--worker-class=gthread", "--worker-tmp-dir=/dev/shm", "--timeout=120", "--preload",
        "frappe.app:application",
    ];

    /// <summary>
    /// The process driver's web server: Frappe's development server (frappe/commands/utils.py <c>serve</c>) without the
    /// reloader (<c>--noreload</c>: no watcher process restarting it on file changes). Frappe's <c>frappe/app.py</c>
    /// <c>serve</c> binds 0.0.0.0 and has no host option, so the port must not be reachable from outside the host
    /// (docs/frappe.md §7).
    /// </summary>
    public static BenchCommand Serve(int port) => new("bench", "serve", "--port", port.ToString(), "--noreload");

    /// <summary>An RQ worker of the given queues (frappe_docker's queue-short/queue-long services).</summary>
    public static BenchCommand Worker(params string[] queues) => new("bench", "worker", "--queue", string.Join(',', queues));

    /// <summary>Frappe's scheduler: every tick it enqueues the due scheduled jobs of each site it sees.</summary>
    public static BenchCommand Schedule() => new("bench", "schedule");

    /// <summary>
    /// Throws for a command Press must never run against the shared database: a forbidden subcommand, or new-site
    /// without <c>--no-setup-db</c> (its database setup drops the database named in site_config — press_sites).
    /// </summary>
    public static void EnsureAllowed(BenchCommand command)
    {
        var subcommand = Subcommand(command.Argv);
        if (subcommand is not null && Forbidden.Contains(subcommand))
            throw new InvalidOperationException($"bench {subcommand} acts on the whole shared database; Press never runs it.");
        if (subcommand == "new-site" && !command.Argv.Contains("--no-setup-db"))
            throw new InvalidOperationException("bench new-site without --no-setup-db would drop and recreate the shared database.");
        if (command.Argv.Any(a => a == "--admin-password" || a.StartsWith("--admin-password=", StringComparison.Ordinal)))
            throw new InvalidOperationException("the Administrator password never goes on a command line; bench reads it on stdin.");
    }

    /// <summary>The first word after "bench" that is neither an option nor the value of <c>--site</c>.</summary>
    private static string? Subcommand(IReadOnlyList<string> argv)
    {
        for (var i = 1; i < argv.Count; i++)
        {
            if (argv[i] == "--site") { i++; continue; }
            if (!argv[i].StartsWith('-')) return argv[i];
        }
        return null;
    }
}
