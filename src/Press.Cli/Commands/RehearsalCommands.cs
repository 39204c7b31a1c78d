using System.CommandLine;
using Press.Cli.Events;
using Press.Cli.Output;

namespace Press.Cli.Commands;

/// <summary><c>press site rehearse|rehearsals</c>: an upgrade rehearsed on a scratch copy of a site (docs/architecture.md §20).</summary>
public static class RehearsalCommands
{
    public static Command Rehearse(GlobalOptions globals)
    {
        var name = CommonOptions.SiteName();
        var image = new Option<string>("--image")
        {
            Description = "The runner image to rehearse the upgrade to, e.g. ghcr.io/acme/erpnext:v16.1.0", HelpName = "IMAGE", Required = true,
        };
        var wait = CommonOptions.Wait();
        var command = new Command("rehearse",
            "Rehearse an upgrade: the site's newest good backup restored as a never-routed scratch site, migrated under IMAGE, health-checked, " +
            "then dropped; reports the outcome, the migrate duration and its output. The live site is never touched (queues a RehearseUpgrade job)")
        {
            name, image, wait,
        };
        command.RunsWith(globals, async (ctx, parse, ct) =>
        {
            var accepted = await ctx.Client.RehearseSiteAsync(parse.GetRequiredValue(name), parse.GetRequiredValue(image), ct);
            if (!parse.GetValue(wait))
            {
                var code = await JobCompletion.AcceptedAsync(ctx, accepted, "Rehearsing an upgrade of", false, ct);
                if (!ctx.Json) ctx.Out.WriteLine($"  its result: press site rehearsals {parse.GetRequiredValue(name)}");
                return code;
            }
            // The rehearsal's result is the answer, not the job's: a failed job here means a failed rehearsal, whose
            // retry is a new rehearsal (the job's own retry is refused once its scratch was dropped).
            IJobObserver observer = ctx.Json ? new SilentObserver() : new ProgressPrinter(ctx.Out);
            await new JobFollower(ctx.Client, observer, ctx.Error).FollowAsync(accepted.Value.Id, ct);
            var result = await ctx.Client.GetRehearsalAsync(accepted.Value.Id, ct);
            if (ctx.Json) ctx.WriteRaw(result.Raw);
            else RehearsalView.WriteResult(result.Value.Passed ? ctx.Out : ctx.Error, result.Value);
            return result.Value.Passed ? ExitCodes.Ok : ExitCodes.Failed;
        });
        return command;
    }

    public static Command List(GlobalOptions globals)
    {
        var name = CommonOptions.SiteName();
        var command = new Command("rehearsals", "List the site's upgrade rehearsals: outcome, failed step, migrate duration") { name };
        command.RunsWith(globals, async (ctx, parse, ct) =>
        {
            var result = await ctx.Client.ListRehearsalsAsync(parse.GetRequiredValue(name), ct);
            if (ctx.Json) ctx.WriteRaw(result.Raw);
            else RehearsalView.WriteList(ctx.Out, result.Value);
            return ExitCodes.Ok;
        });
        return command;
    }
}
