using Press.Core.Sites;

namespace Press.Core.Rollouts;

/// <summary>The rules of a rollout request and its plan, as pure functions (docs/architecture.md §19).</summary>
public static class RolloutRules
{
    public const int DefaultCanary = 1;
    public const int DefaultWaveSize = 5;
    public const int DefaultMaxFailures = 0;

    /// <summary>Every problem of the request, per field.</summary>
    public static Dictionary<string, List<string>> Problems(RolloutRequest r)
    {
        var problems = new Dictionary<string, List<string>>();
        problems.AddAll("image", ImageReferenceRules.Validate(r.Image));
        if (r.All && r.Sites.Count > 0) problems.AddAll("sites", ["give either 'sites' or 'all', not both."]);
        if (!r.All && r.Sites.Count == 0) problems.AddAll("sites", ["name the sites to upgrade ('sites': [\"a.example.com\", …]) or set 'all': true for every Active site."]);
        foreach (var dup in r.Sites.GroupBy(s => s).Where(g => g.Count() > 1))
            problems.AddAll("sites", [$"'{dup.Key}' is listed {dup.Count()} times: list each site once."]);
        if (r.Canary is < 0) problems.AddAll("canary", ["'canary' is how many sites go first, alone: 0 or more."]);
        if (r.WaveSize is < 1) problems.AddAll("waveSize", ["'waveSize' is how many sites upgrade at once after the canary: at least 1."]);
        if (r.MaxFailures is < 0) problems.AddAll("maxFailures", ["'maxFailures' is how many failed sites the rollout tolerates before it pauses: 0 or more."]);
        return problems;
    }

    /// <summary>The waves: the first <paramref name="canary"/> sites alone (wave 0), then the rest in waves of
    /// <paramref name="waveSize"/>, in the order given (name order for --all).</summary>
    public static IReadOnlyList<(Site Site, int Wave)> Plan(IReadOnlyList<Site> sites, int canary, int waveSize)
    {
        var canaries = Math.Min(canary, sites.Count);
        return sites.Select((s, i) => (s, i < canaries ? 0 : 1 + (i - canaries) / waveSize)).ToList();
    }
}
