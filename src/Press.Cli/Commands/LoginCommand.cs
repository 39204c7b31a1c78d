using System.CommandLine;
using Press.Cli.Config;

namespace Press.Cli.Commands;

/// <summary><c>press login --url URL --token T</c>: check the credentials, then remember them.</summary>
public static class LoginCommand
{
    public static Command Build(GlobalOptions globals)
    {
        // --url and --token are the global options; login just persists what they resolve to.
        var command = new Command("login", "Verify --url and --token against the server and save them to the config file");
        command.RunsWith(globals, async (ctx, _, ct) =>
        {
            // Any authenticated read works as a check; this one is cheap.
            var probe = await ctx.Client.ListSitesAsync(state: null, page: null, pageSize: 1, ct);
            if (probe.StatusCode != 200)
            {
                ctx.Error.WriteLine($"error: expected HTTP 200 from {ctx.Connection.Url}/api/sites, got {probe.StatusCode}");
                return ExitCodes.Failed;
            }
            ConfigStore.Save(new CliConfig(ctx.Connection.Url, ctx.Connection.Token));
            // No server document worth printing here, so --json changes nothing for login.
            ctx.Out.WriteLine($"Logged in to {ctx.Connection.Url} ({probe.Value.Total} sites). Saved to {ConfigStore.Path}");
            return ExitCodes.Ok;
        });
        return command;
    }
}
