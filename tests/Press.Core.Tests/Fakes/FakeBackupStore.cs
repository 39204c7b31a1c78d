using Press.Core.Backups;
using Press.Core.Jobs;
using Press.Core.Ports;

namespace Press.Core.Tests.Fakes;

/// <summary>In-memory backups and restores for unit tests of the Core's own logic.</summary>
public sealed class FakeBackupStore : IBackupStore, IRestoreLog
{
    public Dictionary<Guid, Backup> Backups { get; } = [];
    public Dictionary<Guid, SiteRestore> Restores { get; } = [];

    public Task<Backup?> GetAsync(Guid backupId, CancellationToken ct) => Task.FromResult(Backups.GetValueOrDefault(backupId));

    public Task<IReadOnlyList<Backup>> ListForSiteAsync(Guid siteId, CancellationToken ct) =>
        Task.FromResult<IReadOnlyList<Backup>>(Backups.Values.Where(b => b.SiteId == siteId).OrderByDescending(b => b.CreatedAt).ToList());

    public Task RecordPartAsync(JobLease lease, BackupPart part, CancellationToken ct)
    {
        var backupId = lease.JobId;
        var b = Backups[backupId];
        Backups[backupId] = b with { Parts = [.. b.Parts.Where(p => p.Name != part.Name), part] };
        return Task.CompletedTask;
    }

    public Task RecordDumpAsync(JobLease lease, SchemaDumpInfo dump, CancellationToken ct)
    {
        Backups[lease.JobId] = Backups[lease.JobId] with { Dump = dump };
        return Task.CompletedTask;
    }

    public Task MarkGoodAsync(JobLease lease, BackupManifest manifest, DateTimeOffset at, CancellationToken ct)
    {
        Backups[lease.JobId] = Backups[lease.JobId] with { Manifest = manifest, State = BackupState.Good, FinishedAt = at };
        return Task.CompletedTask;
    }

    public Task RecordVerificationAsync(Guid backupId, BackupVerification verification, CancellationToken ct)
    {
        Backups[backupId] = Backups[backupId] with { Verification = verification };
        return Task.CompletedTask;
    }

    public Task MarkPrunedAsync(Guid backupId, DateTimeOffset at, CancellationToken ct)
    {
        Backups[backupId] = Backups[backupId] with { State = BackupState.Pruned };
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<Backup>> ListPrunableAsync(DateTimeOffset now, CancellationToken ct) =>
        Task.FromResult<IReadOnlyList<Backup>>([]);

    public Task<IReadOnlyList<SiteBackupSummary>> SummariesAsync(CancellationToken ct) => Task.FromResult<IReadOnlyList<SiteBackupSummary>>([]);

    public Task RecordSwapAsync(SiteRestore restore, CancellationToken ct)
    {
        Restores.TryAdd(restore.JobId, restore);
        return Task.CompletedTask;
    }

    public Task<SiteRestore?> CurrentAsync(Guid siteId, CancellationToken ct) =>
        Task.FromResult(Restores.Values.Where(r => r.SiteId == siteId && r.RolledBackAt is null && r.DiscardedAt is null)
            .OrderByDescending(r => r.SwappedAt).FirstOrDefault());

    public Task<SiteRestore?> ForJobAsync(Guid jobId, CancellationToken ct) => Task.FromResult(Restores.GetValueOrDefault(jobId));

    public Task MarkRolledBackAsync(Guid jobId, DateTimeOffset at, CancellationToken ct)
    {
        Restores[jobId] = Restores[jobId] with { RolledBackAt = at };
        return Task.CompletedTask;
    }

    public Task MarkDiscardedAsync(Guid jobId, DateTimeOffset at, CancellationToken ct)
    {
        Restores[jobId] = Restores[jobId] with { DiscardedAt = at };
        return Task.CompletedTask;
    }

    public Task ForgetAsync(Guid jobId, CancellationToken ct)
    {
        Restores.Remove(jobId);
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<SiteRestore>> ListExpiredAsync(DateTimeOffset now, CancellationToken ct) =>
        Task.FromResult<IReadOnlyList<SiteRestore>>(Restores.Values.Where(r => r.RollbackUntil <= now && r.DiscardedAt is null && r.RolledBackAt is null).ToList());
}
