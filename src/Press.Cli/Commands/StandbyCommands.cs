using System.CommandLine;
using Press.Cli.Output;

namespace Press.Cli.Commands;

/// <summary><c>press standby status</c>: the standby pool (admin; docs/architecture.md §17).</summary>
public static class StandbyCommands
{
    public static Command Build(GlobalOptions globals)
    {
        var status = new Command("status", "Show the standby pool (admin): target, ready, creating and broken standbys per app set");
        status.RunsWith(globals, async (ctx, _, ct) =>
        {
            var result = await ctx.Client.StandbyAsync(ct);
            if (ctx.Json) ctx.WriteRaw(result.Raw);
            else StandbyView.Write(ctx.Out, result.Value);
            return ExitCodes.Ok;
        });
        return new Command("standby", "The pool of installed sites that new sites are claimed from") { status };
    }
}
