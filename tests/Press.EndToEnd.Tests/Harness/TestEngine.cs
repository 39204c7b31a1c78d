using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Press.Testing;

namespace Press.EndToEnd.Tests.Harness;

/// <summary>
/// The test engine (<see cref="TestServices.DockerHost"/>) through Debian's Docker CLI (<c>/usr/bin/docker -H …</c>): an
/// observer independent of the Docker client library Press uses. Every call is bounded.
/// </summary>
public static class TestEngine
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(180); // generous: CI runs four test classes on two cores

    public sealed record Result(int ExitCode, string Stdout, string Stderr)
    {
        public override string ToString() => $"exit {ExitCode}\nstdout: {Stdout.Trim()}\nstderr: {Stderr.Trim()}";
    }

    public static string Executable => File.Exists("/usr/bin/docker") ? "/usr/bin/docker" : "docker";

    public static async Task<Result> RunAsync(params string[] args)
    {
        var psi = new ProcessStartInfo(Executable)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        psi.ArgumentList.Add("-H");
        psi.ArgumentList.Add(TestServices.DockerHost);
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var process = Process.Start(psi) ?? throw new InvalidOperationException("cannot start " + Executable);
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(Timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"docker {string.Join(' ', args)} did not finish within {Timeout.TotalSeconds} s");
        }
        return new Result(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Runs and fails the test unless the command exits 0.</summary>
    public static async Task<string> RunOkAsync(params string[] args)
    {
        var result = await RunAsync(args);
        Assert.True(result.ExitCode == 0, $"docker {string.Join(' ', args)} failed: {result}");
        return result.Stdout;
    }

    /// <summary><c>docker inspect</c> of a container; null when it does not exist.</summary>
    public static async Task<JsonElement?> InspectAsync(string container)
    {
        var result = await RunAsync("container", "inspect", container);
        if (result.ExitCode != 0)
        {
            if (result.Stderr.Contains("No such container", StringComparison.OrdinalIgnoreCase)) return null;
            throw new InvalidOperationException($"docker container inspect {container}: {result}");
        }
        using var doc = JsonDocument.Parse(result.Stdout);
        return doc.RootElement[0].Clone();
    }

    public static async Task<bool> VolumeExistsAsync(string volume)
    {
        var result = await RunAsync("volume", "inspect", volume);
        if (result.ExitCode == 0) return true;
        if (result.Stderr.Contains("No such volume", StringComparison.OrdinalIgnoreCase)) return false;
        throw new InvalidOperationException($"docker volume inspect {volume}: {result}");
    }

    /// <summary><c>docker exec</c> as the container's own user (frappe in the double's image).</summary>
    public static Task<Result> ExecAsync(string container, params string[] argv) => RunAsync(["exec", container, .. argv]);

    /// <summary>Force-removes containers and volumes, ignoring those that do not exist (cleanup).</summary>
    public static async Task RemoveAsync(IEnumerable<string> containers, IEnumerable<string> volumes)
    {
        var c = containers.Distinct().ToArray();
        if (c.Length > 0) await RunAsync(["rm", "-f", "-v", .. c]);
        var v = volumes.Distinct().ToArray();
        if (v.Length > 0) await RunAsync(["volume", "rm", "-f", .. v]);
    }

    /// <summary>Every Press-labelled container (name, state, labels), for failure messages. Synchronous: diagnostics are.</summary>
    public static string DescribeManaged()
    {
        try
        {
            var ps = RunAsync("ps", "-a", "--filter", "label=press.managed=true", "--format",
                "{{.Names}}  {{.State}}  {{.Status}}  press.site={{.Label \"press.site\"}} press.port={{.Label \"press.port\"}}")
                .GetAwaiter().GetResult();
            return "----- docker: Press-labelled containers -----\n" + (ps.ExitCode == 0 ? Indent(ps.Stdout) : ps.ToString());
        }
        catch (Exception ex)
        {
            return "----- docker: cannot list containers: " + ex.Message;
        }
    }

    /// <summary>A container's last log lines, for failure messages.</summary>
    public static string DescribeLogs(string container, int tail = 20)
    {
        try
        {
            var logs = RunAsync("logs", "--tail", tail.ToString(), container).GetAwaiter().GetResult();
            return $"----- docker logs {container} -----\n" + Indent(logs.Stdout + logs.Stderr);
        }
        catch (Exception ex)
        {
            return $"----- docker logs {container}: {ex.Message}";
        }
    }

    private static string Indent(string text)
    {
        var sb = new StringBuilder();
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries)) sb.Append("  ").AppendLine(line);
        return sb.ToString();
    }
}
