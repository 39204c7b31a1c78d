using System.CommandLine;

namespace Press.Cli.Commands;

/// <summary>Assembles the command tree; each concept owns its own file.</summary>
public static class CliApp
{
    public static RootCommand Build()
    {
        var globals = new GlobalOptions();
        var root = new RootCommand("press: manage Frappe sites through the Press REST API");
        globals.AddTo(root);
        root.Subcommands.Add(LoginCommand.Build(globals));
        root.Subcommands.Add(SiteCommands.Build(globals));
        root.Subcommands.Add(JobCommands.Build(globals));
        root.Subcommands.Add(BackupCommands.Build(globals));
        root.Subcommands.Add(TokenCommands.Build(globals));
        root.Subcommands.Add(UserCommands.Build(globals));
        root.Subcommands.Add(UserCommands.BuildSessions(globals));
        root.Subcommands.Add(AuditCommands.Build(globals));
        root.Subcommands.Add(DoctorCommand.Build(globals));
        root.Subcommands.Add(StandbyCommands.Build(globals));
        root.Subcommands.Add(UpgradeCommands.Build(globals));
        return root;
    }
}
