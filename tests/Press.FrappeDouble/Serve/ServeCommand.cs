using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Press.FrappeDouble.Cli;
using Press.FrappeDouble.Site;

namespace Press.FrappeDouble.Serve;

/// <summary>
/// <c>bench serve [--port P]</c>: the web backend (the image's gunicorn shim ends here too). Always binds
/// 127.0.0.1, whatever host the caller asked for: on these machines every server stays on loopback, and with
/// host networking that is also where Press's health checks connect.
/// </summary>
public static class ServeCommand
{
    public static async Task<int> RunAsync(BenchFolder bench, IReadOnlyList<string> args)
    {
        var a = ParsedArgs.Parse(args, new HashSet<string> { "--noreload", "--nothreading" }, new HashSet<string> { "--port" });
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
        app.Run(handler.HandleAsync);
        await app.StartAsync();
        Console.Out.WriteLine($"frappe-test-double: serving {bench.SitesPath} on http://127.0.0.1:{port} (pid {Environment.ProcessId})");
        await app.WaitForShutdownAsync();
        return 0;
    }

    /// <summary>Name of the test hook's marker file: in any site folder, it makes every later serve of this bench exit at start.</summary>
    public const string ExitAtStartMarker = "frappe-test-double-exit-at-start";

    private static string? ExitAtStartHook(BenchFolder bench) =>
        Directory.EnumerateDirectories(bench.SitesPath)
            .Select(site => System.IO.Path.Combine(site, ExitAtStartMarker))
            .FirstOrDefault(File.Exists);
}
