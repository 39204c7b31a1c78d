using System.CommandLine;
using System.CommandLine.Parsing;

namespace Press.Cli.Commands;

/// <summary>Option and argument factories shared by several commands (each command needs its own instance).</summary>
public static class CommonOptions
{
    public static Option<bool> Wait() => new("--wait")
    {
        Description = "Follow the job live until it ends; exit 1 if it fails or is cancelled",
    };

    public static Argument<string> SiteName() => new("name")
    {
        Description = "Site name (its host name, e.g. a.example.com)",
    };

    public static Argument<Guid> JobId() => new("id")
    {
        Description = "Job id (a UUID, as printed when the job was queued)",
    };

    public static Argument<Guid> BackupId() => new("id")
    {
        Description = "Backup id (a UUID: the id of the job that made it, as `press backup list` shows)",
        CustomParser = result => ParseUuid(result),
    };

    /// <summary>A required <c>--backup ID</c> (restore).</summary>
    public static Option<Guid> BackupOption(string name, string description) => new(name)
    {
        Description = description,
        HelpName = "ID",
        Required = true,
        CustomParser = result => ParseUuid(result, name),
    };

    /// <summary>
    /// Backup-id parsing with a message that says what was expected; a parse error is exit 2 before any request.
    /// </summary>
    public static Guid ParseUuid(ArgumentResult result, string? option = null)
    {
        if (result.Tokens.Count == 0) return default; // "required" is reported by the parser itself
        var text = result.Tokens[^1].Value;
        if (Guid.TryParse(text, out var id)) return id;
        var prefix = option is null ? "" : $"{option}: ";
        result.AddError($"{prefix}'{text}' is not a backup id; expected a UUID such as 3f2a8c1e-5b7d-4e21-9a0c-1d2e3f4a5b6c.");
        return default;
    }

    /// <summary>A positive int option; 0 or negative is a usage error before anything is sent.</summary>
    public static Option<int?> PositiveInt(string name, string description)
    {
        var option = new Option<int?>(name) { Description = description, HelpName = "N" };
        option.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int?>() is < 1) result.AddError($"{name} must be 1 or more.");
        });
        return option;
    }
}
