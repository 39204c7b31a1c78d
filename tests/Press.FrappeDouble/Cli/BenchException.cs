namespace Press.FrappeDouble.Cli;

/// <summary>A refusal or failure reported as one line on stderr with bench's exit code (1 failed, 2 usage).</summary>
public sealed class BenchException(string message, int exitCode = 1) : Exception(message)
{
    public int ExitCode { get; } = exitCode;

    public static BenchException Usage(string message) => new($"Error: {message}", 2);
}
