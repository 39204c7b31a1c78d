using System.CommandLine;
using System.Text.Json;
using Press.Cli.Api;
using Press.Cli.Output;

namespace Press.Cli.Commands;

/// <summary><c>press backup ...</c>: take, list, inspect and download backups (restoring is <c>press site restore</c>).</summary>
public static class BackupCommands
{
    public static Command Build(GlobalOptions globals)
    {
        var backup = new Command("backup", "Take, list, inspect and download site backups");
        backup.Subcommands.Add(Create(globals));
        backup.Subcommands.Add(List(globals));
        backup.Subcommands.Add(Show(globals));
        backup.Subcommands.Add(Download(globals));
        return backup;
    }

    private static Command Create(GlobalOptions globals)
    {
        var name = CommonOptions.SiteName();
        var wait = CommonOptions.Wait();
        var command = new Command("create", "Back up a site now (queues a backup job; the backup's id is the job's id)") { name, wait };
        command.RunsWith(globals, async (ctx, parse, ct) =>
        {
            var accepted = await ctx.Client.CreateBackupAsync(parse.GetRequiredValue(name), ct);
            var code = await JobCompletion.AcceptedAsync(ctx, accepted, "Backing up", parse.GetValue(wait), ct);
            if (!ctx.Json && code == ExitCodes.Ok)
                ctx.Out.WriteLine($"  backup {accepted.Value.Id}: press backup show {accepted.Value.Id}");
            return code;
        });
        return command;
    }

    private static Command List(GlobalOptions globals)
    {
        var name = CommonOptions.SiteName();
        var command = new Command("list", "List a site's backups, newest first, and whether the newest good one is stale") { name };
        command.RunsWith(globals, async (ctx, parse, ct) =>
        {
            var site = parse.GetRequiredValue(name);
            var result = await ctx.Client.ListBackupsAsync(site, ct);
            if (ctx.Json) ctx.WriteRaw(result.Raw);
            else BackupView.WriteList(ctx.Out, site, result.Value);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Show(GlobalOptions globals)
    {
        var id = CommonOptions.BackupId();
        var command = new Command("show", "Show a backup: state, verification, error and its parts with sizes and SHA-256") { id };
        command.RunsWith(globals, async (ctx, parse, ct) =>
        {
            var result = await ctx.Client.GetBackupAsync(parse.GetValue(id), ct);
            if (ctx.Json) ctx.WriteRaw(result.Raw);
            else BackupView.WriteDetails(ctx.Out, result.Value);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Download(GlobalOptions globals)
    {
        var id = CommonOptions.BackupId();
        var part = new Option<string>("--part")
        {
            Description = "Which part: database (pg_dump archive), files (tar of the site's files) or manifest (JSON)",
            HelpName = "PART",
            DefaultValueFactory = _ => BackupParts.Database,
        };
        part.AcceptOnlyFromAmong(BackupParts.All);
        var output = new Option<string?>("--output", "-o")
        {
            Description = "File to write (or an existing folder to write into); default ./SITE-ID8-PART.{dump,tar,json}",
            HelpName = "FILE",
        };
        var force = new Option<bool>("--force") { Description = "Replace the output file if it exists" };
        var command = new Command("download",
            "Download one part of a backup to a file (streamed; the file appears only once complete)")
        {
            id, part, output, force,
        };
        command.RunsWith(globals, async (ctx, parse, ct) =>
        {
            var backupId = parse.GetValue(id);
            var partName = parse.GetRequiredValue(part);
            var overwrite = parse.GetValue(force);

            // An explicit file is checked before anything is sent; a folder or the default name needs the site first.
            var explicitPath = parse.GetValue(output) is { Length: > 0 } o ? Path.GetFullPath(o) : null;
            var folder = explicitPath is null ? Directory.GetCurrentDirectory()
                : Directory.Exists(explicitPath) ? explicitPath
                : null;
            if (folder is null) CheckTarget(explicitPath!, overwrite);

            var backup = (await ctx.Client.GetBackupAsync(backupId, ct)).Value;
            var target = folder is null ? explicitPath! : Path.Combine(folder, DefaultFileName(backup, partName));
            if (folder is not null) CheckTarget(target, overwrite);

            var link = (await ctx.Client.GetBackupDownloadLinkAsync(backupId, partName, ct)).Value;
            var source = PressTransport.Redact(link.Url);
            var subject = link.Url.StartsWith('/') ? "Press" : "the backup store";
            var expected = BackupManifest.Read(backup.Manifest)?.Part(partName);

            using var response = await ctx.Client.OpenDownloadAsync(link.Url, ct);
            var saved = await FileDownload.SaveAsync(response, target, overwrite, source, subject, expected, ct);
            var verified = expected?.Sha256 is { Length: > 0 };

            if (ctx.Json)
            {
                var result = new DownloadResult(backup.Id, partName, target, saved.Bytes, saved.Sha256, verified);
                ctx.Out.WriteLine(JsonSerializer.Serialize(result, PressJsonContext.Default.DownloadResult));
            }
            else
            {
                ctx.Out.WriteLine($"Wrote {saved.Bytes} bytes ({Formats.Bytes(saved.Bytes)}) to {Relative(target)}");
                ctx.Out.WriteLine($"  sha256 {saved.Sha256}{(verified ? " (matches the backup's manifest)" : "")}");
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary><c>SITE-ID8-PART.EXT</c>, e.g. <c>erp.example.com-3f2a8c1e-database.dump</c>.</summary>
    public static string DefaultFileName(Backup backup, string part)
    {
        // Site names are host names, but this becomes a path: keep only characters that are safe everywhere.
        var site = new string(backup.Site.Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' ? c : '_').ToArray())
            .TrimStart('.');
        if (site.Length == 0) site = "site";
        return $"{site}-{backup.Id.ToString("N")[..8]}-{part}.{BackupParts.Extension(part)}";
    }

    private static void CheckTarget(string target, bool overwrite)
    {
        if (Directory.Exists(target))
            throw new UsageException($"{target} is a folder; give a file name");
        if (!overwrite && File.Exists(target))
            throw new UsageException($"{Relative(target)} already exists; pass --force to replace it, or -o to choose another file");
        var parent = Path.GetDirectoryName(target);
        if (!string.IsNullOrEmpty(parent) && !Directory.Exists(parent))
            throw new UsageException($"folder {parent} does not exist");
    }

    private static string Relative(string path)
    {
        var relative = Path.GetRelativePath(Directory.GetCurrentDirectory(), path);
        return relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative) ? path : relative;
    }
}
