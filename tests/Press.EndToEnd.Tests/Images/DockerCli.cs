using System.Diagnostics;

namespace Press.EndToEnd.Tests.Images;

public sealed record DockerResult(string Command, int ExitCode, string Stdout, string Stderr)
{
    public bool Ok => ExitCode == 0;

    public string Describe() => $"`{Command}` exited {ExitCode}\n--- stdout ---\n{Stdout.TrimEnd()}\n--- stderr ---\n{Stderr.TrimEnd()}";
}

/// <summary>
/// The Docker CLI against the test engine (<c>-H PRESS_TEST_DOCKER_HOST</c>). Debian's <c>/usr/bin/docker</c> when
/// present: it matches Debian's engine, which scripts/test starts.
/// </summary>
public static class DockerCli
{
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(60);

    public static string Executable => File.Exists("/usr/bin/docker") ? "/usr/bin/docker" : "docker";

    public static Task<DockerResult> RunAsync(params string[] args) => RunAsync(args, DefaultTimeout);

    public static async Task<DockerResult> RunAsync(IReadOnlyList<string> args, TimeSpan timeout)
    {
        using var process = Start(args);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { /* exited meanwhile */ }
            await process.WaitForExitAsync();
            return new DockerResult(CommandLine(args), -1, await stdout, await stderr + $"\n(killed after {timeout.TotalSeconds:0} s)");
        }
        return new DockerResult(CommandLine(args), process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Blocking form, for failure messages built inside synchronous diagnostics callbacks.</summary>
    public static DockerResult Run(params string[] args)
    {
        using var process = Start(args);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(15)))
        {
            try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { /* exited meanwhile */ }
            process.WaitForExit();
            return new DockerResult(CommandLine(args), -1, stdout.Result, stderr.Result + "\n(killed after 15 s)");
        }
        return new DockerResult(CommandLine(args), process.ExitCode, stdout.Result, stderr.Result);
    }

    private static Process Start(IReadOnlyList<string> args)
    {
        var psi = new ProcessStartInfo(Executable)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        psi.ArgumentList.Add("-H");
        psi.ArgumentList.Add(ImageTestServices.DockerHost);
        foreach (var a in args) psi.ArgumentList.Add(a);
        // -H decides the engine; a context from the runner's environment must not compete with it.
        psi.Environment.Remove("DOCKER_CONTEXT");
        psi.Environment.Remove("DOCKER_HOST");
        var process = Process.Start(psi) ?? throw new InvalidOperationException($"Could not start {Executable}.");
        process.StandardInput.Close();
        return process;
    }

    private static string CommandLine(IReadOnlyList<string> args) => "docker " + string.Join(' ', args);
}
