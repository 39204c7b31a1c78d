using System.CommandLine;
using System.Text.Json;
using Press.Cli.Api;
using Press.Cli.Config;
using Press.Cli.Output;

namespace Press.Cli.Commands;

/// <summary>What a command body gets: a ready client and how to print.</summary>
public sealed record CliContext(PressClient Client, Connection Connection, bool Json)
{
    public TextWriter Out => Console.Out;
    public TextWriter Error => Console.Error;

    /// <summary>--json output: the server's body exactly as received.</summary>
    public void WriteRaw(string raw) => Out.WriteLine(raw.Trim());
}

/// <summary>
/// The single place where failures become exit codes and stderr messages, so every command
/// reports problems the same way.
/// </summary>
public static class CommandRunner
{
    public static void RunsWith(
        this Command command, GlobalOptions globals, Func<CliContext, ParseResult, CancellationToken, Task<int>> body) =>
        command.SetAction((parse, ct) => RunAsync(parse, globals, body, ct));

    private static async Task<int> RunAsync(
        ParseResult parse, GlobalOptions globals, Func<CliContext, ParseResult, CancellationToken, Task<int>> body,
        CancellationToken ct)
    {
        var error = Console.Error;
        try
        {
            var connection = ConnectionResolver.Resolve(parse.GetValue(globals.Url), parse.GetValue(globals.Token));
            using var client = PressClient.Create(connection);
            return await body(new CliContext(client, connection, parse.GetValue(globals.Json)), parse, ct);
        }
        catch (UsageException ex)
        {
            error.WriteLine($"press: {ex.Message}");
            return ExitCodes.Usage;
        }
        catch (PressUnreachableException ex)
        {
            error.WriteLine(ex.Message);
            error.WriteLine(ex.IsPress
                ? "  is the Press manager running? Check --url, PRESS_URL or `press login`."
                : "  the manager handed out a link to this host; check that this machine can reach it.");
            return ExitCodes.Unreachable;
        }
        catch (PressApiException ex)
        {
            ProblemPrinter.Print(error, ex);
            return ExitCodes.Failed;
        }
        catch (DownloadException ex)
        {
            error.WriteLine($"error: {ex.Message}");
            return ExitCodes.Failed;
        }
        catch (JsonException ex)
        {
            error.WriteLine($"error: unexpected response from Press: {ex.Message}");
            return ExitCodes.Failed;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Jobs run on the server; interrupting the CLI only stops watching.
            error.WriteLine("interrupted (server-side jobs keep running; see `press job list`)");
            return ExitCodes.Interrupted;
        }
    }
}
