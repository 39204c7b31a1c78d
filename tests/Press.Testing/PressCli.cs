using Xunit;


namespace Press.Testing;

/// <summary>Runs the real <c>press</c> CLI (<c>dotnet press.dll …</c>) in a private folder that also holds its config file.</summary>
public sealed class PressCli(string home)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(180); // generous: CI runs four test classes on two cores
    private readonly Lock _lock = new();
    private readonly List<string> _transcript = [];

    /// <summary>Given to the CLI as <c>PRESS_CONFIG</c>; <c>press login</c> creates it (and its folder).</summary>
    public string ConfigPath { get; } = Path.Combine(home, "press", "config.json");

    public sealed record Result(string Command, int ExitCode, string Stdout, string Stderr)
    {
        public override string ToString() =>
            $"$ press {Command}\n  exit {ExitCode}\n  stdout:\n{Indent(Stdout)}\n  stderr:\n{Indent(Stderr)}";

        private static string Indent(string text) => string.Join("\n", text.Split('\n').Select(l => "    " + l));
    }

    public async Task<Result> RunAsync(params string[] args)
    {
        var env = new Dictionary<string, string?>
        {
            ["PRESS_CONFIG"] = ConfigPath,
            ["PRESS_URL"] = null,
            ["PRESS_TOKEN"] = null,
            ["DOTNET_NOLOGO"] = "1",
        };
        var dll = TestServices.BuiltProgram("Press.Cli", "press");
        await using var child = ChildProcess.Start("press " + string.Join(' ', args), ChildProcess.DotnetHost, [dll, .. args], env,
            home);
        var exited = await child.WaitForExitAsync(Timeout);
        var command = string.Join(' ', args);
        if (!exited)
        {
            await child.KillAsync();
            Assert.Fail($"`press {command}` did not finish within {Timeout.TotalSeconds} s.\n{child.Describe(200)}\n{Transcript}");
        }
        var lines = child.Log.Lines;
        var result = new Result(command, child.ExitCode!.Value,
            string.Join("\n", lines.Where(l => !l.StartsWith("[stderr] "))),
            string.Join("\n", lines.Where(l => l.StartsWith("[stderr] ")).Select(l => l["[stderr] ".Length..])));
        lock (_lock) _transcript.Add(result.ToString());
        return result;
    }

    /// <summary>Every command run so far with its outputs, for assertion messages.</summary>
    public string Transcript
    {
        get { lock (_lock) return "\n--- press CLI transcript ---\n" + string.Join("\n", _transcript); }
    }
}
