using System.CommandLine;

namespace Press.Cli.Commands;

/// <summary>
/// <c>press audit verify|export</c>: check the audit log's SHA-256 chain (docs/architecture.md §14) and write the log as
/// JSON lines. verify exits 1 when the chain is broken, naming the first broken entry.
/// </summary>
public static class AuditCommands
{
    public static Command Build(GlobalOptions globals)
    {
        var audit = new Command("audit", "Verify and export the audit log");
        audit.Subcommands.Add(Verify(globals));
        audit.Subcommands.Add(Export(globals));
        return audit;
    }

    private static Command Verify(GlobalOptions globals)
    {
        var command = new Command("verify", "Walk the audit log's hash chain (admin); exit 1 naming the first broken entry");
        command.RunsWith(globals, async (ctx, _, ct) =>
        {
            var result = await ctx.Client.VerifyAuditAsync(ct);
            var r = result.Value;
            if (ctx.Json) ctx.WriteRaw(result.Raw);
            else if (r.Intact)
            {
                ctx.Out.WriteLine($"✓ audit chain intact: {r.Entries} entries ({r.LegacyEntries} from before the chain, covered by its start)");
                if (r.HeadId is not null)
                    ctx.Out.WriteLine($"  head: entry {r.HeadId} {r.HeadHash} (keep it elsewhere: removing the newest entries shows only against a kept head)");
            }
            else
            {
                ctx.Out.WriteLine($"✗ audit chain broken at entry {r.FirstBrokenId}: {r.Problem}");
                ctx.Out.WriteLine($"  {r.Entries} entries before it are intact; `press audit export` shows the entries around it.");
            }
            return r.Intact ? ExitCodes.Ok : ExitCodes.Failed;
        });
        return command;
    }

    private static Command Export(GlobalOptions globals)
    {
        var site = new Option<string?>("--site") { Description = "Only entries of this site", HelpName = "NAME" };
        var actor = new Option<string?>("--actor") { Description = "Only entries by this actor", HelpName = "ACTOR" };
        var from = new Option<string?>("--from") { Description = "From this time (ISO 8601, inclusive)", HelpName = "TIME" };
        var to = new Option<string?>("--to") { Description = "Before this time (ISO 8601, exclusive)", HelpName = "TIME" };
        var output = new Option<string?>("--output", "-o") { Description = "File to write (default: standard output)", HelpName = "FILE" };
        var force = new Option<bool>("--force") { Description = "Replace the output file if it exists" };
        var command = new Command("export", "Write audit entries as JSON lines, oldest first, with their chain hashes (streamed)")
            { site, actor, from, to, output, force };
        command.RunsWith(globals, async (ctx, parse, ct) =>
        {
            var file = parse.GetValue(output);
            if (file is not null && File.Exists(file) && !parse.GetValue(force))
                throw new UsageException($"{file} already exists; pass --force to replace it");
            using var response = await ctx.Client.OpenAuditExportAsync(parse.GetValue(site), parse.GetValue(actor), parse.GetValue(from),
                parse.GetValue(to), ct);
            if (file is null)
            {
                await using var body = await response.Content.ReadAsStreamAsync(ct);
                await using var stdout = Console.OpenStandardOutput();
                await body.CopyToAsync(stdout, ct);
                return ExitCodes.Ok;
            }
            var saved = await FileDownload.SaveAsync(response, file, parse.GetValue(force), ctx.Client.BaseUrl, "Press", null, ct);
            ctx.Error.WriteLine($"wrote {saved.Bytes} bytes to {file}");
            return ExitCodes.Ok;
        });
        return command;
    }
}
