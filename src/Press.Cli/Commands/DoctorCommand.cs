using System.CommandLine;
using Press.Cli.Output;

namespace Press.Cli.Commands;

/// <summary><c>press doctor</c>: checks the installation end to end (admin); exit 1 when any check failed.</summary>
public static class DoctorCommand
{
    public static Command Build(GlobalOptions globals)
    {
        var command = new Command("doctor", "Check the installation end to end (admin): each check ✓ or ✗ with its fix; exit 1 when any failed");
        command.RunsWith(globals, async (ctx, _, ct) =>
        {
            var result = await ctx.Client.DoctorAsync(ct);
            if (ctx.Json) ctx.WriteRaw(result.Raw);
            else DoctorView.Write(ctx.Out, result.Value);
            return result.Value.Healthy ? ExitCodes.Ok : ExitCodes.Failed;
        });
        return command;
    }
}
