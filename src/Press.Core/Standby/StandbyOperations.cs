using Press.Core.Audit;
using Press.Core.Jobs;
using Press.Core.Ports;
using Press.Core.Sites;
using Press.Core.Tenancy;

namespace Press.Core.Standby;

/// <summary>The pool as <c>GET /api/standby</c> and <c>press standby status</c> show it.</summary>
/// <param name="Enabled">The pool is kept: a target above 0 and a runtime that can rename sites.</param>
/// <param name="Reason">Why it is not kept, when it is not.</param>
public sealed record StandbyStatus(int Target, bool Enabled, string? Reason, IReadOnlyList<StandbyCount> AppSets, IReadOnlyList<StandbySite> Sites);

/// <summary>
/// The standby pool's rules (docs/architecture.md §17): which standbys to create, and the pool's state. Standbys are
/// created by the ordinary NewSite recipe under opaque names (<see cref="StandbyNames"/>); claims go through
/// <see cref="SiteOperations.CreateAsync"/>.
/// </summary>
public sealed class StandbyOperations(IStandbyPool pool, ISiteCommands commands, ISettingsStore settings, ISecretProtector secrets,
    TenancyOptions tenancy, ISiteRuntime runtime, IJobSignals signals)
{
    public static readonly Actor Actor = Actor.System("standby");

    public async Task<StandbyStatus> StatusAsync(CancellationToken ct)
    {
        var current = await settings.GetAsync(ct);
        var sites = await pool.ListAsync(ct);
        string? reason = current.StandbySize == 0 ? "the setting standby.size is 0"
            : !runtime.CanRename ? $"the {runtime.Driver} runtime cannot rename a site, which a claim needs" : null;
        return new StandbyStatus(current.StandbySize, reason is null, reason, StandbyCount.Of(current.StandbyAppSets, sites), sites);
    }

    /// <summary>One round of the refill loop: records a NewSite job for each standby the plan wants now.</summary>
    /// <param name="maxCreating">At most this many standbys are being created at once.</param>
    /// <returns>The jobs recorded.</returns>
    public async Task<IReadOnlyList<Job>> RefillAsync(int maxCreating, CancellationToken ct)
    {
        var status = await StatusAsync(ct);
        if (!status.Enabled) return [];
        var current = await settings.GetAsync(ct);
        var jobs = new List<Job>();
        foreach (var set in StandbyPlan.Next(status.Target, current.StandbyAppSets, status.AppSets, maxCreating))
        {
            var name = StandbyNames.New();
            var audit = Actor.Did("standby.create", name, details: new Dictionary<string, string> { ["apps"] = set.Key });
            jobs.Add(await commands.CreateSiteAsync(NewSiteRecord.For(name, set.Apps, new SitePlacement(tenancy.SitesDatabase, current.SitesPerDatabase), secrets) with { Standby = true },
                Recipes.NewSite, audit, ct));
        }
        if (jobs.Count > 0)
        {
            try { await signals.WakeWorkersAsync(ct); } catch (Exception) when (!ct.IsCancellationRequested) { } // a poll finds them anyway
        }
        return jobs;
    }
}
