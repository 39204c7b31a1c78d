using Press.FrappeDouble.Serve;
using Press.FrappeDouble.Site;

namespace Press.FrappeDouble.Cli;

/// <summary>
/// Dispatches <c>bench [--site SITE] COMMAND ARGS…</c> to the subset Press calls (docs/frappe.md §1–§3). Everything
/// else is refused with exit 2, so a Press change that starts calling a new command fails loudly in the tests
/// instead of passing against a double that never implemented it.
/// </summary>
public static class BenchCommand
{
    public const string Usage = """
        frappe-test-double: a TEST DOUBLE of Frappe's bench CLI (see tests/Press.FrappeDouble/README.md)
        usage (from a bench folder that contains sites/):
          bench new-site SITE --force --no-setup-db [--db-type postgres] [--admin-password PW] [--install-app APP]...  (else the password is read from stdin, twice)
          bench --site SITE install-app APP... [--force]
          bench --site SITE uninstall-app APP [--yes|-y] [--dry-run] [--no-backup] [--force]
          bench --site SITE migrate [--skip-failing] [--skip-search-index]
          bench --site SITE set-maintenance-mode on|off
          bench --site SITE enable-scheduler | disable-scheduler
          bench --site SITE set-config KEY VALUE [-p|--parse]
          bench --site SITE execute frappe.db.exists|frappe.client.insert|frappe.client.set_value [--args A] [--kwargs K]  (Social Login Key only)
          bench serve [--port PORT] [--noreload] [--nothreading] [--with-coverage] [--profile] [--proxy] [--apps APPS]
          bench worker [--queue QUEUE[,QUEUE]...] [--quiet] [--burst]
          bench schedule
          bench version
        """;

    public static async Task<int> RunAsync(string[] args, string cwd)
    {
        // `node apps/frappe/socketio.js` (the image's node shim and the process driver's NodeExecutable end here).
        if (SocketIoCommand.Matches(args)) return await SocketIoCommand.RunAsync(BenchFolder.Open(cwd), args);
        var rest = args.ToList();
        string? site = null;
        if (rest.Count > 0 && (rest[0] == "--site" || rest[0].StartsWith("--site=", StringComparison.Ordinal)))
        {
            if (rest[0] == "--site")
            {
                if (rest.Count < 2) throw BenchException.Usage("Option '--site' requires an argument.");
                site = rest[1];
                rest.RemoveRange(0, 2);
            }
            else
            {
                site = rest[0]["--site=".Length..];
                rest.RemoveAt(0);
            }
        }
        if (rest.Count == 0 || rest[0] is "--help" or "-h" or "help")
        {
            Console.Out.WriteLine(Usage);
            return rest.Count == 0 ? 2 : 0;
        }

        var command = rest[0];
        var commandArgs = rest.Skip(1).ToList();
        if (command == "version")
        {
            if (site is not null || commandArgs.Count > 0) throw BenchException.Usage("`bench version` takes no site and no arguments in the test double.");
            return VersionCommand.Run(BenchFolder.Open(cwd));
        }
        if (command is "new-site" or "serve" or "worker" or "schedule")
        {
            if (site is not null) throw BenchException.Usage($"`bench --site SITE {command}` is not supported by the test double; use `bench {command} …`");
            var bench = BenchFolder.Open(cwd);
            return command switch
            {
                "new-site" => await NewSiteCommand.RunAsync(bench, commandArgs),
                "serve" => await ServeCommand.RunAsync(bench, commandArgs),
                "worker" => await WorkerCommand.RunAsync(bench, commandArgs),
                _ => await ScheduleCommand.RunAsync(bench, commandArgs),
            };
        }

        if (!BenchSiteCommands.Names.Contains(command)) throw BenchException.Usage($"No such command '{command}' (not in the test double's bench subset).");
        if (site is null) throw new BenchException($"Please specify --site sitename (bench {command} needs a site).");
        return await BenchSiteCommands.RunAsync(BenchFolder.Open(cwd), site, command, commandArgs);
    }
}
