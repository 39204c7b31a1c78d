using Press.Core.Backups;
using Press.Core.Audit;
using Press.Core.Jobs;
using Press.Core.Ports;
using Press.Core.Sites;

namespace Press.Core.Tests.Fakes;

/// <summary>Records what SiteOperations asks to write and answers with a Queued job of the recipe's steps.</summary>
public sealed class FakeSiteCommands : ISiteCommands
{
    public sealed record Created(NewSiteRecord Site, JobRecipe Recipe, AuditEntry Audit)
    {
        public IReadOnlyDictionary<string, string> Args { get; init; } = JobArgs.None;
    }
    public sealed record Enqueued(string SiteName, JobRecipe Recipe, IReadOnlyList<SiteState> AllowedFrom, AuditEntry Audit,
        BackupTrigger? Backup = null)
    {
        public IReadOnlyDictionary<string, string> Args { get; init; } = JobArgs.None;
    }
    public sealed record Retried(Guid JobId, AuditEntry Audit);

    public List<Created> Creates { get; } = [];
    public List<Enqueued> Enqueues { get; } = [];
    public List<Retried> Retries { get; } = [];

    public Task<Job> CreateSiteAsync(NewSiteRecord site, JobRecipe recipe, AuditEntry audit, CancellationToken ct,
        IReadOnlyDictionary<string, string>? args = null)
    {
        Creates.Add(new Created(site, recipe, audit) { Args = args ?? JobArgs.None });
        return Task.FromResult(NewJob(recipe, site.Id, site.Name, audit.Actor));
    }

    public Task<Job> EnqueueAsync(string siteName, JobRecipe recipe, IReadOnlyList<SiteState> allowedFrom, AuditEntry audit, CancellationToken ct,
        IReadOnlyDictionary<string, string>? args = null, BackupTrigger? backup = null)
    {
        Enqueues.Add(new Enqueued(siteName, recipe, allowedFrom, audit, backup) { Args = args ?? JobArgs.None });
        return Task.FromResult(NewJob(recipe, Guid.NewGuid(), siteName, audit.Actor));
    }

    public Task<Job> RetryAsync(Guid jobId, AuditEntry audit, CancellationToken ct)
    {
        Retries.Add(new Retried(jobId, audit));
        return Task.FromResult(NewJob(Recipes.NewSite, Guid.NewGuid(), "retried.example.com", audit.Actor) with { Id = jobId });
    }

    internal static Job NewJob(JobRecipe recipe, Guid siteId, string siteName, string actor) =>
        new(Guid.NewGuid(), recipe.Kind, JobState.Queued, siteId, siteName, actor, TestData.Now, null, null, null, null,
            recipe.Steps.Select((n, i) => new JobStep(i + 1, n, StepState.Pending, 0, null, null, null, null)).ToList());
}
