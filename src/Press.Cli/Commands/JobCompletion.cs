using Press.Cli.Api;
using Press.Cli.Events;
using Press.Cli.Output;

namespace Press.Cli.Commands;

/// <summary>
/// Shared tail of every command that queues a job: report the accepted job, or with --wait
/// follow it live and turn its outcome into the exit code.
/// </summary>
public static class JobCompletion
{
    public static async Task<int> AcceptedAsync(
        CliContext ctx, ApiResult<Job> accepted, string verb, bool wait, CancellationToken ct)
    {
        if (wait) return await FollowAsync(ctx, accepted.Value.Id, ct);
        if (ctx.Json)
        {
            ctx.WriteRaw(accepted.Raw);
            return ExitCodes.Ok;
        }
        var job = accepted.Value;
        var target = string.IsNullOrEmpty(job.Site) ? verb : $"{verb} {job.Site}";
        ctx.Out.WriteLine($"{target}: job {job.Id} is {job.State}.");
        ctx.Out.WriteLine($"  follow it with: press job watch {job.Id}");
        return ExitCodes.Ok;
    }

    /// <summary>Live progress until the job ends; 0 only when it Succeeded.</summary>
    public static async Task<int> FollowAsync(CliContext ctx, Guid id, CancellationToken ct)
    {
        IJobObserver observer = ctx.Json ? new SilentObserver() : new ProgressPrinter(ctx.Out);
        var final = await new JobFollower(ctx.Client, observer, ctx.Error).FollowAsync(id, ct);
        if (ctx.Json)
        {
            ctx.WriteRaw(final.Raw);
            // Scripts read stdout; the reason for a failure still belongs on stderr.
            if (!final.Value.Succeeded) JobView.WriteOutcome(TextWriter.Null, ctx.Error, final.Value);
        }
        else
        {
            JobView.WriteOutcome(ctx.Out, ctx.Error, final.Value);
        }
        return final.Value.Succeeded ? ExitCodes.Ok : ExitCodes.Failed;
    }
}
