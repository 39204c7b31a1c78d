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
            : throw new StepFailedException(FailureKind.Permanent, $"site {site.Name} has no Administrator password recorded"));
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

public sealed class InstallSiteStep(ISiteRuntime runtime, ISecretProtector secrets) : IJobStep
{
    public string Name => StepNames.InstallSite;
    public async Task<StepResult> RunAsync(StepContext c, CancellationToken ct) =>
        runtime.NotServing(c.Site) ?? (await runtime.InstallAsync(c.Site, secrets.Secrets(c.Site), ct)).ToStep();
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
    public string Name => StepNames.WaitHealthy;

    public async Task<StepResult> RunAsync(StepContext c, CancellationToken ct)
    {
        var probe = await runtime.ProbeAsync(c.Site, ct);
        if (!probe.Applies) return StepResult.Skip(probe.Detail);
        if (probe.Healthy) return StepResult.Ok(probe.Detail);
        if (options.Interval * c.Attempt >= options.Timeout)
            return StepResult.Permanent($"not healthy after {options.Timeout.TotalSeconds:0} s: {probe.Detail}");
        return new StepResult.WaitUntil(time.GetUtcNow() + options.Interval, $"not healthy yet: {probe.Detail}");
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
