using Press.Core.Audit;
using Press.Core.Jobs;
using Press.Core.Ports;
using Press.Core.Rehearsals;
using Press.Core.Sites;
using Press.Core.Tests.Fakes;

namespace Press.Core.Tests.Rehearsals;

/// <summary>Rehearsals in memory, as the Postgres store keeps them; a start also records the scratch row and its job.</summary>
public sealed class MemoryRehearsalStore : IRehearsalStore
{
    public sealed record Start(NewSiteRecord Scratch, Site Rehearsed, JobRecipe Recipe, AuditEntry Audit, IReadOnlyDictionary<string, string> Args);

    public List<Start> Starts { get; } = [];
    public Dictionary<Guid, Rehearsal> Rows { get; } = [];
    public List<AuditEntry> Audit { get; } = [];

    /// <summary>Where started jobs are registered (Queued), when given.</summary>
    public Dictionary<Guid, Job>? Jobs { get; init; }

    public Task<Job> StartAsync(NewSiteRecord scratch, Site rehearsed, JobRecipe recipe, AuditEntry audit, IReadOnlyDictionary<string, string> args,
        CancellationToken ct)
    {
        Starts.Add(new Start(scratch, rehearsed, recipe, audit, args));
        var job = new Job(Guid.NewGuid(), recipe.Kind, JobState.Queued, scratch.Id, scratch.Name, audit.Actor, TestData.Now, null, null, null, null,
            recipe.Steps.Select((n, i) => new JobStep(i + 1, n, StepState.Pending, 0, null, null, null, null)).ToList()) { Args = args };
        Rows[job.Id] = new Rehearsal(job.Id, rehearsed.Id, rehearsed.Name, scratch.Id, scratch.Name, args[JobArgs.Image], Guid.Parse(args[JobArgs.BackupId]),
            RehearsalOutcome.Running, audit.Actor, TestData.Now, null) { ScratchState = SiteState.Pending };
        Audit.Add(audit);
        if (Jobs is not null) Jobs[job.Id] = job;
        return Task.FromResult(job);
    }

    public Task<Rehearsal?> GetAsync(Guid id, CancellationToken ct) => Task.FromResult(Rows.GetValueOrDefault(id));

    public Task<IReadOnlyList<Rehearsal>> ListForSiteAsync(Guid siteId, int limit, CancellationToken ct) =>
        Task.FromResult<IReadOnlyList<Rehearsal>>(Rows.Values.Where(r => r.SiteId == siteId).OrderByDescending(r => r.CreatedAt).Take(limit).ToList());

    public Task<Rehearsal?> FindAsync(Guid siteId, string image, DateTimeOffset since, CancellationToken ct) =>
        Task.FromResult(Rows.Values.Where(r => r.SiteId == siteId && r.Image == image && r.CreatedAt >= since).OrderByDescending(r => r.CreatedAt).FirstOrDefault());

    public Task SaveMigrateAsync(Guid id, TimeSpan duration, bool succeeded, string outputTail, CancellationToken ct)
    {
        if (Rows[id].Outcome == RehearsalOutcome.Running)
            Rows[id] = Rows[id] with { MigrateDuration = duration, MigrateSucceeded = succeeded, MigrateOutput = outputTail };
        return Task.CompletedTask;
    }

    public Task<bool> FinishAsync(Guid id, RehearsalOutcome outcome, string? failedStep, AuditEntry audit, CancellationToken ct)
    {
        if (Rows[id].Outcome != RehearsalOutcome.Running) return Task.FromResult(false);
        Rows[id] = Rows[id] with { Outcome = outcome, FailedStep = failedStep, FinishedAt = TestData.Now };
        Audit.Add(audit);
        return Task.FromResult(true);
    }
}
