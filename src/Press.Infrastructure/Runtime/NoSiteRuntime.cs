using Press.Core.Ports;
using Press.Core.Sites;

namespace Press.Infrastructure.Runtime;

/// <summary>
/// The "none" driver: no engine to serve Frappe. Runtime steps are Skipped with this reason, the database side is
/// complete and usable, and the site is shown as not served. Never a silent success, never a fake Frappe.
/// </summary>
public sealed class NoSiteRuntime : ISiteRuntime
{
    public const string Reason = "no site runtime is configured (Press:Runtime:Driver=none): the database side is ready but Frappe is not served";

    private static readonly Task<RuntimeOutcome> Skipped = Task.FromResult(RuntimeOutcome.NotApplicable(Reason));

    public string Driver => "none";
    public Task<RuntimeOutcome> WriteConfigAsync(Site site, SiteSecrets secrets, CancellationToken ct) => Skipped;
    public Task<RuntimeOutcome> StartAsync(Site site, CancellationToken ct) => Skipped;
    public Task<RuntimeOutcome> InstallAsync(Site site, SiteSecrets secrets, CancellationToken ct) => Skipped;
    public Task<string?> ReadOwnConfigAsync(Site site, CancellationToken ct) => Task.FromResult<string?>(null);
    public Task<IReadOnlyDictionary<string, string>> AppVersionsAsync(Site site, CancellationToken ct) =>
        Task.FromResult<IReadOnlyDictionary<string, string>>(new Dictionary<string, string>());
    public Task<RunnerImage?> RunnerImageAsync(Site site, CancellationToken ct) => Task.FromResult<RunnerImage?>(null);
    public Task<HealthProbe> ProbeAsync(Site site, CancellationToken ct) => Task.FromResult(new HealthProbe(false, false, Reason));
    public Task<RuntimeOutcome> StopAsync(Site site, CancellationToken ct) => Skipped;
    public Task<RuntimeOutcome> RemoveRunnerAsync(Site site, CancellationToken ct) => Skipped;
    public Task<RuntimeOutcome> RemoveFilesAsync(Site site, CancellationToken ct) => Skipped;
    public Task<RuntimeOutcome> RemoveRedisAsync(Site site, CancellationToken ct) => Skipped;
    public Task<IReadOnlyList<string>> LogsAsync(Site site, int tail, CancellationToken ct) => Task.FromResult<IReadOnlyList<string>>([]);
    public RuntimeStatus Describe(Site site) => new(Driver, false, "not served: " + Reason);
    public Task<RuntimeOutcome> ExportFilesAsync(Site site, Stream destination, CancellationToken ct) => Skipped;
    public Task<RuntimeOutcome> StageFilesAsync(Site site, string restoreId, Stream tar, CancellationToken ct) => Skipped;
    public Task<RuntimeOutcome> SwapFilesAsync(Site site, string restoreId, CancellationToken ct) => Skipped;
    public Task<RuntimeOutcome> UnswapFilesAsync(Site site, string restoreId, CancellationToken ct) => Skipped;
    public Task<RuntimeOutcome> DiscardRestoreFilesAsync(Site site, string restoreId, CancellationToken ct) => Skipped;
    public Task<RuntimeOutcome> MigrateAsync(Site site, CancellationToken ct) => Skipped;
    public Task<RuntimeOutcome> EnableSchedulerAsync(Site site, CancellationToken ct) => Skipped;
    public Task<string?> SocketIoSocketAsync(string siteName, CancellationToken ct) => Task.FromResult<string?>(null);
    public Task<RuntimeOutcome> SetMaintenanceAsync(Site site, bool on, CancellationToken ct) => Skipped;
}

/// <summary><c>Press:Runtime</c>.</summary>
public sealed class RuntimeOptions
{
    public const string Section = "Press:Runtime";
    /// <summary>"docker", "process" or "none".</summary>
    public string Driver { get; set; } = "none";

    /// <summary>Postgres as runners reach it; null = the address Press itself uses.</summary>
    public string? DatabaseHost { get; set; }
    public int? DatabasePort { get; set; }

    /// <summary><c>Press:Runtime:Process</c>: the process driver.</summary>
    public ProcessRuntimeOptions Process { get; set; } = new();
}

public sealed class ProcessRuntimeOptions
{
    /// <summary>A bench folder on this host (holds <c>sites/</c>); required for the process driver.</summary>
    public string? BenchFolder { get; set; }

    /// <summary>The bench executable; "bench" from PATH by default.</summary>
    public string BenchExecutable { get; set; } = "bench";

    /// <summary>Node, for each site's socket.io (<c>node apps/frappe/socketio.js</c>); "node" from PATH by default.</summary>
    public string NodeExecutable { get; set; } = "node";

    /// <summary>How long one bench command may run (new-site with ERPNext takes minutes).</summary>
    public TimeSpan CommandTimeout { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>redis-server for each site's own Redis; "redis-server" from PATH by default.</summary>
    public string RedisServer { get; set; } = "redis-server";

    /// <summary>Where each site's Redis keeps its socket and data (one folder per site id); default
    /// <c>BENCH/.press-redis</c>. Keep it short: unix socket paths are limited to 107 bytes.</summary>
    public string? RedisFolder { get; set; }

    /// <summary>Each site's Redis memory cap.</summary>
    public int RedisMemoryMb { get; set; } = 256;
}
