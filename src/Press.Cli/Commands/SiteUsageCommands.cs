using System.CommandLine;
using System.Globalization;
using Press.Cli.Api;
using Press.Cli.Output;

namespace Press.Cli.Commands;

/// <summary><c>press site usage NAME</c> and <c>press site limits NAME</c> (docs/architecture.md §15).</summary>
public static class SiteUsageCommands
{
    public static Command Usage(GlobalOptions globals)
    {
        var name = CommonOptions.SiteName();
        var command = new Command("usage", "Show the site's usage as last sampled: database, files, CPU, memory, requests and 5xx") { name };
        command.RunsWith(globals, async (ctx, parse, ct) =>
        {
            var result = await ctx.Client.SiteUsageAsync(parse.GetRequiredValue(name), ct);
            if (ctx.Json) ctx.WriteRaw(result.Raw);
            else UsageView.Write(ctx.Out, result.Value);
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>Options not given keep the site's current value (read first); "default" clears one.</summary>
    public static Command Limits(GlobalOptions globals)
    {
        var name = CommonOptions.SiteName();
        var memory = Value("--memory-mb", "Memory of each container running the site's code, in MiB, or 'default'", "MIB");
        var cpus = Value("--cpus", "CPUs of each container running the site's code (e.g. 1.5), or 'default'", "CPUS");
        var cap = Value("--database-cap-mb", "Database size (MiB) above which an alert fires (never blocks), or 'default' for none", "MIB");
        var wait = CommonOptions.Wait();
        var command = new Command("limits", "Set the site's memory, CPUs and database cap (admin; queues a ChangeLimits job that recreates the runner)")
        {
            name, memory, cpus, cap, wait,
        };
        command.RunsWith(globals, async (ctx, parse, ct) =>
        {
            var site = parse.GetRequiredValue(name);
            var current = (await ctx.Client.SiteUsageAsync(site, ct)).Value.Limits ?? new SiteLimitsBody(null, null, null);
            var body = new SiteLimitsBody(
                Merge(parse.GetValue(memory), current.MemoryMb, "--memory-mb", s => int.Parse(s, CultureInfo.InvariantCulture)),
                Merge(parse.GetValue(cpus), current.Cpus, "--cpus", s => double.Parse(s, CultureInfo.InvariantCulture)),
                Merge(parse.GetValue(cap), current.DatabaseCapMb, "--database-cap-mb", s => int.Parse(s, CultureInfo.InvariantCulture)));
            var accepted = await ctx.Client.SetSiteLimitsAsync(site, body, ct);
            return await JobCompletion.AcceptedAsync(ctx, accepted, "Changing the limits of", parse.GetValue(wait), ct);
        });
        return command;
    }

    private static Option<string?> Value(string name, string description, string helpName) =>
        new(name) { Description = description, HelpName = helpName };

    private static T? Merge<T>(string? given, T? current, string option, Func<string, T> parse) where T : struct
    {
        if (given is null) return current;
        if (given == "default") return null;
        try { return parse(given); }
        catch (FormatException) { throw new UsageException($"{option} takes a number or 'default', not '{given}'."); }
        catch (OverflowException) { throw new UsageException($"{option} takes a number or 'default', not '{given}'."); }
    }
}
