using System.CommandLine;
using Press.Cli.Output;

namespace Press.Cli.Commands;

/// <summary><c>press job ...</c>: inspect, follow and retry the server's jobs.</summary>
public static class JobCommands
{
    public static Command Build(GlobalOptions globals)
    {
        var job = new Command("job", "Inspect, follow and retry jobs");
        job.Subcommands.Add(Show(globals));
        job.Subcommands.Add(Watch(globals));
        job.Subcommands.Add(Retry(globals));
        job.Subcommands.Add(List(globals));
        return job;
    }

    private static Command Show(GlobalOptions globals)
    {
        var id = CommonOptions.JobId();
        var command = new Command("show", "Show a job and its steps") { id };
        command.RunsWith(globals, async (ctx, parse, ct) =>
        {
            var result = await ctx.Client.GetJobAsync(parse.GetValue(id), ct);
            if (ctx.Json) ctx.WriteRaw(result.Raw);
            else JobView.WriteDetails(ctx.Out, result.Value);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Watch(GlobalOptions globals)
    {
        var id = CommonOptions.JobId();
        var command = new Command("watch", "Follow a job live until it ends; exit 0 only if it Succeeded") { id };
        command.RunsWith(globals, (ctx, parse, ct) => JobCompletion.FollowAsync(ctx, parse.GetValue(id), ct));
        return command;
    }

    private static Command Retry(GlobalOptions globals)
    {
        var id = CommonOptions.JobId();
        var wait = CommonOptions.Wait();
        var command = new Command("retry", "Retry a failed job from its failed step") { id, wait };
        command.RunsWith(globals, async (ctx, parse, ct) =>
        {
            var accepted = await ctx.Client.RetryJobAsync(parse.GetValue(id), ct);
            return await JobCompletion.AcceptedAsync(ctx, accepted, "Retrying", parse.GetValue(wait), ct);
        });
        return command;
    }

    private static Command List(GlobalOptions globals)
    {
        var site = new Option<string?>("--site") { Description = "Only jobs of this site", HelpName = "NAME" };
        var command = new Command("list", "List jobs") { site };
        command.RunsWith(globals, async (ctx, parse, ct) =>
        {
            var result = await ctx.Client.ListJobsAsync(parse.GetValue(site), ct);
            if (ctx.Json) ctx.WriteRaw(result.Raw);
            else JobView.WriteList(ctx.Out, result.Value);
            return ExitCodes.Ok;
        });
        return command;
    }
}
