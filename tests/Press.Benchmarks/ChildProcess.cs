using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Press.Benchmarks;

/// <summary>
/// A built Press program (<c>dotnet &lt;dll&gt;</c>) on 127.0.0.1:<see cref="Port"/>. Its output is drained into a
/// bounded tail (a full pipe would stall the child); disposal kills the whole process tree.
/// </summary>
public sealed class ChildProcess : IAsyncDisposable
{
    private const int TailLines = 200;
    private static readonly HttpClient Probe = new(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(5) };
    private readonly Process _process;
    private readonly Queue<string> _tail = new();
    private long _lines;

    public string Name { get; }
    public int Port { get; }
    public Uri BaseUrl => new($"http://127.0.0.1:{Port}");
    public long LinesLogged => Interlocked.Read(ref _lines);

    /// <summary>Resident and peak resident memory in MiB (VmRSS, VmHWM of /proc/PID/status), as the kernel counts them.</summary>
    public (double Rss, double Peak) MemoryMb()
    {
        var status = File.ReadAllLines($"/proc/{_process.Id}/status");
        double Kb(string key) => double.Parse(status.First(l => l.StartsWith(key, StringComparison.Ordinal))[key.Length..].Trim().Split(' ')[0],
            System.Globalization.CultureInfo.InvariantCulture) / 1024;
        return (Kb("VmRSS:"), Kb("VmHWM:"));
    }

    private ChildProcess(string name, int port, Process process)
    {
        Name = name;
        Port = port;
        _process = process;
    }

    public static ChildProcess Start(string name, string dll, int port, IReadOnlyDictionary<string, string> environment)
    {
        var psi = new ProcessStartInfo(DotnetHost)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            WorkingDirectory = Path.GetDirectoryName(dll)!,
        };
        psi.ArgumentList.Add(dll);
        // Only this installation's settings: drop any Press__… the caller's shell may carry (e.g. from .press/dev.env).
        foreach (var key in psi.Environment.Keys.Where(k => k.StartsWith("Press__", StringComparison.Ordinal)).ToList())
            psi.Environment.Remove(key);
        foreach (var (k, v) in environment) psi.Environment[k] = v;
        psi.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        psi.Environment["DOTNET_NOLOGO"] = "1";

        var process = new Process { StartInfo = psi, EnableRaisingEvents = true };
        var child = new ChildProcess(name, port, process);
        process.OutputDataReceived += (_, e) => child.Add(e.Data);
        process.ErrorDataReceived += (_, e) => child.Add(e.Data);
        if (!process.Start()) throw new InvalidOperationException($"could not start {dll}");
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    private void Add(string? line)
    {
        if (line is null) return;
        Interlocked.Increment(ref _lines);
        lock (_tail)
        {
            _tail.Enqueue(line);
            while (_tail.Count > TailLines) _tail.Dequeue();
        }
    }

    /// <summary>Polls <c>/readyz</c> every 100 ms until it answers 200; fails when the process exits or after <paramref name="timeout"/>.</summary>
    public async Task WaitReadyAsync(TimeSpan timeout, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + timeout;
        string last = "no answer";
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited) throw new InvalidOperationException($"{Name} exited with {_process.ExitCode} before it was ready.\n{Tail()}");
            try
            {
                using var response = await Probe.GetAsync(new Uri(BaseUrl, "/readyz"), ct);
                if (response.StatusCode == HttpStatusCode.OK) return;
                last = $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(ct)}";
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
            {
                last = ex.Message;
            }
            await Task.Delay(100, ct);
        }
        throw new TimeoutException($"{Name} was not ready within {timeout.TotalSeconds:0} s (last: {last}).\n{Tail()}");
    }

    public string Tail()
    {
        lock (_tail) return $"----- {Name} (pid {_process.Id}, last {_tail.Count} lines) -----\n" + string.Join('\n', _tail);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException) { /* exited meanwhile */ }
        using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        try { await _process.WaitForExitAsync(wait.Token); }
        catch (OperationCanceledException) { Console.Error.WriteLine($"bench: {Name} (pid {_process.Id}) did not exit after SIGKILL"); }
        _process.Dispose();
    }

    /// <summary>Free ports on 127.0.0.1 inside [first, last], lowest first.</summary>
    public static int[] FreePorts(int first, int last, int count)
    {
        var free = new List<int>();
        for (var port = first; port <= last && free.Count < count; port++)
        {
            var listener = new TcpListener(IPAddress.Loopback, port);
            try
            {
                listener.Start();
                free.Add(port);
            }
            catch (SocketException) { /* taken */ }
            finally { listener.Stop(); }
        }
        return free.Count == count ? [.. free] : throw new InvalidOperationException($"need {count} free ports in {first}–{last}, found {free.Count}");
    }

    private static string DotnetHost =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";
}
