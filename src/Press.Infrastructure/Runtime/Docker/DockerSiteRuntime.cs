using Press.Core.Jobs;
using Press.Core.Ports;
using Press.Core.Sites;
using Press.Infrastructure.Bench;

namespace Press.Infrastructure.Runtime.Docker;

/// <summary>
/// The Docker driver: one runner container per site (<see cref="RunnerContainer"/>), bench commands by docker exec,
/// the site's files in its own volume (kept on soft delete, removed on purge; exported and restored by
/// <see cref="ContainerSiteFiles"/>, which works whether the runner runs or not).
/// </summary>
public sealed class DockerSiteRuntime(DockerEngine docker, DockerRuntimeOptions options, RuntimeLimits limits,
    RuntimeEndpoints endpoints, FrappePing ping) : ISiteRuntime
{
    private const string InstalledMarker = ".press-installed";

    private readonly ContainerSiteFiles _files = new(docker, options, limits);

    public string Driver => "docker";

    public async Task<RuntimeOutcome> WriteConfigAsync(Site site, SiteSecrets secrets, CancellationToken ct)
    {
        var created = await EnsureCreatedAsync(site, ct);
        var json = SiteConfig.Serialize(SiteConfig.Build(site, secrets.DatabasePassword, endpoints.DatabaseHost,
            endpoints.DatabasePort, endpoints.RedisHost, endpoints.RedisPort));
        // Readable by the bench user only: the file holds the site's database password.
        await docker.PutFileAsync(RunnerContainer.Name(site), RunnerContainer.SiteFolder(options, site), "site_config.json", json,
            options.BenchUid, UnixFileMode.UserRead | UnixFileMode.UserWrite, ct);
        return RuntimeOutcome.Done($"{created}; wrote {RunnerContainer.SiteFolder(options, site)}/site_config.json");
    }

    public async Task<RuntimeOutcome> StartAsync(Site site, CancellationToken ct)
    {
        var name = RunnerContainer.Name(site);
        var state = await docker.InspectAsync(name, ct);
        if (state?.State?.Running == true) return RuntimeOutcome.Done($"{name} already running");
        var created = state is null ? await EnsureCreatedAsync(site, ct) + "; " : "";
        await docker.StartAsync(name, ct);
        return RuntimeOutcome.Done($"{created}started {name} on 127.0.0.1:{Port(site)}");
    }

    public async Task<RuntimeOutcome> InstallAsync(Site site, SiteSecrets secrets, CancellationToken ct)
    {
        var name = RunnerContainer.Name(site);
        var folder = RunnerContainer.SiteFolder(options, site);
        var marker = await docker.ExecAsync(name, ["test", "-f", $"{folder}/{InstalledMarker}"], options.BenchUser, options.BenchFolder, TimeSpan.FromSeconds(30), ct);
        if (marker.ExitCode == 0) return RuntimeOutcome.Done("already installed");

        var done = await RunBenchAsync(site, BenchCommands.NewSite(site.Name, secrets.AdminPassword, site.Apps), ct);
        await docker.ExecAsync(name, ["touch", $"{folder}/{InstalledMarker}"], options.BenchUser, options.BenchFolder, TimeSpan.FromSeconds(30), ct);
        return RuntimeOutcome.Done(done);
    }

    /// <summary>One bench command in the runner as the bench user, with the command timeout; a non-zero exit is Permanent.</summary>
    private async Task<string> RunBenchAsync(Site site, BenchCommand command, CancellationToken ct)
    {
        BenchCommands.EnsureAllowed(command);
        var result = await docker.ExecAsync(RunnerContainer.Name(site), command.Argv, options.BenchUser, options.BenchFolder, options.CommandTimeout, ct);
        if (result.ExitCode != 0)
            throw new StepFailedException(FailureKind.Permanent, $"{command.Display} exited {result.ExitCode}: {result.Output}");
        return $"{command.Display}: {LastLine(result.Output)}";
    }

    public Task<HealthProbe> ProbeAsync(Site site, CancellationToken ct) =>
        site.RunnerPort is { } port ? ping.ProbeAsync(site.Name, port, ct)
            : throw new StepFailedException(FailureKind.Permanent, $"site {site.Name} has no runner port allocated");

    public async Task<RuntimeOutcome> StopAsync(Site site, CancellationToken ct)
    {
        var name = RunnerContainer.Name(site);
        var state = await docker.InspectAsync(name, ct);
        if (state is null) return RuntimeOutcome.Done($"{name} does not exist; nothing to stop");
        if (state.State?.Running != true) return RuntimeOutcome.Done($"{name} already stopped");
        await docker.StopAsync(name, ct);
        return RuntimeOutcome.Done($"stopped {name}");
    }

    public async Task<RuntimeOutcome> RemoveRunnerAsync(Site site, CancellationToken ct)
    {
        var name = RunnerContainer.Name(site);
        if (await docker.InspectAsync(name, ct) is null) return RuntimeOutcome.Done($"{name} already removed; volume {RunnerContainer.Volume(site)} kept");
        await docker.RemoveAsync(name, ct);
        return RuntimeOutcome.Done($"removed {name}; site files kept in volume {RunnerContainer.Volume(site)}");
    }

    public async Task<RuntimeOutcome> RemoveFilesAsync(Site site, CancellationToken ct)
    {
        await docker.RemoveAsync(RunnerContainer.Name(site), ct);
        var removed = await docker.RemoveVolumeAsync(RunnerContainer.Volume(site), ct);
        return RuntimeOutcome.Done(removed ? $"removed volume {RunnerContainer.Volume(site)}" : $"volume {RunnerContainer.Volume(site)} already gone");
    }

    public Task<IReadOnlyList<string>> LogsAsync(Site site, int tail, CancellationToken ct) =>
        docker.LogsAsync(RunnerContainer.Name(site), tail, ct);

    public RuntimeStatus Describe(Site site) => site.RunnerPort is { } port
        ? new RuntimeStatus(Driver, true, $"container {RunnerContainer.Name(site)} on 127.0.0.1:{port}")
        : new RuntimeStatus(Driver, false, "no runner yet");

    /// <summary>Creates the runner from its spec when missing (not started), returning what it did.</summary>
    internal async Task<string> EnsureCreatedAsync(Site site, CancellationToken ct)
    {
        var name = RunnerContainer.Name(site);
        if (await docker.InspectAsync(name, ct) is not null) return $"{name} exists";
        await docker.CreateAsync(RunnerContainer.Build(site, Port(site), await limits.ForAsync(site, ct), options), ct);
        return $"created {name}";
    }

    private static int Port(Site site) =>
        site.RunnerPort ?? throw new StepFailedException(FailureKind.Permanent, $"site {site.Name} has no runner port allocated");

    private static string LastLine(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault()?.Trim() ?? "done";

    // ---- backups and restores: files through the engine (ContainerSiteFiles); bench inside the running runner ----

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
        return RuntimeOutcome.Done(await RunBenchAsync(site, command, ct));
    }

    /// <summary>
    /// NotApplicable when the runner is not running: a stopped runner serves no request, so there is nothing for
    /// maintenance mode to hold back, and site_config.json is left as it is.
    /// </summary>
    public async Task<RuntimeOutcome> SetMaintenanceAsync(Site site, bool on, CancellationToken ct)
    {
        var command = BenchCommands.SetMaintenanceMode(site.Name, on);
        if (await NotRunningAsync(site, ct) is { } why)
            return RuntimeOutcome.NotApplicable($"{why}: the site serves no requests, so maintenance mode is not changed ({command.Display} not run)");
        return RuntimeOutcome.Done(await RunBenchAsync(site, command, ct));
    }

    /// <returns>null when the runner runs; otherwise why not.</returns>
    private async Task<string?> NotRunningAsync(Site site, CancellationToken ct)
    {
        var name = RunnerContainer.Name(site);
        var state = await docker.InspectAsync(name, ct);
        return state is null ? $"runner {name} does not exist" : state.State?.Running == true ? null : $"runner {name} is not running";
    }
}
