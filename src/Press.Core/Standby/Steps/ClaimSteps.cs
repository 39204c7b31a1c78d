using Press.Core.Jobs;
using Press.Core.Ports;
using Press.Core.Sites;
using Press.Core.Sites.Steps;
using Press.Core.Tenancy;

namespace Press.Core.Standby.Steps;

// The steps of a claim (Recipes.ClaimStandby, docs/architecture.md §17). The claim transaction has already renamed the
// site's row; these bring its runtime along, under the job's arg naming the standby's old name.

internal static class Claim
{
    public static string StandbyName(StepContext c) =>
        c.Job.Args.GetValueOrDefault(JobArgs.Standby)
        ?? throw new StepFailedException(FailureKind.Permanent, $"job {c.Job.Id} names no standby (arg '{JobArgs.Standby}')");

    /// <summary>A claim that already fell back to a cold create has nothing left to claim: retrying it must not touch the
    /// discarded standby again.</summary>
    public static StepResult? FellBack(StepContext c) => StandbyNames.IsDiscarded(c.Site.Name)
        ? StepResult.Permanent($"this claim fell back to a cold create of '{c.Job.SiteName}' (its NewSite job); there is nothing left to claim")
        : null;
}

/// <summary>The standby's runtime takes the claimed name: processes stopped, site folder moved, Redis data dropped.</summary>
public sealed class RenameSiteStep(ISiteRuntime runtime) : IJobStep
{
    public string Name => StepNames.RenameSite;

    public async Task<StepResult> RunAsync(StepContext c, CancellationToken ct) =>
        Claim.FellBack(c) ?? runtime.NotServing(c.Site) ?? (await runtime.RenameAsync(c.Site, Claim.StandbyName(c), ct)).ToStep();
}

/// <summary>
/// The standby was installed with a password nobody has seen; the claim sealed a new one (shown once, like a new site's)
/// and sets it here, ending every Administrator session. Setting the same password again is harmless, so the step is
/// idempotent.
/// </summary>
public sealed class RotateAdminPasswordStep(ISiteRuntime runtime, ISecretProtector secrets) : IJobStep
{
    public string Name => StepNames.RotateAdminPassword;

    public async Task<StepResult> RunAsync(StepContext c, CancellationToken ct) =>
        Claim.FellBack(c) ?? runtime.NotServing(c.Site)
        ?? (await runtime.SetAdminPasswordAsync(c.Site, secrets.Secrets(c.Site).AdminPassword, ct)).ToStep();
}

/// <summary>
/// The undo of a claim that failed for good: whatever the standby's runtime is called by now (its old name, the claimed
/// name, or the discarded one) is removed, then the row is discarded and the requested site created cold, in one
/// transaction (<see cref="IStandbyPool.FallBackAsync"/>). The discarded row keeps its schema and role until the
/// retention scheduler purges it.
/// </summary>
public sealed class FallBackToColdCreateStep(ISiteRuntime runtime, IStandbyPool pool, ISecretProtector secrets, TenancyOptions tenancy,
    ISettingsStore settings)
    : IJobStep
{
    public string Name => StepNames.FallBackToColdCreate;

    public async Task<StepResult> RunAsync(StepContext c, CancellationToken ct)
    {
        var said = new List<string>();
        foreach (var name in new[] { c.Site.Name, c.Job.SiteName, Claim.StandbyName(c) }.Distinct(StringComparer.Ordinal))
        {
            var named = c.Site with { Name = name };
            said.Add((await runtime.RemoveFilesAsync(named, ct)).Message);
            said.Add((await runtime.RemoveRedisAsync(named, ct)).Message);
        }
        var args = c.Job.Args.Where(a => a.Key == JobArgs.Sso).ToDictionary();
        // Placed like any new site (docs/architecture.md §16), in the create's own transaction.
        var placement = new SitePlacement(tenancy.SitesDatabase, (await settings.GetAsync(ct)).SitesPerDatabase);
        var cold = NewSiteRecord.For(c.Job.SiteName, c.Site.Apps, placement, secrets);
        var audit = Audit.Actor.System("standby").Did("site.create", c.Job.SiteName, details: new Dictionary<string, string>
        {
            [JobArgs.FallbackFrom] = c.Job.Id.ToString(), ["requestedBy"] = c.Job.CreatedBy, ["apps"] = string.Join(",", c.Site.Apps),
        });
        var job = await pool.FallBackAsync(c.Job.Id, c.Site.Id, cold, audit, ct, args);
        return StepResult.Ok($"{string.Join("; ", said)}; the standby is discarded as {StandbyNames.Discarded(c.Site.Id)} " +
                             $"(the retention scheduler purges it); '{c.Job.SiteName}' is created cold by job {job.Id}");
    }
}
