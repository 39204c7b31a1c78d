using System.CommandLine;

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
