using System.CommandLine;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;

namespace Press.Cli.Commands;

/// <summary>Tunes how parse errors are shown before System.CommandLine prints them.</summary>
public static class UsageErrors
{
    /// <summary>
    /// For a leaf command the full help would bury a one-line mistake (a bad --state value),
    /// so print just the error plus a pointer to --help. A bare group (<c>press site</c>)
    /// still gets its help: the list of subcommands is the useful answer there.
    /// </summary>
    public static void Configure(ParseResult parse)
    {
        if (parse.Action is not ParseErrorAction action) return;
        if (parse.CommandResult.Command.Subcommands.Count > 0) return;
        action.ShowHelp = false;
    }

    public static void WriteHint(ParseResult parse, TextWriter error)
    {
        if (parse.Errors.Count == 0 || parse.CommandResult.Command.Subcommands.Count > 0) return;
        error.WriteLine($"Run '{CommandPath(parse.CommandResult)} --help' for usage.");
    }

    private static string CommandPath(CommandResult result)
    {
        var names = new List<string>();
        for (SymbolResult? current = result; current is not null; current = current.Parent)
        {
            if (current is CommandResult command)
                names.Insert(0, command.Command is RootCommand ? "press" : command.Command.Name);
        }
        return string.Join(' ', names);
    }
}
