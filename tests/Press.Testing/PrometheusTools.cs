using System.Diagnostics;

namespace Press.Testing;

/// <summary>
/// Debian's <c>promtool</c> (package prometheus) and <c>amtool</c> (prometheus-alertmanager), which the test scripts
/// install through apt (scripts/lib/prometheus.sh). A missing tool fails the test with how to install it.
/// </summary>
public static class PrometheusTools
{
    public sealed record Result(int ExitCode, string Output)
    {
        public override string ToString() => $"exit {ExitCode}:\n{Output}";
    }

    public static Result Promtool(string? stdin, params string[] args) => Run("promtool", "prometheus", stdin, args);

    public static Result Amtool(params string[] args) => Run("amtool", "prometheus-alertmanager", null, args);

    private static Result Run(string tool, string package, string? stdin, string[] args)
    {
        var path = Find(tool) ?? throw new InvalidOperationException(
            $"{tool} is not on PATH: install Debian's {package} package (scripts/lib/prometheus.sh: press_install_prometheus_tools).");
        var start = new ProcessStartInfo(path, args)
        {
            RedirectStandardInput = stdin is not null,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            process.StandardInput.Write(stdin);
            process.StandardInput.Close();
        }
        if (!process.WaitForExit(60_000))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{tool} {string.Join(' ', args)} did not finish in 60 s");
        }
        return new Result(process.ExitCode, output.Result + error.Result);
    }

    private static string? Find(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
        .Select(dir => Path.Combine(dir, tool)).FirstOrDefault(File.Exists);
}
