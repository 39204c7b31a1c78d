using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Press.FrappeDouble.Cli;
using Press.FrappeDouble.Site;

namespace Press.FrappeDouble.Serve;

/// <summary>
/// <c>bench serve [--port P]</c>: the web backend (the image's gunicorn shim ends here too). Takes the options of Frappe's
/// <c>serve</c> (frappe/commands/utils.py: --port, --profile, --proxy, --noreload, --nothreading, --with-coverage,
/// --apps) and refuses any other, as click does. Always binds 127.0.0.1, where Frappe's frappe/app.py binds 0.0.0.0:
/// on these machines every server stays on loopback, and with host networking that is also where Press's health
/// checks connect.
/// </summary>
public static class ServeCommand
{
    public static async Task<int> RunAsync(BenchFolder bench, IReadOnlyList<string> args)
    {
        var a = ParsedArgs.Parse(args,
            new HashSet<string> { "--noreload", "--nothreading", "--with-coverage", "--profile", "--proxy" }, new HashSet<string> { "--port", "--apps" });
        if (a.Positionals.Count > 0) throw BenchException.Usage($"Got unexpected extra argument ({a.Positionals[0]})");
        var portText = a.Value("--port") ?? "8000";
        if (!int.TryParse(portText, out var port) || port is < 1 or > 65535) throw BenchException.Usage($"Invalid port: {portText}");
        if (ExitAtStartHook(bench) is { } marker)
        {
            // TEST HOOK, not Frappe behaviour (nothing to cite): a runner that dies while starting, as gunicorn does when
            // Frappe's app fails to import. Lines on stdout and stderr, like a traceback, then exit 1.
            Console.Out.WriteLine($"frappe-test-double: starting bench serve on port {port}");
            Console.Error.WriteLine($"frappe-test-double: exiting at start (test hook {marker})");
            return 1;
        }

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ContentRootPath = bench.Path });
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port));
        // Access lines are written by the handler (one per request); the framework's own logs only when they matter.
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning);
        var app = builder.Build();
        var handler = new RequestHandler(bench);
        using var hup = GunicornHangup(handler);
        app.Run(handler.HandleAsync);
        await app.StartAsync();
        Console.Out.WriteLine($"frappe-test-double: serving {bench.SitesPath} on http://127.0.0.1:{port} (pid {Environment.ProcessId})");
        await app.WaitForShutdownAsync();
        return 0;
    }

    /// <summary>Set by the image's gunicorn shim: this serve stands for gunicorn, not for Frappe's development server.</summary>
    public const string GunicornVariable = "FRAPPE_TEST_DOUBLE_GUNICORN";

    /// <summary>
    /// gunicorn (the runner's server, frappe_docker's backend command) handles SIGHUP as a graceful reload: new workers,
    /// the old ones finish their requests and exit (gunicorn/arbiter.py <c>handle_hup</c> → <c>reload</c>). Frappe keeps
    /// site_config in each worker's memory (frappe/config.py <c>site_cache(ttl=60)</c>), so the new workers read it
    /// afresh: the double forgets every cached config. Under <c>bench serve</c> (Werkzeug, no handler) a HUP ends the
    /// process, as Python's default action does — the double installs nothing there.
    /// </summary>
    private static IDisposable? GunicornHangup(RequestHandler handler) =>
        Environment.GetEnvironmentVariable(GunicornVariable) == "1"
            ? System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGHUP, context =>
            {
                context.Cancel = true;
                handler.ReplaceWorkers();
                Console.Out.WriteLine("frappe-test-double: HUP: workers replaced, site configs will be read afresh");
            })
            : null;

    /// <summary>Name of the test hook's marker file: in any site folder, it makes every later serve of this bench exit at start.</summary>
    public const string ExitAtStartMarker = "frappe-test-double-exit-at-start";

    private static string? ExitAtStartHook(BenchFolder bench) =>
        Directory.EnumerateDirectories(bench.SitesPath)
            .Select(site => System.IO.Path.Combine(site, ExitAtStartMarker))
            .FirstOrDefault(File.Exists);
}
