using System.CommandLine;
using System.CommandLine.Parsing;
using Press.Cli.Api;

namespace Press.Cli.Commands;

/// <summary><c>press upgrade start|status|pause|resume|cancel</c>: fleet rollouts of a runner image (admin;
/// docs/architecture.md §19). One site at a time is <c>press site upgrade</c>.</summary>
public static class UpgradeCommands
{
    public static Command Build(GlobalOptions globals)
    {
        var upgrade = new Command("upgrade", "Roll a runner image out to the fleet: canary sites first, then waves (admin)");
        upgrade.Subcommands.Add(Start(globals));
        upgrade.Subcommands.Add(Status(globals));
        foreach (var (verb, description) in new[]
                 {
                     ("pause", "Pause a running rollout: no further site is started"),
                     ("resume", "Resume a paused rollout, accepting its failures so far"),
                     ("cancel", "Cancel a rollout: no further site is started; upgrades running finish or undo themselves"),
                 })
            upgrade.Subcommands.Add(Change(globals, verb, description));
        return upgrade;
    }

    private static Command Start(GlobalOptions globals)
    {
        var image = new Option<string>("--image") { Description = "The runner image to put the sites on", HelpName = "IMAGE", Required = true };
        var sites = new Option<string[]>("--sites") { Description = "The sites, in order (comma-separated or repeated)", HelpName = "SITE", AllowMultipleArgumentsPerToken = true };
        var all = new Option<bool>("--all") { Description = "Every Active site, by name" };
        var canary = new Option<int?>("--canary") { Description = "How many sites go first, alone (default 1)", HelpName = "N" };
        var waveSize = new Option<int?>("--wave-size") { Description = "How many sites upgrade at once after the canary (default 5)", HelpName = "N" };
        var maxFailures = new Option<int?>("--max-failures") { Description = "Failed sites tolerated before the rollout pauses (default 0)", HelpName = "K" };
        var rehearse = new Option<bool>("--rehearse") { Description = "Rehearse each site on a scratch copy first (press site rehearse); a failed rehearsal is that site's failure and it is not upgraded" };
        var command = new Command("start", "Start a rollout") { image, sites, all, canary, waveSize, maxFailures, rehearse };
        command.RunsWith(globals, async (ctx, parse, ct) =>
        {
            var names = (parse.GetValue(sites) ?? []).SelectMany(s => s.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList();
            var result = await ctx.Client.StartRolloutAsync(new StartRolloutRequest(parse.GetRequiredValue(image), names.Count > 0 ? names : null,
                parse.GetValue(all), parse.GetValue(canary), parse.GetValue(waveSize), parse.GetValue(maxFailures), parse.GetValue(rehearse)), ct);
            return Write(ctx, result);
        });
        return command;
    }

    private static Command Status(GlobalOptions globals)
    {
        // A custom parser: with the default one, an optional Guid that does not parse is no parse error but an
        // unhandled exception when the command reads it.
        var id = new Argument<Guid?>("id")
        {
            Description = "The rollout (default: the newest)", Arity = ArgumentArity.ZeroOrOne, CustomParser = ParseRolloutId,
        };
        var command = new Command("status", "Show a rollout: its state, waves and each site's upgrade") { id };
        command.RunsWith(globals, async (ctx, parse, ct) =>
        {
            if (parse.GetValue(id) is { } given) return Write(ctx, await ctx.Client.GetRolloutAsync(given, ct));
            var list = await ctx.Client.ListRolloutsAsync(ct);
            if (list.Value.Count == 0)
            {
                ctx.Out.WriteLine("No rollout yet: start one with press upgrade start --image IMAGE --all.");
                return ExitCodes.Ok;
            }
            return Write(ctx, await ctx.Client.GetRolloutAsync(list.Value[0].Id, ct));
        });
        return command;
    }

    private static Command Change(GlobalOptions globals, string verb, string description)
    {
        var id = new Argument<Guid>("id") { Description = "The rollout", CustomParser = result => ParseRolloutId(result) ?? default };
        var command = new Command(verb, description) { id };
        command.RunsWith(globals, async (ctx, parse, ct) => Write(ctx, await ctx.Client.ChangeRolloutAsync(parse.GetRequiredValue(id), verb, ct)));
        return command;
    }

    private static Guid? ParseRolloutId(ArgumentResult result)
    {
        if (result.Tokens.Count == 0) return null;
        var text = result.Tokens[^1].Value;
        if (Guid.TryParse(text, out var id)) return id;
        result.AddError($"'{text}' is not a rollout id; expected a UUID, as press upgrade start and press upgrade status print.");
        return null;
    }

    private static int Write(CliContext ctx, ApiResult<Rollout> result)
    {
        if (ctx.Json)
        {
            ctx.WriteRaw(result.Raw);
            return ExitCodes.Ok;
        }
        var r = result.Value;
        ctx.Out.WriteLine($"Rollout {r.Id} of {r.Image}: {r.State}{(r.Reason is null ? "" : $" ({r.Reason})")}");
        ctx.Out.WriteLine($"  canary {r.Canary}, waves of {r.WaveSize}, max failures {r.MaxFailures}{(r.Rehearse ? ", each site rehearsed first" : "")}; failed {r.Failures} (accepted {r.AcceptedFailures})");
        foreach (var s in r.Sites)
            ctx.Out.WriteLine($"  {(s.Wave == 0 ? "canary" : $"wave {s.Wave}"),-8} {s.Site,-40} {s.State,-10} {s.Detail}");
        return ExitCodes.Ok;
    }
}
