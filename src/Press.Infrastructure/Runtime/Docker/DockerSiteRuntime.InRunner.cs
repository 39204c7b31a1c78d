using Press.Core.Jobs;
using Press.Core.Ports;
using Press.Core.Sites;
using Press.Core.Sso;
using Press.Infrastructure.Bench;
using Press.Infrastructure.Runtime.Background;

namespace Press.Infrastructure.Runtime.Docker;

// Backups and restores (files through the engine) and the bench commands run inside the running runner: the part of
// the Docker driver that acts on a site that is already served (docs/architecture.md §6, §9).
public sealed partial class DockerSiteRuntime
{
    public async Task<RuntimeOutcome> ExportFilesAsync(Site site, Stream destination, CancellationToken ct) =>
        RuntimeOutcome.Done(await _files.ExportAsync(site, destination, ct));

    public async Task<RuntimeOutcome> StageFilesAsync(Site site, string restoreId, Stream tar, CancellationToken ct) =>
        RuntimeOutcome.Done(await _files.StageAsync(site, restoreId, tar, ct));

    public async Task<RuntimeOutcome> SwapFilesAsync(Site site, string restoreId, CancellationToken ct) =>
        RuntimeOutcome.Done(await _files.SwapAsync(site, restoreId, ct));

    public async Task<RuntimeOutcome> UnswapFilesAsync(Site site, string restoreId, CancellationToken ct) =>
        RuntimeOutcome.Done(await _files.UnswapAsync(site, restoreId, ct));

    public async Task<RuntimeOutcome> DiscardRestoreFilesAsync(Site site, string restoreId, CancellationToken ct) =>
        RuntimeOutcome.Done(await _files.DiscardAsync(site, restoreId, ct));

    /// <summary>
    /// Runs in the runner, so it needs the runner running: a stopped or missing one fails Permanently (a restore that
    /// skipped its migrate would serve a database its code does not match). Resume the site, then retry the step.
    /// </summary>
    public async Task<RuntimeOutcome> MigrateAsync(Site site, CancellationToken ct)
    {
        var command = BenchCommands.Migrate(site.Name);
        if (await NotRunningAsync(site, ct) is { } why)
            throw new StepFailedException(FailureKind.Permanent, $"{command.Display} runs inside the site's runner, and {why}: resume the site, then retry");
        return RuntimeOutcome.Done(await RunBenchAsync(site, command, ct, wholeOutput: true));
    }

    /// <summary>In the running runner, as migrate (docs/architecture.md §19).</summary>
    public Task<RuntimeOutcome> InstallAppAsync(Site site, string app, CancellationToken ct) =>
        RunInRunnerAsync(site, BenchCommands.InstallApps(site.Name, [app]), ct);

    public Task<RuntimeOutcome> UninstallAppAsync(Site site, string app, CancellationToken ct) =>
        RunInRunnerAsync(site, BenchCommands.UninstallApp(site.Name, app), ct);

    private async Task<RuntimeOutcome> RunInRunnerAsync(Site site, BenchCommand command, CancellationToken ct)
    {
        if (await NotRunningAsync(site, ct) is { } why)
            throw new StepFailedException(FailureKind.Permanent, $"{command.Display} runs inside the site's runner, and {why}: resume the site, then retry");
        return RuntimeOutcome.Done(await RunBenchAsync(site, command, ct));
    }

    /// <summary>
    /// NotApplicable when the runner is not running: a stopped runner serves no request, so there is nothing for
    /// maintenance mode to hold back, and site_config.json is left as it is. Then gunicorn gets a HUP: Frappe's web
    /// workers keep site_config in memory for 60 s (frappe/config.py, <c>site_cache(ttl=60)</c>; docs/frappe.md §7), so
    /// without it a runner would go on answering as before — an upgraded site 503 for up to a minute after maintenance
    /// ended. On HUP gunicorn starts new workers and lets the old ones finish their requests (the graceful reload Frappe
    /// Cloud uses: <c>supervisorctl signal SIGHUP frappe-bench-web:</c>); the new workers read site_config afresh.
    /// </summary>
    public async Task<RuntimeOutcome> SetMaintenanceAsync(Site site, bool on, CancellationToken ct)
    {
        var command = BenchCommands.SetMaintenanceMode(site.Name, on);
        if (await NotRunningAsync(site, ct) is { } why)
            return RuntimeOutcome.NotApplicable($"{why}: the site serves no requests, so maintenance mode is not changed ({command.Display} not run)");
        var set = await RunBenchAsync(site, command, ct);
        await docker.SignalAsync(RunnerContainer.Name(site), "HUP", ct);
        return RuntimeOutcome.Done($"{set}; web workers reloaded (HUP) to read it");
    }

    /// <summary>
    /// Inserts or updates the site's Social Login Key (docs/frappe.md §5) in the running runner. The doc, secret
    /// included, goes into a file in the site folder (through a helper on the site's volume, readable by the bench user
    /// only), bench reads it from there, and the file is removed whatever happened.
    /// </summary>
    public async Task<RuntimeOutcome> ConfigureSocialLoginAsync(Site site, SocialLogin login, CancellationToken ct)
    {
        var name = RunnerContainer.Name(site);
        var folder = RunnerContainer.SiteFolder(options, site);
        var file = $"{folder}/{SocialLoginKey.FileName}";
        if (await NotRunningAsync(site, ct) is { } why)
            throw new StepFailedException(FailureKind.Permanent, $"the Social Login Key is written inside the site's runner, and {why}: resume the site, then retry");
        var exists = await docker.ExecAsync(name, BenchCommands.DocExists(site.Name, SocialLoginKey.Doctype, SiteSsoClient.ProviderKey).Argv,
            options.BenchUser, options.BenchFolder, options.CommandTimeout, ct);
        if (exists.ExitCode != 0) throw new StepFailedException(FailureKind.Permanent, $"bench execute frappe.db.exists exited {exists.ExitCode}: {exists.Output}");
        var update = exists.Output.Contains($"\"{SiteSsoClient.ProviderKey}\"", StringComparison.Ordinal);
        var helper = ContainerSiteFiles.HelperName(site.RuntimeKey);
        await docker.RemoveAsync(helper, ct);
        await docker.CreateAsync(ContainerSiteFiles.HelperSpec(site, (await limits.ForAsync(site, ct)).Image, options), ct);
        try
        {
            await docker.PutFileAsync(helper, folder, SocialLoginKey.FileName, SocialLoginKey.Serialize(login), options.BenchUid,
                UnixFileMode.UserRead | UnixFileMode.UserWrite, ct);
        }
        finally
        {
            await docker.RemoveAsync(helper, CancellationToken.None);
        }
        try
        {
            var command = update
                ? BenchCommands.UpdateDocFromFile(site.Name, SocialLoginKey.Doctype, SiteSsoClient.ProviderKey, file)
                : BenchCommands.InsertDocFromFile(site.Name, file);
            return RuntimeOutcome.Done(await RunBenchAsync(site, command, ct));
        }
        finally
        {
            await docker.ExecAsync(name, ["rm", "-f", file], options.BenchUser, options.BenchFolder, TimeSpan.FromSeconds(30), CancellationToken.None);
        }
    }

    /// <returns>null when the runner runs; otherwise why not.</returns>
    private async Task<string?> NotRunningAsync(Site site, CancellationToken ct)
    {
        var name = RunnerContainer.Name(site);
        var state = await docker.InspectAsync(name, ct);
        return state is null ? $"runner {name} does not exist" : state.State?.Running == true ? null : $"runner {name} is not running";
    }
}
