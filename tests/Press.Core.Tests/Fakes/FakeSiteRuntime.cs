using Press.Core.Ports;
using Press.Core.Sites;

namespace Press.Core.Tests.Fakes;

public sealed class FakeSiteRuntime(RuntimeOutcome outcome) : ISiteRuntime
{
    /// <summary>The operation ("config", "start", "install", "probe", "stop", "remove-runner", "remove-files", "remove-redis") and the site, in call order.</summary>
    public List<string> Calls { get; } = [];

    /// <summary>The secrets passed to WriteConfig and Install.</summary>
    public List<SiteSecrets> Secrets { get; } = [];

    /// <summary>What ProbeAsync answers, in order; the last one repeats.</summary>
    public Queue<HealthProbe> Probes { get; } = new();

    public string Driver { get; init; } = "fake";

    /// <summary>What the usage measures answer (docs/architecture.md §15); unset: the interface's "not measured".</summary>
    public Func<Site, Core.Usage.RunnerUsage>? Runner { get; set; }
    public Func<Site, Core.Usage.FilesUsage>? Files { get; set; }

    public Task<Core.Usage.RunnerUsage> MeasureRunnerAsync(Site site, CancellationToken ct) =>
        Task.FromResult(Runner?.Invoke(site) ?? Core.Usage.RunnerUsage.Unmeasured("the fake runtime runs no runner"));

    public Task<Core.Usage.FilesUsage> MeasureFilesAsync(Site site, CancellationToken ct) =>
        Task.FromResult(Files?.Invoke(site) ?? Core.Usage.FilesUsage.Unmeasured("the fake runtime keeps no site files"));

    public Task<RuntimeOutcome> WriteConfigAsync(Site site, SiteSecrets secrets, CancellationToken ct)
    {
        Secrets.Add(secrets);
        return Record("config", site);
    }

    public Task<RuntimeOutcome> StartAsync(Site site, CancellationToken ct) => Record("start", site);

    /// <summary>What ReadOwnConfigAsync answers (the site's own site_config keys as JSON; null: no file).</summary>
    public string? OwnConfig { get; set; }

    /// <summary>What AppVersionsAsync answers (bench version).</summary>
    public Dictionary<string, string> Versions { get; } = [];

    public Task<string?> ReadOwnConfigAsync(Site site, CancellationToken ct)
    {
        Calls.Add($"read-config {site.Name}");
        return Task.FromResult(OwnConfig);
    }

    /// <summary>What RunnerImageAsync answers.</summary>
    public RunnerImage? Image { get; set; }

    public Task<RunnerImage?> RunnerImageAsync(Site site, CancellationToken ct)
    {
        Calls.Add($"image {site.Name}");
        return Task.FromResult(Image);
    }

    public Task<IReadOnlyDictionary<string, string>> AppVersionsAsync(Site site, CancellationToken ct)
    {
        Calls.Add($"versions {site.Name}");
        return Task.FromResult<IReadOnlyDictionary<string, string>>(Versions);
    }

    public Task<RuntimeOutcome> InstallAsync(Site site, SiteSecrets secrets, CancellationToken ct)
    {
        Secrets.Add(secrets);
        return Record("install", site);
    }

    public Task<HealthProbe> ProbeAsync(Site site, CancellationToken ct)
    {
        Calls.Add($"probe {site.Name}");
        var probe = Probes.Count > 1 ? Probes.Dequeue() : Probes.Count == 1 ? Probes.Peek() : new HealthProbe(outcome.Applied, outcome.Applied, outcome.Message);
        return Task.FromResult(probe);
    }

    public Task<RuntimeOutcome> StopAsync(Site site, CancellationToken ct) => Record("stop", site);

    public Task<RuntimeOutcome> RemoveRedisAsync(Site site, CancellationToken ct) => Record("remove-redis", site);
    public Task<RuntimeOutcome> RemoveRunnerAsync(Site site, CancellationToken ct) => Record("remove-runner", site);
    public Task<RuntimeOutcome> RemoveFilesAsync(Site site, CancellationToken ct) =>
        RemoveFilesFailure is { } failure ? throw failure : Record("remove-files", site);
    /// <summary>The runner's log, as LogsAsync tails it; <see cref="LogsFailure"/> makes reading it throw.</summary>
    public List<string> LogLines { get; } = [];
    public Exception? LogsFailure { get; set; }

    public Task<IReadOnlyList<string>> LogsAsync(Site site, int tail, CancellationToken ct)
    {
        Calls.Add($"logs {site.Name} {tail}");
        return LogsFailure is { } failure ? Task.FromException<IReadOnlyList<string>>(failure)
            : Task.FromResult<IReadOnlyList<string>>(LogLines.TakeLast(tail).ToList());
    }

    public RuntimeStatus Describe(Site site) => new(Driver, outcome.Applied, outcome.Applied ? null : outcome.Message);

    public Task<RuntimeOutcome> ExportFilesAsync(Site site, Stream destination, CancellationToken ct) => Record("export-files", site);
    public Task<RuntimeOutcome> StageFilesAsync(Site site, string restoreId, Stream tar, CancellationToken ct) => Record("stage-files", site);
    public Task<RuntimeOutcome> SwapFilesAsync(Site site, string restoreId, CancellationToken ct) => Record("swap-files", site);
    public Task<RuntimeOutcome> UnswapFilesAsync(Site site, string restoreId, CancellationToken ct) => Record("unswap-files", site);
    public Task<RuntimeOutcome> DiscardRestoreFilesAsync(Site site, string restoreId, CancellationToken ct) => Record("discard-files", site);
    /// <summary>Runs inside MigrateAsync (a test advances its clock there, as a migration takes time).</summary>
    public Action? DuringMigrate { get; set; }

    /// <summary>Thrown by MigrateAsync (as a runtime's bench exiting non-zero), when set.</summary>
    public Exception? MigrateFailure { get; set; }

    /// <summary>Thrown by RemoveFilesAsync (an engine that does not answer), when set.</summary>
    public Exception? RemoveFilesFailure { get; set; }

    public Task<RuntimeOutcome> MigrateAsync(Site site, CancellationToken ct)
    {
        DuringMigrate?.Invoke();
        return MigrateFailure is { } failure ? throw failure : Record("migrate", site);
    }
    public Task<RuntimeOutcome> InstallAppAsync(Site site, string app, CancellationToken ct) => Record($"install-app {app}", site);

    /// <summary>Thrown by UninstallAppAsync (as a runtime's bench exiting non-zero), when set.</summary>
    public Exception? UninstallFailure { get; set; }

    public Task<RuntimeOutcome> UninstallAppAsync(Site site, string app, CancellationToken ct) =>
        UninstallFailure is { } failure ? throw failure : Record($"uninstall-app {app}", site);
    public Task<string?> SocketIoSocketAsync(string siteName, CancellationToken ct) => Task.FromResult<string?>(null);
    public Task<RuntimeOutcome> EnableSchedulerAsync(Site site, CancellationToken ct) => Record("enable-scheduler", site);
    public Task<RuntimeOutcome> SetMaintenanceAsync(Site site, bool on, CancellationToken ct) => Record(on ? "maintenance-on" : "maintenance-off", site);

    private Task<RuntimeOutcome> Record(string what, Site site)
    {
        Calls.Add($"{what} {site.Name}");
        return Task.FromResult(outcome);
    }
}
