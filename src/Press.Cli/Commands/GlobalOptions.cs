using System.CommandLine;

namespace Press.Cli.Commands;

/// <summary>
/// Options accepted by every command. They are recursive so they can be written anywhere
/// on the line (<c>press site list --json</c> as well as <c>press --json site list</c>).
/// </summary>
public sealed class GlobalOptions
{
    public Option<string?> Url { get; } = new("--url")
    {
        Description = "Press base URL (overrides PRESS_URL and the config file)",
        HelpName = "URL",
        Recursive = true,
    };

    public Option<string?> Token { get; } = new("--token")
    {
        Description = "API token (overrides PRESS_TOKEN and the config file)",
        HelpName = "TOKEN",
        Recursive = true,
    };

    public Option<bool> Json { get; } = new("--json")
    {
        Description = "Print the server's raw JSON instead of tables (for scripts)",
        Recursive = true,
    };

    public void AddTo(Command root)
    {
        root.Options.Add(Url);
        root.Options.Add(Token);
        root.Options.Add(Json);
    }
}
