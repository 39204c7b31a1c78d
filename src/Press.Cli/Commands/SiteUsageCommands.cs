using System.CommandLine;
using System.Globalization;
using System.Text.Json;
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

    /// <summary>
    /// Options not given keep the site's current value (read first); "default" clears one. With no option at all the
    /// command shows the current limits and queues nothing: a job that recreates the runner to change nothing would
    /// only cost the site a restart.
    /// </summary>
    public static Command Limits(GlobalOptions globals)
    {
        var name = CommonOptions.SiteName();
        var memory = Value("--memory-mb", "Memory of each container running the site's code, in MiB, or 'default'", "MIB", ParseInt);
        var cpus = Value("--cpus", "CPUs of each container running the site's code (e.g. 1.5), or 'default'", "CPUS", ParseCpus);
        var cap = Value("--database-cap-mb", "Database size (MiB) above which an alert fires (never blocks), or 'default' for none", "MIB", ParseInt);
        var wait = CommonOptions.Wait();
        var command = new Command("limits",
            "Show the site's memory, CPUs and database cap, or set them (admin; queues a ChangeLimits job that recreates the runner)")
        {
            name, memory, cpus, cap, wait,
        };
        command.RunsWith(globals, async (ctx, parse, ct) =>
        {
            var site = parse.GetRequiredValue(name);
            var usage = await ctx.Client.SiteUsageAsync(site, ct);
            var current = usage.Value.Limits ?? new SiteLimitsBody(null, null, null);
            if (parse.GetValue(memory) is null && parse.GetValue(cpus) is null && parse.GetValue(cap) is null)
            {
                if (ctx.Json) ctx.WriteRaw(JsonSerializer.Serialize(current, PressJsonContext.Default.SiteLimitsBody));
                else LimitsView.Write(ctx.Out, current);
                return ExitCodes.Ok;
            }
            var body = new SiteLimitsBody(
                Merge(parse.GetValue(memory), current.MemoryMb, ParseInt),
                Merge(parse.GetValue(cpus), current.Cpus, ParseCpus),
                Merge(parse.GetValue(cap), current.DatabaseCapMb, ParseInt));
            var accepted = await ctx.Client.SetSiteLimitsAsync(site, body, ct);
            return await JobCompletion.AcceptedAsync(ctx, accepted, "Changing the limits of", parse.GetValue(wait), ct);
        });
        return command;
    }

    /// <summary>
    /// A number or "default", checked while parsing: a bad value is a usage error (exit 2) before the current limits
    /// are even read, like every other usage error.
    /// </summary>
    private static Option<string?> Value<T>(string name, string description, string helpName, Func<string, T?> parse) where T : struct
    {
        var option = new Option<string?>(name) { Description = description, HelpName = helpName };
        option.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<string?>() is { } given && given != "default" && parse(given) is null)
                result.AddError($"{name} takes a number or 'default', not '{given}'.");
        });
        return option;
    }

    private static int? ParseInt(string text) =>
        int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : null;

    // No thousands separators ("1,5" is not 15 CPUs) and only finite numbers (NaN cannot even be sent as JSON).
    private static double? ParseCpus(string text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value) ? value : null;

    /// <summary>Not given: the current value; "default": null (the server's default); else the number (already validated).</summary>
    private static T? Merge<T>(string? given, T? current, Func<string, T?> parse) where T : struct =>
        given is null ? current : given == "default" ? null : parse(given);
}
