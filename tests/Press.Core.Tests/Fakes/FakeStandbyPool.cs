using Press.Core.Audit;
using Press.Core.Jobs;
using Press.Core.Ports;
using Press.Core.Sites;
using Press.Core.Standby;

namespace Press.Core.Tests.Fakes;

/// <summary>A pool held in memory: its sites are given by the test; a claim takes the oldest ready one of the app set.</summary>
public sealed class FakeStandbyPool : IStandbyPool
{
    public List<StandbySite> Sites { get; } = [];
    public List<(StandbyClaim Claim, AuditEntry Audit)> Claims { get; } = [];

    public Task<IReadOnlyList<StandbySite>> ListAsync(CancellationToken ct) => Task.FromResult<IReadOnlyList<StandbySite>>(Sites.ToList());

    public Task<Job?> ClaimAsync(StandbyClaim claim, AuditEntry audit, CancellationToken ct)
    {
        var ready = Sites.FirstOrDefault(s => s.Apps.Equals(claim.Apps) && s.PoolState == "ready");
        if (ready is null) return Task.FromResult<Job?>(null);
        Sites.Remove(ready);
        Claims.Add((claim, audit));
        var args = new Dictionary<string, string>(claim.Args) { [JobArgs.Standby] = ready.Name };
        return Task.FromResult<Job?>(FakeSiteCommands.NewJob(Recipes.ClaimStandby, ready.Id, claim.Name, audit.Actor) with { Args = args });
    }

    public Task<Job> FallBackAsync(Guid claimJobId, Guid siteId, NewSiteRecord cold, AuditEntry audit, CancellationToken ct,
        IReadOnlyDictionary<string, string>? args = null) =>
        throw new NotSupportedException("not used by these tests");
}
