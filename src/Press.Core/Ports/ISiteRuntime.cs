using Press.Core.Sites;

namespace Press.Core.Ports;

/// <summary>
/// What serves a site's Frappe (docs/architecture.md §9): Docker, a local bench process, or none. Every operation is
/// idempotent; one that has nothing to do for this driver returns <c>Applied = false</c> and the step is Skipped
/// with the message — never a silent success.
/// </summary>
public interface ISiteRuntime
{
    /// <summary>"docker", "process" or "none".</summary>
    string Driver { get; }

    /// <summary>
    /// Writes the site's site_config.json where bench will read it: Press's keys (database, Redis, host_name) merged
    /// into the site's own keys — those of the file already there, else <see cref="SiteSecrets.KeptConfig"/> — never
    /// replacing them (docs/frappe.md §7).
    /// </summary>
    Task<RuntimeOutcome> WriteConfigAsync(Site site, SiteSecrets secrets, CancellationToken ct);

    /// <summary>
    /// The site's own keys of its site_config.json (everything but the keys Press sets, so no database password), as
    /// a JSON object's text; null when the site has no site_config.json or the driver keeps none. Works whether the
    /// runner runs or not.
    /// </summary>
    Task<string?> ReadOwnConfigAsync(Site site, CancellationToken ct);

    /// <summary>The apps of the site's bench and their versions, as <c>bench version</c> prints them; empty when the
    /// driver runs no bench.</summary>
    Task<IReadOnlyDictionary<string, string>> AppVersionsAsync(Site site, CancellationToken ct);

    /// <summary>What the site's runner runs now (docs/architecture.md §18): Docker's image reference and ID of its
    /// container, the process driver's bench path and version; null when the driver runs none.</summary>
    Task<RunnerImage?> RunnerImageAsync(Site site, CancellationToken ct);

    /// <summary>Starts (creating if needed) the site's own Redis and its runner on its port. A runner or background
    /// container made from another image than the site's (<see cref="Site.Image"/>, else the default) is replaced by
    /// one made from it: that is how an upgrade puts a site on a new image.</summary>
    Task<RuntimeOutcome> StartAsync(Site site, CancellationToken ct);

    /// <summary>Installs Frappe and the site's apps into its schema (bench new-site --no-setup-db); the Administrator
    /// password goes to bench on stdin, never in argv.</summary>
    Task<RuntimeOutcome> InstallAsync(Site site, SiteSecrets secrets, CancellationToken ct);

    /// <summary>One health probe: GET /api/method/ping with the site's Host header, and the site's workers and scheduler
    /// running (a site whose background jobs never run is not healthy); <see cref="HealthProbe.Exited"/> when the
    /// runner is no longer running (its container exited or keeps restarting, its process died), so waiting cannot help.</summary>
    Task<HealthProbe> ProbeAsync(Site site, CancellationToken ct);

    Task<RuntimeOutcome> StopAsync(Site site, CancellationToken ct);

    /// <summary>Removes the runner (and its Redis) but keeps the site's files and Redis data (soft delete keeps them for
    /// the retention window).</summary>
    Task<RuntimeOutcome> RemoveRunnerAsync(Site site, CancellationToken ct);

    /// <summary>Removes the runner and the site's files (purge).</summary>
    Task<RuntimeOutcome> RemoveFilesAsync(Site site, CancellationToken ct);

    /// <summary>Removes the site's own Redis and its data — cache and queued jobs (purge).</summary>
    Task<RuntimeOutcome> RemoveRedisAsync(Site site, CancellationToken ct);

    /// <summary>The runner's most recent log lines.</summary>
    Task<IReadOnlyList<string>> LogsAsync(Site site, int tail, CancellationToken ct);

    RuntimeStatus Describe(Site site);

    /// <summary>The unix socket on this host where the site's socket.io listens (the ingress forwards <c>/socket.io</c>
    /// there), or null when this driver runs none.</summary>
    Task<string?> SocketIoSocketAsync(string siteName, CancellationToken ct);

    // ---- backups and restores (docs/architecture.md §6). The database part is Press's own (pg_dump per schema); the
    // runtime only handles the site's files and Frappe's own commands. ----

    /// <summary>
    /// Streams a tar of the site's uploaded files — <c>public/files</c> and <c>private/files</c>, paths relative to the
    /// site folder, nothing else (site_config.json holds the database password and is rewritten from the metadata) —
    /// into <paramref name="destination"/>. NotApplicable (nothing written) when this driver keeps no files.
    /// </summary>
    Task<RuntimeOutcome> ExportFilesAsync(Site site, Stream destination, CancellationToken ct);

    /// <summary>
    /// Extracts a tar made by <see cref="ExportFilesAsync"/> into a staging folder named after
    /// <paramref name="restoreId"/> beside the live files; the live files are untouched. Idempotent (an earlier
    /// partial staging is cleared first). Refuses entries outside public/files and private/files.
    /// </summary>
    Task<RuntimeOutcome> StageFilesAsync(Site site, string restoreId, Stream tar, CancellationToken ct);

    /// <summary>Puts the staged files live and keeps the previous live files under the restore's name, for a rollback.
    /// Idempotent: already swapped → Done saying so.</summary>
    Task<RuntimeOutcome> SwapFilesAsync(Site site, string restoreId, CancellationToken ct);

    /// <summary>The reverse of <see cref="SwapFilesAsync"/>: the kept previous files become live again and the
    /// restored ones go back to staging. Idempotent; nothing swapped → Done saying so.</summary>
    Task<RuntimeOutcome> UnswapFilesAsync(Site site, string restoreId, CancellationToken ct);

    /// <summary>Deletes the staging and kept-previous folders of that restore (after its rollback window).</summary>
    Task<RuntimeOutcome> DiscardRestoreFilesAsync(Site site, string restoreId, CancellationToken ct);

    /// <summary><c>bench --site S migrate</c>; its outcome's message ends with the end of migrate's output (the patches
    /// it ran), which a rehearsal reports (docs/architecture.md §20).</summary>
    Task<RuntimeOutcome> MigrateAsync(Site site, CancellationToken ct);

    /// <summary><c>bench --site S enable-scheduler</c>: new sites start with it off (docs/frappe.md §7). Idempotent.</summary>
    Task<RuntimeOutcome> EnableSchedulerAsync(Site site, CancellationToken ct);

    /// <summary><c>bench --site S set-maintenance-mode on|off</c>.</summary>
    Task<RuntimeOutcome> SetMaintenanceAsync(Site site, bool on, CancellationToken ct);

    /// <summary>
    /// Writes (inserts or updates) the site's Frappe Social Login Key for Press's issuer (docs/frappe.md §5). The client
    /// secret reaches bench through a file in the site folder, removed afterwards — never through argv.
    /// A driver that serves no Frappe answers NotApplicable.
    /// </summary>
    Task<RuntimeOutcome> ConfigureSocialLoginAsync(Site site, SocialLogin login, CancellationToken ct) =>
        Task.FromResult(RuntimeOutcome.NotApplicable($"the {Driver} runtime serves no Frappe whose Social Login Key could be set"));

    // ---- usage (docs/architecture.md §15): measured from outside the site's code (the engine's stats, /proc, the folder). ----

    /// <summary>CPU time and memory of the site's runner and its sidecars (or its process tree), or why none.</summary>
    Task<Usage.RunnerUsage> MeasureRunnerAsync(Site site, CancellationToken ct) =>
        Task.FromResult(Usage.RunnerUsage.Unmeasured($"the {Driver} runtime runs no runner"));

    /// <summary>Bytes of the site's <c>public/files</c> and <c>private/files</c>, or why none.</summary>
    Task<Usage.FilesUsage> MeasureFilesAsync(Site site, CancellationToken ct) =>
        Task.FromResult(Usage.FilesUsage.Unmeasured($"the {Driver} runtime keeps no site files"));

    /// <summary><c>bench --site S install-app APP</c> on the running site (docs/frappe.md §8); a non-zero exit fails
    /// the step. A driver that serves no Frappe answers NotApplicable.</summary>
    Task<RuntimeOutcome> InstallAppAsync(Site site, string app, CancellationToken ct) =>
        Task.FromResult(RuntimeOutcome.NotApplicable($"the {Driver} runtime serves no Frappe to install {app} into"));

    /// <summary><c>bench --site S uninstall-app APP --yes --no-backup</c> (Press took the backup; Frappe's own would dump
    /// the whole shared database, docs/frappe.md §8). A driver that serves no Frappe answers NotApplicable.</summary>
    Task<RuntimeOutcome> UninstallAppAsync(Site site, string app, CancellationToken ct) =>
        Task.FromResult(RuntimeOutcome.NotApplicable($"the {Driver} runtime serves no Frappe to uninstall {app} from"));

    // ---- the standby pool (docs/architecture.md §17, docs/frappe.md §9) ----

    /// <summary>Whether <see cref="RenameAsync"/> works with this driver; the standby pool is kept only when it does.</summary>
    bool CanRename => false;

    /// <summary>
    /// Gives the runtime of the site that was called <paramref name="fromName"/> the site's (new) name: its processes
    /// stop, its Frappe site folder (site_config.json, files) moves to the new name, and its Redis data — cache keyed by
    /// the old site, queued jobs naming it — is dropped. The caller then writes the config and starts the runtime under
    /// the new name. Idempotent: already renamed → Done saying so.
    /// </summary>
    Task<RuntimeOutcome> RenameAsync(Site site, string fromName, CancellationToken ct) =>
        throw new Jobs.StepFailedException(Jobs.FailureKind.Permanent, $"the {Driver} runtime cannot rename a site");

    /// <summary><c>bench --site S set-admin-password --logout-all-sessions</c>, the password on stdin (never argv).</summary>
    Task<RuntimeOutcome> SetAdminPasswordAsync(Site site, string adminPassword, CancellationToken ct) =>
        Task.FromResult(RuntimeOutcome.NotApplicable($"the {Driver} runtime serves no Frappe whose Administrator password could be set"));
}

/// <summary>What a site's Social Login Key must say: the issuer's endpoints and the site's client.</summary>
public sealed record SocialLogin(IssuerEndpoints Issuer, string ClientId, string ClientSecret)
{
    public override string ToString() => $"SocialLogin({ClientId}, ***)";
}

/// <param name="Applied">false when the driver has nothing to do; the step is then Skipped with <paramref name="Message"/>.</param>
public sealed record RuntimeOutcome(bool Applied, string Message)
{
    public static RuntimeOutcome Done(string message) => new(true, message);
    public static RuntimeOutcome NotApplicable(string reason) => new(false, reason);
}

/// <param name="Applies">false when the driver serves nothing (the probe is then Skipped).</param>
/// <param name="Exited">The runner is not running (its container exited or keeps restarting, its process died):
/// wait-healthy fails at once with the runner's last log lines instead of waiting out its timeout.</param>
public sealed record HealthProbe(bool Applies, bool Healthy, string Detail, bool Exited = false)
{
    public static HealthProbe RunnerExited(string detail) => new(true, false, detail, Exited: true);
}

public sealed record RuntimeStatus(string Driver, bool Served, string? Reason);

/// <summary>Decrypted secrets a runtime needs to configure and install a site; never logged or stored.</summary>
public sealed record SiteSecrets(string DatabasePassword, string AdminPassword)
{
    /// <summary>The site's own site_config keys as Press keeps them (a JSON object's text; its encryption_key among
    /// them), or null when none are kept.</summary>
    public string? KeptConfig { get; init; }

    public override string ToString() => "SiteSecrets(***)";
}
