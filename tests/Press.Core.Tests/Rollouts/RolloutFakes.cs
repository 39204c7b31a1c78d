using Press.Core.Audit;
using Press.Core.Jobs;
using Press.Core.Ports;
using Press.Core.Rollouts;
using Press.Core.Sites;

namespace Press.Core.Tests.Rollouts;

/// <summary>Rollouts in memory, as the Postgres store keeps them.</summary>
public sealed class MemoryRolloutStore(params Site[] active) : IRolloutStore
{
    public Dictionary<Guid, Rollout> Rollouts { get; } = [];
    public List<AuditEntry> Audit { get; } = [];

    /// <summary>UpgradeSite jobs by site, for <see cref="FindUpgradeJobAsync"/>.</summary>
    public Dictionary<Guid, Job> UpgradeJobs { get; } = [];

    public Task CreateAsync(Rollout rollout, AuditEntry audit, CancellationToken ct)
    {
        Rollouts[rollout.Id] = rollout;
        Audit.Add(audit);
        return Task.CompletedTask;
    }

    public Task<Rollout?> GetAsync(Guid id, CancellationToken ct) => Task.FromResult(Rollouts.GetValueOrDefault(id));
    public Task<IReadOnlyList<Rollout>> ListAsync(int limit, CancellationToken ct) =>
        Task.FromResult<IReadOnlyList<Rollout>>(Rollouts.Values.OrderByDescending(r => r.CreatedAt).Take(limit).ToList());
    public Task<IReadOnlyList<Rollout>> LeaseDueAsync(TimeSpan lease, CancellationToken ct) =>
        Task.FromResult<IReadOnlyList<Rollout>>(Rollouts.Values.Where(r => r.State == RolloutState.Running
            || r.State is RolloutState.Paused or RolloutState.Cancelled && r.Sites.Any(s => s.State is RolloutSiteState.Upgrading or RolloutSiteState.Rehearsing)).ToList());
    public Task ReleaseAsync(Guid id, CancellationToken ct) => Task.CompletedTask;

    public Task SaveSiteAsync(Guid rolloutId, RolloutSite site, CancellationToken ct)
    {
        var r = Rollouts[rolloutId];
        Rollouts[rolloutId] = r with { Sites = r.Sites.Select(s => s.SiteId == site.SiteId ? site : s).ToList() };
        return Task.CompletedTask;
    }

    public Task<bool> SetStateAsync(Guid id, RolloutState to, string? reason, IReadOnlyList<RolloutState> from, AuditEntry? audit,
        CancellationToken ct, int? acceptFailures = null)
    {
        var r = Rollouts[id];
        if (!from.Contains(r.State)) return Task.FromResult(false);
        Rollouts[id] = r with { State = to, Reason = reason, AcceptedFailures = acceptFailures ?? r.AcceptedFailures };
        if (audit is not null) Audit.Add(audit);
        return Task.FromResult(true);
    }

    public Task<Job?> FindUpgradeJobAsync(Guid siteId, string image, DateTimeOffset since, CancellationToken ct) =>
        Task.FromResult(UpgradeJobs.GetValueOrDefault(siteId));

    public Task<IReadOnlyList<Site>> ActiveSitesAsync(CancellationToken ct) => Task.FromResult<IReadOnlyList<Site>>(active.OrderBy(s => s.Name).ToList());
}

/// <summary>Jobs by id; the rollout driver only reads them.</summary>
public sealed class JobsById : IJobStore
{
    public Dictionary<Guid, Job> Jobs { get; } = [];

    public Task<Job?> GetAsync(Guid jobId, CancellationToken ct) => Task.FromResult(Jobs.GetValueOrDefault(jobId));
    public Task<ClaimedJob?> ClaimNextAsync(string workerId, TimeSpan lease, IReadOnlyCollection<Guid> running, CancellationToken ct) => throw new NotSupportedException();
    public Task<bool> RenewLeaseAsync(JobLease lease, CancellationToken ct) => throw new NotSupportedException();
    public Task<DateTimeOffset?> NextDueAsync(CancellationToken ct) => throw new NotSupportedException();
    public Task StartAsync(JobLease lease, SiteState? siteState, CancellationToken ct) => throw new NotSupportedException();
    public Task StepStartedAsync(JobLease lease, int ordinal, CancellationToken ct) => throw new NotSupportedException();
    public Task StepFinishedAsync(JobLease lease, int ordinal, StepState state, string? output, string? error, CancellationToken ct) => throw new NotSupportedException();
    public Task WaitAsync(JobLease lease, int ordinal, DateTimeOffset runAfter, string? output, string? error, CancellationToken ct) => throw new NotSupportedException();
    public Task SucceedAsync(JobLease lease, SiteState? siteState, CancellationToken ct) => throw new NotSupportedException();
    public Task FailAsync(JobLease lease, string failedStep, string error, SiteState? siteState, CancellationToken ct) => throw new NotSupportedException();
}
