using Press.Core.Ports;

namespace Press.Core.Standby;

/// <summary>The pool of one app set as counted now.</summary>
public sealed record StandbyCount(AppSet Apps, int Ready, int Creating, int Broken)
{
    /// <summary>Broken standbys count against the target: a pool whose creates keep failing stops growing until an operator
    /// looks (they show in <c>GET /api/standby</c> and in <c>press_standby_sites{state="broken"}</c>).</summary>
    public int Missing(int target) => Math.Max(0, target - Ready - Creating - Broken);

    public static IReadOnlyList<StandbyCount> Of(IReadOnlyList<AppSet> wanted, IReadOnlyList<StandbySite> sites) =>
        wanted.Concat(sites.Select(s => s.Apps)).Distinct().Select(set =>
        {
            var mine = sites.Where(s => s.Apps.Equals(set)).ToList();
            return new StandbyCount(set, mine.Count(s => s.PoolState == "ready"), mine.Count(s => s.PoolState == "creating"),
                mine.Count(s => s.PoolState == "broken"));
        }).ToList();
}

/// <summary>
/// What the refill loop creates next (docs/architecture.md §17). Pure: the target per app set, the counts, and the
/// bound on standbys being created at once (across all app sets — each create is a full install) give the app sets
/// to create one standby of now, round-robin so no app set starves another.
/// </summary>
public static class StandbyPlan
{
    public static IReadOnlyList<AppSet> Next(int target, IReadOnlyList<AppSet> appSets, IReadOnlyList<StandbyCount> counts, int maxCreating)
    {
        var creating = counts.Sum(c => c.Creating);
        var missing = appSets.Distinct().ToDictionary(set => set, set => counts.FirstOrDefault(c => c.Apps.Equals(set))?.Missing(target) ?? target);
        var next = new List<AppSet>();
        while (creating + next.Count < maxCreating && missing.Values.Any(m => m > 0))
            foreach (var set in appSets.Distinct().Where(s => missing[s] > 0))
            {
                if (creating + next.Count >= maxCreating) break;
                next.Add(set);
                missing[set]--;
            }
        return next;
    }
}
