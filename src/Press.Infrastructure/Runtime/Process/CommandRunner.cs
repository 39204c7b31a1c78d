using System.Diagnostics;
using System.Text;

namespace Press.Infrastructure.Runtime.Process;

/// <summary>
/// The one narrow place that executes host commands: argv only (no shell string built from values), a timeout,
/// and the tail of the output kept for the step's record.
/// </summary>
public static class CommandRunner
{
    public sealed record Result(int ExitCode, string OutputTail);

    /// <summary>What a Frappe process may see of Press's environment: none of Press's settings or secret file paths.</summary>
    public static readonly IReadOnlyList<string> PassedThrough = ["PATH", "HOME", "LANG", "LC_ALL", "TZ", "TMPDIR", "USER", "DOTNET_ROOT"];

    /// <param name="stdin">Written to the command's stdin, which is then closed (null: closed at once, so a prompt
    /// fails instead of waiting). How a secret reaches a command: never in argv.</param>
    /// <param name="cleanEnvironment">Start from <see cref="PassedThrough"/> only, not Press's own environment.</param>
    public static async Task<Result> RunAsync(IReadOnlyList<string> argv, string workingDirectory,
        IReadOnlyDictionary<string, string>? environment, TimeSpan timeout, CancellationToken ct, string? stdin = null,
        bool cleanEnvironment = false)
    {
        var start = new ProcessStartInfo(argv[0])
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var a in argv.Skip(1)) start.ArgumentList.Add(a);
        if (cleanEnvironment)
        {
            var kept = PassedThrough.Where(k => Environment.GetEnvironmentVariable(k) is not null)
                .ToDictionary(k => k, k => Environment.GetEnvironmentVariable(k)!);
            start.Environment.Clear();
            foreach (var (k, v) in kept) start.Environment[k] = v;
        }
        foreach (var (k, v) in environment ?? new Dictionary<string, string>()) start.Environment[k] = v;

        using var process = System.Diagnostics.Process.Start(start) ?? throw new InvalidOperationException($"cannot start {argv[0]}");
        if (stdin is not null)
        {
            try { await process.StandardInput.WriteAsync(stdin.AsMemory(), ct); }
            catch (IOException) { } // the command exited without reading: its exit code says why
        }
        process.StandardInput.Close(); // never let a command wait for a prompt
        var output = new StringBuilder();
        var readOut = Collect(process.StandardOutput, output);
        var readErr = Collect(process.StandardError, output);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(timeout);
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            if (ct.IsCancellationRequested) throw;
            return new Result(-1, $"timed out after {timeout.TotalSeconds:0} s\n" + Tail(output));
        }
        await Task.WhenAll(readOut, readErr);
        return new Result(process.ExitCode, Tail(output));
    }

    private static async Task Collect(StreamReader reader, StringBuilder into)
    {
        while (await reader.ReadLineAsync() is { } line)
            lock (into) into.AppendLine(line);
    }

    private static string Tail(StringBuilder output)
    {
        string text;
        lock (output) text = output.ToString();
        return text.Length <= 4000 ? text.TrimEnd() : "…" + text[^4000..].TrimEnd();
    }
}
