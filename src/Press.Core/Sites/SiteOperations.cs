using Press.Core.Audit;
using Press.Core.Jobs;
using Press.Core.Ports;
using Press.Core.Tenancy;

namespace Press.Core.Sites;

/// <summary>The site operations the API and CLI offer: validate, then record the job for a worker to run.</summary>
public sealed class SiteOperations(ISiteCommands commands, ISecretProtector secrets, IJobSignals signals, TenancyOptions tenancy)
{
    public async Task<Job> CreateAsync(string name, IReadOnlyList<string> apps, Actor actor, CancellationToken ct)
    {
        var identifier = TenantIdentifier.NewId();
        var record = new NewSiteRecord(Guid.CreateVersion7(), name, tenancy.SitesDatabase, identifier, identifier,
            secrets.Protect(SitePassword.New()), apps, secrets.Protect(SitePassword.New()));
        var audit = actor.Did("site.create", name, details: new Dictionary<string, string> { ["apps"] = string.Join(",", apps) });
        return await Wake(await commands.CreateSiteAsync(record, audit, ct), ct);
    }

    public Task<Job> SuspendAsync(string name, Actor actor, CancellationToken ct) =>
        Enqueue(name, Recipes.SuspendSite, [SiteState.Active], actor, "site.suspend", ct);

    public Task<Job> ResumeAsync(string name, Actor actor, CancellationToken ct) =>
        Enqueue(name, Recipes.ResumeSite, [SiteState.Suspended], actor, "site.resume", ct);

    public Task<Job> DeleteAsync(string name, Actor actor, CancellationToken ct) =>
        Enqueue(name, Recipes.DeleteSite, [SiteState.Active, SiteState.Suspended, SiteState.Broken], actor, "site.delete", ct);

    public Task<Job> UndeleteAsync(string name, Actor actor, CancellationToken ct) =>
        Enqueue(name, Recipes.UndeleteSite, [SiteState.Deleted], actor, "site.undelete", ct);

    public Task<Job> PurgeAsync(string name, Actor actor, CancellationToken ct) =>
        Enqueue(name, Recipes.PurgeSite, [SiteState.Deleted], actor, "site.purge", ct);

    public async Task<Job> RetryAsync(Guid jobId, Actor actor, CancellationToken ct) =>
        await Wake(await commands.RetryAsync(jobId, actor.Did("job.retry", target: jobId.ToString()), ct), ct);

    private async Task<Job> Enqueue(string name, JobRecipe recipe, IReadOnlyList<SiteState> allowed, Actor actor, string action, CancellationToken ct) =>
        await Wake(await commands.EnqueueAsync(name, recipe, allowed, actor.Did(action, name), ct), ct);

    private async Task<Job> Wake(Job job, CancellationToken ct)
    {
        // Best effort: a missed wake-up only delays the job until the next poll.
        try { await signals.WakeWorkersAsync(ct); } catch (Exception) when (!ct.IsCancellationRequested) { }
        return job;
    }
}
