using System.Globalization;
using System.Runtime.InteropServices;

namespace Press.Benchmarks;

/// <summary>The benchmark modes' shared command line: <c>--name N</c> integer options and <c>--out FILE</c>.</summary>
internal static class BenchCommandLine
{
    /// <returns>The options (defaults overridden) and the output file, or null after printing why the arguments are bad.</returns>
    public static (Dictionary<string, int> Options, string? Output)? Parse(string[] args, Dictionary<string, int> defaults, string usage)
    {
        var options = new Dictionary<string, int>(defaults);
        string? output = null;
        for (var i = 0; i < args.Length; i++)
        {
            var key = args[i].StartsWith("--", StringComparison.Ordinal) ? args[i][2..] : "";
            if (i + 1 >= args.Length) { Console.Error.WriteLine(usage); return null; }
            if (key == "out") output = args[++i];
            else if (options.ContainsKey(key) && int.TryParse(args[++i], CultureInfo.InvariantCulture, out var value) && value is >= 1 and <= 100_000)
                options[key] = value;
            else { Console.Error.WriteLine($"bad argument '{args[i]}'\n{usage}"); return null; }
        }
        return (options, output);
    }
}

/// <summary>What every benchmark mode does with its result: print the report section and append it to the output file.</summary>
internal static class BenchRun
{
    public static async Task<int> ReportAsync(BenchStop stop, string? output, Func<CancellationToken, Task<string>> section)
    {
        try
        {
            var text = await section(stop.Token);
            Console.WriteLine();
            Console.WriteLine(text);
            if (output is not null)
            {
                Report.Append(output, text);
                Console.Error.WriteLine($"bench {DateTime.UtcNow:HH:mm:ss.fff}: appended to {Path.GetFullPath(output)}");
            }
            return 0;
        }
        catch (Exception ex)
        {
            Console.Error.WriteLine(stop.Token.IsCancellationRequested ? "bench: stopped (signal or timeout)" : $"bench: FAILED: {ex}");
            return 1;
        }
    }
}

/// <summary>
/// Cancels a run on its time limit, SIGTERM or SIGINT — cancelling rather than dying, so the finally blocks still kill
/// the child processes and drop the installation.
/// </summary>
internal sealed class BenchStop : IDisposable
{
    private readonly CancellationTokenSource _cts;
    private readonly PosixSignalRegistration _term;
    private readonly PosixSignalRegistration _interrupt;

    public BenchStop(int timeoutMinutes)
    {
        _cts = new CancellationTokenSource(TimeSpan.FromMinutes(timeoutMinutes));
        _term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        _interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
    }

    public CancellationToken Token => _cts.Token;

    /// <summary>Whether a TERM or INT arrived during any run of this process (the smoke run then starts no more).</summary>
    public static bool Signalled { get; private set; }

    private void Stop(PosixSignalContext c)
    {
        c.Cancel = true;
        Signalled = true;
        Console.Error.WriteLine($"bench: {c.Signal}, stopping");
        _cts.Cancel();
    }

    public void Dispose()
    {
        _term.Dispose();
        _interrupt.Dispose();
        _cts.Dispose();
    }
}
