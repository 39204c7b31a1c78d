using Press.Core.Audit;
using Press.Core.Jobs;
using Press.Core.Ports;

namespace Press.Core.Rehearsals;

/// <summary>Rehearsals in the metadata store (migration 0022, docs/architecture.md §20).</summary>
public interface IRehearsalStore
{
    /// <summary>In ONE transaction: the scratch site's row (flagged as <paramref name="rehearsed"/>'s scratch: never
    /// routed nor listed), its RehearseUpgrade job, the rehearsal row and the audit entry.</summary>
    Task<Job> StartAsync(NewSiteRecord scratch, Sites.Site rehearsed, JobRecipe recipe, AuditEntry audit,
        IReadOnlyDictionary<string, string> args, CancellationToken ct);

    Task<Rehearsal?> GetAsync(Guid id, CancellationToken ct);

    /// <summary>The site's rehearsals, newest first.</summary>
    Task<IReadOnlyList<Rehearsal>> ListForSiteAsync(Guid siteId, int limit, CancellationToken ct);

    /// <summary>The newest rehearsal of the site on <paramref name="image"/> created at or after <paramref name="since"/>.</summary>
    Task<Rehearsal?> FindAsync(Guid siteId, string image, DateTimeOffset since, CancellationToken ct);

    /// <summary>What migrate did on the scratch copy (overwritten when the step runs again after a crash).</summary>
    Task SaveMigrateAsync(Guid id, TimeSpan duration, bool succeeded, string outputTail, CancellationToken ct);

    /// <summary>Ends a Running rehearsal with its outcome and the audit entry, in one transaction; false (and nothing
    /// written) when it had already ended.</summary>
    Task<bool> FinishAsync(Guid id, RehearsalOutcome outcome, string? failedStep, AuditEntry audit, CancellationToken ct);
}
