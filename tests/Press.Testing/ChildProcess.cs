using System.Diagnostics;

namespace Press.Testing;

/// <summary>
/// A child process with its stdout and stderr captured line by line. <see cref="KillAsync"/> is SIGKILL of the whole
/// tree (no graceful shutdown: the point of these tests); disposal kills whatever still runs.
/// </summary>
public sealed class ChildProcess : IAsyncDisposable
{
    private static readonly TimeSpan ExitTimeout = TimeSpan.FromSeconds(15);
    private readonly Process _process;

    public string Name { get; }
    public LogBuffer Log { get; }
    public int Pid { get; }
    public bool Killed { get; private set; }

    private ChildProcess(string name, Process process, LogBuffer log)
    {
        Name = name;
        _process = process;
        Pid = process.Id;
        Log = log;
    }

    /// <summary>The <c>dotnet</c> host that runs this test process (<c>DOTNET_HOST_PATH</c>), so children run on the same runtime.</summary>
    public static string DotnetHost =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";

    public static ChildProcess Start(string name, string fileName, IEnumerable<string> args,
        IReadOnlyDictionary<string, string?> environment, string? workingDirectory = null)
    {
        var psi = new ProcessStartInfo(fileName)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        foreach (var (k, v) in environment)
        {
            if (v is null) psi.Environment.Remove(k);
            else psi.Environment[k] = v;
        }
        var process = new Process { StartInfo = psi, EnableRaisingEvents = true };
        var log = new LogBuffer();
        process.OutputDataReceived += (_, e) => log.Add("out", e.Data);
        process.ErrorDataReceived += (_, e) => log.Add("err", e.Data);
        if (!process.Start()) throw new InvalidOperationException($"Could not start {fileName}.");
        // The handlers were wired before Start, so no early line is lost.
        var child = new ChildProcess(name, process, log);
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    public bool HasExited
    {
        get
        {
            try { return _process.HasExited; }
            catch (InvalidOperationException) { return true; }
        }
    }

    public int? ExitCode => HasExited ? _process.ExitCode : null;

    /// <summary>SIGKILL (the whole process tree), then wait until it is gone.</summary>
    public async Task KillAsync()
    {
        if (!HasExited)
        {
            Killed = true;
            try { _process.Kill(entireProcessTree: true); }
            catch (InvalidOperationException) { /* exited meanwhile */ }
        }
        await WaitForExitAsync(ExitTimeout);
    }

    /// <returns>false when it is still running after <paramref name="timeout"/>.</returns>
    public async Task<bool> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public string Describe(int lines = 60)
    {
        var state = HasExited ? (Killed ? "killed" : $"exited {ExitCode}") : "running";
        return $"----- {Name} (pid {Pid}, {state}) -----\n{Log.Tail(lines)}";
    }

    private int _disposed;

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        await KillAsync();
        _process.Dispose();
    }
}
