using Press.Core.Jobs;
using Press.Core.Ports;
using Press.Core.Sites;
using Press.Infrastructure.Bench;

namespace Press.Infrastructure.Runtime.Docker;

/// <summary>
/// The Docker driver: one runner container per site (<see cref="RunnerContainer"/>), bench commands by docker exec,
/// the site's files in its own volume (kept on soft delete, removed on purge).
/// </summary>
public sealed class DockerSiteRuntime(DockerEngine docker, DockerRuntimeOptions options, RuntimeLimits limits,
    RuntimeEndpoints endpoints, FrappePing ping) : ISiteRuntime
{
    private const string InstalledMarker = ".press-installed";

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

        var command = BenchCommands.NewSite(site.Name, secrets.AdminPassword, site.Apps);
        BenchCommands.EnsureAllowed(command);
        var result = await docker.ExecAsync(name, command.Argv, options.BenchUser, options.BenchFolder, options.CommandTimeout, ct);
        if (result.ExitCode != 0)
            throw new StepFailedException(FailureKind.Permanent, $"{command.Display} exited {result.ExitCode}: {result.Output}");
        await docker.ExecAsync(name, ["touch", $"{folder}/{InstalledMarker}"], options.BenchUser, options.BenchFolder, TimeSpan.FromSeconds(30), ct);
        return RuntimeOutcome.Done($"{command.Display}: {LastLine(result.Output)}");
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

    // Backup/restore file handling: implemented by the runtime-files work in progress.
    public Task<RuntimeOutcome> ExportFilesAsync(Site site, Stream destination, CancellationToken ct) => throw new NotImplementedException();
    public Task<RuntimeOutcome> StageFilesAsync(Site site, string restoreId, Stream tar, CancellationToken ct) => throw new NotImplementedException();
    public Task<RuntimeOutcome> SwapFilesAsync(Site site, string restoreId, CancellationToken ct) => throw new NotImplementedException();
    public Task<RuntimeOutcome> UnswapFilesAsync(Site site, string restoreId, CancellationToken ct) => throw new NotImplementedException();
    public Task<RuntimeOutcome> DiscardRestoreFilesAsync(Site site, string restoreId, CancellationToken ct) => throw new NotImplementedException();
    public Task<RuntimeOutcome> MigrateAsync(Site site, CancellationToken ct) => throw new NotImplementedException();
    public Task<RuntimeOutcome> SetMaintenanceAsync(Site site, bool on, CancellationToken ct) => throw new NotImplementedException();
}
