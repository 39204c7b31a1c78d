using System.Diagnostics;
using Press.Testing;

namespace Press.Manager.Tests.OpenApi;

/// <summary>
/// The standard OpenAPI tools of tests/openapi (npm: Redocly's CLI, openapi-typescript, openapi-fetch, TypeScript),
/// installed from its lock file by <c>npm ci</c> (scripts/lib/browser.sh, as scripts/test does). Missing, they fail
/// the test with how to install them, never skip it.
/// </summary>
public static class OpenApiTools
{
    public static string Folder => Path.Combine(TestServices.RepoRoot, "tests", "openapi");

    public static string Bin(string tool)
    {
        var path = Path.Combine(Folder, "node_modules", ".bin", tool);
        return File.Exists(path) ? path
            : throw new InvalidOperationException($"{path} is missing: run `npm ci` in tests/openapi (scripts/test does it).");
    }

    public sealed record Result(int ExitCode, string Output)
    {
        public override string ToString() => $"exit {ExitCode}:\n{Output}";
    }

    /// <summary>Runs a tool of tests/openapi/node_modules/.bin in tests/openapi, offline and without telemetry.</summary>
    public static async Task<Result> RunAsync(string tool, params string[] args)
    {
        var psi = new ProcessStartInfo(Bin(tool))
        {
            WorkingDirectory = Folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["REDOCLY_TELEMETRY"] = "off";
        psi.Environment["REDOCLY_SUPPRESS_UPDATE_NOTICE"] = "true";
        psi.Environment["NO_COLOR"] = "1";
        using var process = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {tool}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(180)); // generous: CI runs several test classes on two cores
        await process.WaitForExitAsync(timeout.Token);
        return new Result(process.ExitCode, (await stdout) + (await stderr));
    }
}
