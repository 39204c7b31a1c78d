using System.CommandLine;
using Press.Cli.Api;
using Press.Cli.Output;

namespace Press.Cli.Commands;

/// <summary><c>press site ...</c>: create, inspect and move sites through their lifecycle.</summary>
public static class SiteCommands
{
    // Lifecycle verbs differ only in endpoint and wording, so they are generated from this table.
    private static readonly (string Name, SiteAction Action, string Verb, string Description)[] Lifecycle =
    [
        ("suspend", SiteAction.Suspend, "Suspending", "Suspend a site (queues a SuspendSite job)"),
        ("resume", SiteAction.Resume, "Resuming", "Resume a suspended site (queues a ResumeSite job)"),
        ("delete", SiteAction.Delete, "Deleting", "Delete a site; it can be undeleted until it is purged"),
        ("undelete", SiteAction.Undelete, "Undeleting", "Bring back a deleted site that was not purged yet"),
        ("purge", SiteAction.Purge, "Purging", "Irreversibly remove a deleted site's data"),
    ];

    public static Command Build(GlobalOptions globals)
    {
        var site = new Command("site", "Create, list and manage sites");
        site.Subcommands.Add(Create(globals));
        site.Subcommands.Add(List(globals));
        site.Subcommands.Add(Show(globals));
        foreach (var (name, action, verb, description) in Lifecycle)
            site.Subcommands.Add(LifecycleCommand(globals, name, action, verb, description));
        site.Subcommands.Add(Restore(globals));
        site.Subcommands.Add(RollbackRestore(globals));
        site.Subcommands.Add(Upgrade(globals));
        site.Subcommands.Add(Move(globals));
        site.Subcommands.Add(RehearsalCommands.Rehearse(globals));
        site.Subcommands.Add(RehearsalCommands.List(globals));
        site.Subcommands.Add(Logs(globals));
        site.Subcommands.Add(AdminPasswordCommand(globals));
        var sso = new Command("sso", "Single sign-on for a site through Press's issuer (docs/architecture.md §7)");
        sso.Subcommands.Add(LifecycleCommand(globals, "enable", SiteAction.Sso, "Enabling single sign-on for",
            "Give an active site its own OIDC client and Frappe Social Login Key (queues an EnableSso job)"));
        site.Subcommands.Add(sso);
        site.Subcommands.Add(SiteUsageCommands.Usage(globals));
        site.Subcommands.Add(SiteUsageCommands.Limits(globals));
        site.Subcommands.Add(AppCommands(globals));
        return site;
    }

    private static Command Create(GlobalOptions globals)
    {
        var name = CommonOptions.SiteName();
        var apps = new Option<string[]>("--app")
        {
            Description = "App to install besides frappe; repeat for several (--app erpnext --app hrms)",
            HelpName = "APP",
        };
        var fromBackup = new Option<Guid?>("--from-backup")
        {
            Description = "Create the site from this good backup: its data and the apps it recorded",
            HelpName = "ID",
            CustomParser = result => CommonOptions.ParseUuid(result, "--from-backup"),
        };
        var wait = CommonOptions.Wait();
        var command = new Command("create", "Create a site (queues a NewSite job), empty or from a backup") { name, apps, fromBackup, wait };
        command.RunsWith(globals, async (ctx, parse, ct) =>
        {
            var siteName = parse.GetRequiredValue(name);
            var backup = parse.GetValue(fromBackup);
            // From a backup, apps are only sent when given (the server refuses them: the backup's apps are used).
            IReadOnlyList<string>? appList = parse.GetValue(apps) is { Length: > 0 } given ? given : backup is null ? [] : null;
            var accepted = await ctx.Client.CreateSiteAsync(siteName, appList, backup, ct);
            return await JobCompletion.AcceptedAsync(ctx, accepted, "Creating", parse.GetValue(wait), ct);
        });
        return command;
    }

    /// <summary><c>press site app install|uninstall NAME APP</c> (docs/architecture.md §19).</summary>
    private static Command AppCommands(GlobalOptions globals)
    {
        var app = new Command("app", "Install or uninstall an app on an active site (a backup is taken first)");
        app.Subcommands.Add(AppCommand(globals, "install", "Installing an app on",
            "Install an app of the site's bench (queues an InstallApp job: backup, bench install-app)", (c, n, a, ct) => c.InstallAppAsync(n, a, ct)));
        app.Subcommands.Add(AppCommand(globals, "uninstall", "Uninstalling an app from",
            "Uninstall an app and drop its data (admin; queues an UninstallApp job: backup, bench uninstall-app)", (c, n, a, ct) => c.UninstallAppAsync(n, a, ct)));
        return app;
    }

    private static Command AppCommand(GlobalOptions globals, string verb, string doing, string description,
        Func<PressClient, string, string, CancellationToken, Task<ApiResult<Job>>> send)
    {
        var name = CommonOptions.SiteName();
        var appName = new Argument<string>("APP") { Description = "The app's Python package name, e.g. erpnext" };
        var wait = CommonOptions.Wait();
        var command = new Command(verb, description) { name, appName, wait };
        command.RunsWith(globals, async (ctx, parse, ct) =>
        {
            var accepted = await send(ctx.Client, parse.GetRequiredValue(name), parse.GetRequiredValue(appName), ct);
            return await JobCompletion.AcceptedAsync(ctx, accepted, doing, parse.GetValue(wait), ct);
        });
        return command;
    }

    private static Command Restore(GlobalOptions globals)
    {
        var name = CommonOptions.SiteName();
        var backup = CommonOptions.BackupOption("--backup", "The backup to restore (see `press backup list NAME`)");
        var wait = CommonOptions.Wait();
        var command = new Command("restore",
            "Replace the site's database and files with those of a backup (queues a restore job)")
        {
            name, backup, wait,
        };
        command.RunsWith(globals, async (ctx, parse, ct) =>
        {
            var accepted = await ctx.Client.RestoreSiteAsync(parse.GetRequiredValue(name), parse.GetValue(backup), ct);
            return await JobCompletion.AcceptedAsync(ctx, accepted, "Restoring", parse.GetValue(wait), ct);
        });
        return command;
    }

    private static Command Upgrade(GlobalOptions globals)
    {
        var name = CommonOptions.SiteName();
        var image = new Option<string>("--image")
        {
            Description = "The runner image to put the site on, e.g. ghcr.io/acme/erpnext:v16.1.0", HelpName = "IMAGE", Required = true,
        };
        var wait = CommonOptions.Wait();
        var command = new Command("upgrade",
            "Put an active site on another runner image: backup, maintenance, bench migrate, health; a failure puts it back as it was (queues an UpgradeSite job)")
        {
            name, image, wait,
        };
        command.RunsWith(globals, async (ctx, parse, ct) =>
        {
            var accepted = await ctx.Client.UpgradeSiteAsync(parse.GetRequiredValue(name), parse.GetRequiredValue(image), ct);
            return await JobCompletion.AcceptedAsync(ctx, accepted, "Upgrading", parse.GetValue(wait), ct);
        });
        return command;
    }

    private static Command Move(GlobalOptions globals)
    {
        var name = CommonOptions.SiteName();
        var database = new Option<string>("--database")
        {
            Description = "The site database to move the site to, one Press made (e.g. press_sites_002)", HelpName = "DATABASE", Required = true,
        };
        var wait = CommonOptions.Wait();
        var command = new Command("move",
            "Move an active site to another site database: backup, restore there, a short maintenance window for the switch; a failure puts it back as it was (queues a MoveSite job; admin)")
        {
            name, database, wait,
        };
        command.RunsWith(globals, async (ctx, parse, ct) =>
        {
            var accepted = await ctx.Client.MoveSiteAsync(parse.GetRequiredValue(name), parse.GetRequiredValue(database), ct);
            return await JobCompletion.AcceptedAsync(ctx, accepted, "Moving", parse.GetValue(wait), ct);
        });
        return command;
    }

    private static Command RollbackRestore(GlobalOptions globals)
    {
        var name = CommonOptions.SiteName();
        var wait = CommonOptions.Wait();
        var command = new Command("rollback-restore", "Undo the site's most recent restore (queues a job)") { name, wait };
        command.RunsWith(globals, async (ctx, parse, ct) =>
        {
            var accepted = await ctx.Client.RollbackRestoreAsync(parse.GetRequiredValue(name), ct);
            return await JobCompletion.AcceptedAsync(ctx, accepted, "Rolling back the restore of", parse.GetValue(wait), ct);
        });
        return command;
    }

    private static Command Logs(GlobalOptions globals)
    {
        var name = CommonOptions.SiteName();
        var tail = CommonOptions.PositiveInt("--tail", "How many of the most recent lines (default 200)");
        var command = new Command("logs", "Show the site runner's recent log lines") { name, tail };
        command.RunsWith(globals, async (ctx, parse, ct) =>
        {
            var result = await ctx.Client.SiteLogsAsync(parse.GetRequiredValue(name), parse.GetValue(tail) ?? 200, ct);
            if (ctx.Json) ctx.WriteRaw(result.Raw);
            else foreach (var line in result.Value.Lines) ctx.Out.WriteLine(line);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command AdminPasswordCommand(GlobalOptions globals)
    {
        var name = CommonOptions.SiteName();
        var command = new Command("admin-password", "Show the site's Frappe Administrator password (admin; shown only once)") { name };
        command.RunsWith(globals, async (ctx, parse, ct) =>
        {
            var result = await ctx.Client.TakeAdminPasswordAsync(parse.GetRequiredValue(name), ct);
            if (ctx.Json) ctx.WriteRaw(result.Raw);
            else ctx.Out.WriteLine($"{result.Value.UserName}: {result.Value.Password}   (shown once: store it now)");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command List(GlobalOptions globals)
    {
        var state = new Option<string?>("--state") { Description = "Only sites in this state", HelpName = "STATE" };
        state.AcceptOnlyFromAmong(SiteStates.All);
        var page = CommonOptions.PositiveInt("--page", "Page number, starting at 1");
        var pageSize = CommonOptions.PositiveInt("--page-size", "Sites per page (server default if omitted)");
        var command = new Command("list", "List sites as a table") { state, page, pageSize };
        command.RunsWith(globals, async (ctx, parse, ct) =>
        {
            var result = await ctx.Client.ListSitesAsync(parse.GetValue(state), parse.GetValue(page), parse.GetValue(pageSize), ct);
            if (ctx.Json) ctx.WriteRaw(result.Raw);
            else SiteView.WriteList(ctx.Out, result.Value);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Show(GlobalOptions globals)
    {
        var name = CommonOptions.SiteName();
        var command = new Command("show", "Show one site") { name };
        command.RunsWith(globals, async (ctx, parse, ct) =>
        {
            var result = await ctx.Client.GetSiteAsync(parse.GetRequiredValue(name), ct);
            if (ctx.Json) ctx.WriteRaw(result.Raw);
            else SiteView.WriteDetails(ctx.Out, result.Value);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command LifecycleCommand(
        GlobalOptions globals, string commandName, SiteAction action, string verb, string description)
    {
        var name = CommonOptions.SiteName();
        var wait = CommonOptions.Wait();
        var command = new Command(commandName, description) { name, wait };
        command.RunsWith(globals, async (ctx, parse, ct) =>
        {
            var accepted = await ctx.Client.SiteActionAsync(parse.GetRequiredValue(name), action, ct);
            return await JobCompletion.AcceptedAsync(ctx, accepted, verb, parse.GetValue(wait), ct);
        });
        return command;
    }
}
