using Press.Core.Jobs;
using Press.Core.Ports;
using Press.Core.Runtime;

namespace Press.Core.Sites.Steps;

// Steps that go through the runtime port. With the "none" driver they are Skipped with the driver's reason —
// never a silent success.

internal static class Outcomes
{
    public static StepResult ToStep(this RuntimeOutcome outcome) =>
        outcome.Applied ? StepResult.Ok(outcome.Message) : StepResult.Skip(outcome.Message);

    /// <summary>Skipped with the driver's reason when no runtime serves sites; secrets are not even decrypted then.</summary>
    public static StepResult? NotServing(this ISiteRuntime runtime, Sites.Site site) =>
        runtime.Driver == "none" ? StepResult.Skip(runtime.Describe(site).Reason ?? "no site runtime") : null;

    public static SiteSecrets Secrets(this ISecretProtector protector, Sites.Site site) => new(
        protector.Unprotect(site.EncryptedPassword),
        site.EncryptedAdminPassword is { } admin ? protector.Unprotect(admin)
            : throw new StepFailedException(FailureKind.Permanent, $"site {site.Name} has no Administrator password recorded"))
    {
        KeptConfig = site.SealedConfig is { } kept ? protector.Unprotect(kept) : null,
    };
}

/// <summary>Gives the site a runner port; the port stays until purge. (The site's Redis is its own, not the port's.)</summary>
public sealed class AllocateRunnerStep(ISiteStore sites, ISiteRuntime runtime) : IJobStep
{
    public string Name => StepNames.AllocateRunner;

    public async Task<StepResult> RunAsync(StepContext c, CancellationToken ct)
    {
        if (runtime.NotServing(c.Site) is { } skipped) return skipped;
        if (c.Site.RunnerPort is { } port) return StepResult.Ok($"already allocated: port {port}");
        var allocated = await sites.AllocateRunnerPortAsync(c.Site.Id, ct);
        return StepResult.Ok($"port {allocated}");
    }
}

public sealed class WriteSiteConfigStep(ISiteRuntime runtime, ISecretProtector secrets) : IJobStep
{
    public string Name => StepNames.WriteSiteConfig;
    public async Task<StepResult> RunAsync(StepContext c, CancellationToken ct) =>
        runtime.NotServing(c.Site) ?? (await runtime.WriteConfigAsync(c.Site, secrets.Secrets(c.Site), ct)).ToStep();
}

public sealed class StartRuntimeStep(ISiteRuntime runtime) : IJobStep
{
    public string Name => StepNames.StartRuntime;
    public async Task<StepResult> RunAsync(StepContext c, CancellationToken ct) => (await runtime.StartAsync(c.Site, ct)).ToStep();
}

/// <summary>
/// Installs Frappe once, knowing "installed" from the schema itself: Frappe records each app in
/// <c>"tabInstalled Application"</c> as its install completes. new-site is not transactional and destroys the core
/// tables of an installed schema (docs/frappe.md §7), so it only ever runs on an EMPTY schema: what a failed or killed
/// install of a new site left behind is dropped first (as the site, <see cref="ISiteSchema"/>); a schema holding
/// objects but no completed install in any other job (resume, undelete: live data) fails the step instead.
/// </summary>
public sealed class InstallSiteStep(ISiteRuntime runtime, ISecretProtector secrets, ISiteSchema schema) : IJobStep
{
    public string Name => StepNames.InstallSite;

    public async Task<StepResult> RunAsync(StepContext c, CancellationToken ct)
    {
        if (runtime.NotServing(c.Site) is { } skipped) return skipped;
        var apps = new[] { "frappe" }.Concat(c.Site.Apps).Distinct().ToList();
        var found = await schema.InspectInstallAsync(c.Site, ct);
        if (found.Holds(apps)) return StepResult.Ok($"already installed: the schema records a completed install of {string.Join(", ", apps)}");
        var said = new List<string>();
        if (!found.Empty)
        {
            var partial = $"schema {c.Site.Location.Schema} holds {found.Objects} object(s) but no completed install of {string.Join(", ", apps)}" +
                          (found.InstalledApps is { } some ? $" (installed: {string.Join(", ", some)})" : "");
            if (c.Job.Kind != JobKind.NewSite)
                return StepResult.Permanent($"{partial}; new-site would destroy them, so Press does not run it outside a new site's install. Restore a backup or repair the site by hand");
            said.Add($"{partial}: left by an interrupted install");
            said.Add(await schema.EmptyAsync(c.Site, ct));
        }
        var outcome = await runtime.InstallAsync(c.Site, secrets.Secrets(c.Site), ct);
        if (!outcome.Applied) return outcome.ToStep();
        said.Add(outcome.Message);
        if (!(await schema.InspectInstallAsync(c.Site, ct)).Holds(apps))
            return StepResult.Permanent($"{string.Join("; ", said)}; but the schema records no completed install of {string.Join(", ", apps)}");
        return StepResult.Ok(string.Join("; ", said));
    }
}

public sealed class StopRuntimeStep(ISiteRuntime runtime) : IJobStep
{
    public string Name => StepNames.StopRuntime;
    public async Task<StepResult> RunAsync(StepContext c, CancellationToken ct) => (await runtime.StopAsync(c.Site, ct)).ToStep();
}

public sealed class RemoveRunnerStep(ISiteRuntime runtime) : IJobStep
{
    public string Name => StepNames.RemoveRunner;
    public async Task<StepResult> RunAsync(StepContext c, CancellationToken ct) => (await runtime.RemoveRunnerAsync(c.Site, ct)).ToStep();
}

public sealed class RemoveSiteFilesStep(ISiteRuntime runtime) : IJobStep
{
    public string Name => StepNames.RemoveSiteFiles;
    public async Task<StepResult> RunAsync(StepContext c, CancellationToken ct) => (await runtime.RemoveFilesAsync(c.Site, ct)).ToStep();
}

/// <summary>
/// <c>bench --site S enable-scheduler</c> after install: Frappe starts new sites with the scheduler off (frappe/installer.py),
/// so no scheduled job (e-mail queue, reminders, ERPNext's periodic work) would ever run. Idempotent in Frappe (it sets a
/// System Settings flag). The setting <c>runtime.scheduler</c> = off keeps it off; the step then says so.
/// </summary>
public sealed class EnableSchedulerStep(ISiteRuntime runtime, ISettingsStore settings) : IJobStep
{
    public string Name => StepNames.EnableScheduler;

    public async Task<StepResult> RunAsync(StepContext c, CancellationToken ct)
    {
        if (runtime.NotServing(c.Site) is { } skipped) return skipped;
        if (!(await settings.GetAsync(ct)).Scheduler)
            return StepResult.Skip($"the setting {Settings.PressSettings.SchedulerKey} is off: the site's scheduler stays disabled");
        return (await runtime.EnableSchedulerAsync(c.Site, ct)).ToStep();
    }
}

/// <summary>Probes the runner until it answers pong, waiting between probes (the job is Waiting, not a busy worker).</summary>
public sealed class WaitHealthyStep(ISiteRuntime runtime, SiteHealthOptions options, TimeProvider time) : IJobStep
{
    /// <summary>How many of an exited runner's last log lines the job's error carries.</summary>
    public const int ExitLogLines = 20;

    public string Name => StepNames.WaitHealthy;

    public async Task<StepResult> RunAsync(StepContext c, CancellationToken ct)
    {
        var probe = await runtime.ProbeAsync(c.Site, ct);
        if (!probe.Applies) return StepResult.Skip(probe.Detail);
        if (probe.Healthy) return StepResult.Ok(probe.Detail);
        if (probe.Exited)
        {
            // Fail fast, as Aspire does for a resource that exited: a runner that is gone will not answer, however long
            // we wait. Once only (attempt 1, also the first attempt of a retried job) the runner is started again first:
            // a process runner has no supervisor, so a retry after fixing the cause must start it (Docker restarts its own).
            if (c.Attempt > 1) return StepResult.Permanent(await ExitedAsync(c.Site, probe.Detail, ct));
            var started = await runtime.StartAsync(c.Site, ct);
            return new StepResult.WaitUntil(time.GetUtcNow() + options.Interval, $"the runner exited ({probe.Detail}); started it again: {started.Message}");
        }
        if (options.WaitedAfter(c.Attempt) >= options.Timeout)
            return StepResult.Permanent($"not healthy after {options.Timeout.TotalSeconds:0} s: {probe.Detail}");
        return new StepResult.WaitUntil(time.GetUtcNow() + options.DelayAfter(c.Attempt), $"not healthy yet: {probe.Detail}");
    }

    private async Task<string> ExitedAsync(Site site, string detail, CancellationToken ct)
    {
        string logs;
        try
        {
            var lines = await runtime.LogsAsync(site, ExitLogLines, ct);
            logs = lines.Count == 0 ? "it logged nothing" : $"its last {lines.Count} log lines:\n" + string.Join('\n', lines);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The exit is the failure that matters; logs that cannot be read are said, not allowed to hide it.
            logs = $"its logs could not be read: {ex.Message}";
        }
        return $"the runner exited: {detail}; {logs}";
    }
}

/// <summary>Removes the site's own Redis and its data — cache, sessions, queued jobs (purge).</summary>
public sealed class RemoveSiteRedisStep(ISiteRuntime runtime) : IJobStep
{
    public string Name => StepNames.RemoveSiteRedis;
    public async Task<StepResult> RunAsync(StepContext c, CancellationToken ct) => (await runtime.RemoveRedisAsync(c.Site, ct)).ToStep();
}

/// <summary>
/// A purge queued before the per-site Redis still names <c>flush-site-cache</c>: it now removes the site's Redis too
/// (the shared Redis database it flushed is no longer used by any site).
/// </summary>
public sealed class LegacyFlushSiteCacheStep(ISiteRuntime runtime) : IJobStep
{
    public string Name => StepNames.LegacyFlushSiteCache;
    public async Task<StepResult> RunAsync(StepContext c, CancellationToken ct) => (await runtime.RemoveRedisAsync(c.Site, ct)).ToStep();
}
