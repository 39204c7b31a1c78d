using Press.Core.Audit;
using Press.Core.Backups;
using Press.Core.Jobs;
using Press.Core.Ports;
using Press.Core.Runtime;
using Press.Core.Sites;
using Press.Core.Tenancy;

namespace Press.Core.Rehearsals;

/// <summary>
/// Starts and reads upgrade rehearsals (docs/architecture.md §20): the site's newest good backup restored as a scratch
/// site that is never routed, migrated under the new image, health-checked, dropped. The live site is never touched.
/// </summary>
public sealed class RehearsalOperations(IRehearsalStore rehearsals, ISiteStore sites, IBackupStore backups, ISecretProtector secrets,
    TenancyOptions tenancy, ISettingsStore settings, IJobSignals signals)
{
    /// <summary>The states a site may be rehearsed in: it only needs a good backup, which these keep taking.</summary>
    public static readonly IReadOnlyList<SiteState> From = [SiteState.Active, SiteState.Suspended, SiteState.Broken];

    /// <exception cref="ValidationException">The image is not an image reference.</exception>
    /// <exception cref="NotFoundException">No such site.</exception>
    /// <exception cref="ConflictException">The site's state, no good backup, or the host has no runner port left for the scratch.</exception>
    public async Task<Job> StartAsync(string name, string? image, Actor actor, CancellationToken ct)
    {
        var problems = new Dictionary<string, List<string>>();
        problems.AddAll("image", ImageReferenceRules.Validate(image));
        ValidationException.ThrowIfAny(problems);
        var site = await sites.FindByNameAsync(name, ct);
        // A scratch (or a standby) is Press's own: rehearsing one would copy a copy.
        if (site is null || Standby.StandbyNames.IsReserved(site.Name)) throw SiteErrors.NotFound(name);
        if (!From.Contains(site.State))
            throw new ConflictException($"Site '{name}' is {site.State}; a rehearsal needs it to be {string.Join(" or ", From)}.");
        var backup = NewestGood(await backups.ListForSiteAsync(site.Id, ct))
            ?? throw new ConflictException($"Site '{name}' has no good backup to rehearse on: back it up first (press backup create {name} --wait).");
        // The scratch holds a runner port while it runs, like any site being created.
        RunnerCapacity.ThrowIfFull(await sites.CountServedAsync(ct), $"rehearse '{name}' (its scratch copy needs a runner port while it runs)");

        var apps = backup.Manifest!.Apps.Select(a => a.Name).Where(a => a != "frappe").ToList();
        var placement = new SitePlacement(tenancy.SitesDatabase, (await settings.GetAsync(ct)).SitesPerDatabase);
        var scratch = NewSiteRecord.For(RehearsalRules.NewScratchName(), apps, placement, secrets) with { RehearsalOf = site.Id };
        var args = new Dictionary<string, string>
        {
            [JobArgs.Image] = image!, [JobArgs.BackupId] = backup.Id.ToString(), [JobArgs.RehearsalOf] = site.Name,
        };
        var audit = actor.Did("site.rehearse", site.Name, details: new Dictionary<string, string>
        {
            ["image"] = image!, ["backupId"] = backup.Id.ToString(), ["scratch"] = scratch.Name,
        });
        var job = await rehearsals.StartAsync(scratch, site, Recipes.RehearseUpgrade, audit, args, ct);
        try { await signals.WakeWorkersAsync(ct); } catch (Exception) when (!ct.IsCancellationRequested) { }
        return job;
    }

    /// <exception cref="NotFoundException">No such rehearsal.</exception>
    public async Task<Rehearsal> GetAsync(Guid id, CancellationToken ct) =>
        await rehearsals.GetAsync(id, ct) ?? throw new NotFoundException($"No rehearsal {id}.");

    /// <exception cref="NotFoundException">No such site.</exception>
    public async Task<IReadOnlyList<Rehearsal>> ListAsync(string name, int limit, CancellationToken ct)
    {
        var site = await sites.FindByNameAsync(name, ct) ?? throw SiteErrors.NotFound(name);
        return await rehearsals.ListForSiteAsync(site.Id, limit, ct);
    }

    /// <summary>The newest rehearsal of the site on <paramref name="image"/> since <paramref name="since"/> (a rollout's
    /// crashed tick may have started one without recording it).</summary>
    public Task<Rehearsal?> FindAsync(Guid siteId, string image, DateTimeOffset since, CancellationToken ct) =>
        rehearsals.FindAsync(siteId, image, since, ct);

    /// <summary>The newest backup that is good and has its manifest.</summary>
    public static Backup? NewestGood(IEnumerable<Backup> backups) =>
        backups.Where(b => b.State == BackupState.Good && b.Manifest is not null).OrderByDescending(b => b.CreatedAt).FirstOrDefault();
}
