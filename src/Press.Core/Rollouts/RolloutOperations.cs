using Press.Core.Audit;
using Press.Core.Ports;
using Press.Core.Sites;

namespace Press.Core.Rollouts;

/// <summary>Start, pause, resume and cancel fleet rollouts (docs/architecture.md §19); the worker's loop drives them.</summary>
public sealed class RolloutOperations(IRolloutStore rollouts, ISiteStore sites, IJobSignals signals, TimeProvider time)
{
    /// <exception cref="ValidationException">A rule of the request, or a named site that is missing or not Active.</exception>
    /// <exception cref="ConflictException">Another rollout is Running or Paused.</exception>
    public async Task<Rollout> StartAsync(RolloutRequest request, Actor actor, CancellationToken ct)
    {
        var problems = RolloutRules.Problems(request);
        ValidationException.ThrowIfAny(problems);
        var chosen = new List<Site>();
        if (request.All) chosen.AddRange(await rollouts.ActiveSitesAsync(ct));
        foreach (var name in request.Sites)
        {
            var site = await sites.FindByNameAsync(name, ct);
            if (site is null) problems.AddAll("sites", [$"no site named '{name}'."]);
            else if (site.State != SiteState.Active) problems.AddAll("sites", [$"'{name}' is {site.State}: only Active sites are upgraded."]);
            else chosen.Add(site);
        }
        if (request.All && chosen.Count == 0) problems.AddAll("sites", ["there is no Active site to upgrade."]);
        ValidationException.ThrowIfAny(problems);
        if ((await rollouts.ListAsync(20, ct)).FirstOrDefault(r => r.State is RolloutState.Running or RolloutState.Paused) is { } open)
            throw new ConflictException($"Rollout {open.Id} of {open.Image} is {open.State}: cancel it (press upgrade cancel {open.Id}) before starting another.");

        var (canary, waveSize, maxFailures) = (request.Canary ?? RolloutRules.DefaultCanary, request.WaveSize ?? RolloutRules.DefaultWaveSize,
            request.MaxFailures ?? RolloutRules.DefaultMaxFailures);
        var plan = RolloutRules.Plan(chosen, canary, waveSize)
            .Select(p => new RolloutSite(p.Site.Id, p.Site.Name, p.Wave, RolloutSiteState.Pending, null, null)).ToList();
        var rollout = new Rollout(Guid.CreateVersion7(), request.Image!, RolloutState.Running, canary, waveSize, maxFailures, actor.Name,
            time.GetUtcNow(), null, plan) { Rehearse = request.Rehearse };
        await rollouts.CreateAsync(rollout, actor.Did("upgrade.start", target: rollout.Id.ToString(), details: new Dictionary<string, string>
        {
            ["image"] = rollout.Image, ["sites"] = plan.Count.ToString(), ["canary"] = canary.ToString(),
            ["waveSize"] = waveSize.ToString(), ["maxFailures"] = maxFailures.ToString(), ["rehearse"] = request.Rehearse ? "true" : "false",
        }), ct);
        try { await signals.WakeWorkersAsync(ct); } catch (Exception) when (!ct.IsCancellationRequested) { }
        return rollout;
    }

    public Task<Rollout> PauseAsync(Guid id, Actor actor, CancellationToken ct) =>
        ChangeAsync(id, RolloutState.Paused, [RolloutState.Running], actor, "upgrade.pause", $"paused by {actor.Name}", ct);

    /// <summary>Goes on, accepting the failures so far (the budget counts only new ones).</summary>
    public async Task<Rollout> ResumeAsync(Guid id, Actor actor, CancellationToken ct)
    {
        var rollout = await rollouts.GetAsync(id, ct) ?? throw new NotFoundException($"No rollout {id}.");
        return await ChangeAsync(id, RolloutState.Running, [RolloutState.Paused], actor, "upgrade.resume", null, ct, rollout.Failures);
    }

    /// <summary>No further site is started; upgrades already running finish (or undo themselves) as jobs.</summary>
    public Task<Rollout> CancelAsync(Guid id, Actor actor, CancellationToken ct) =>
        ChangeAsync(id, RolloutState.Cancelled, [RolloutState.Running, RolloutState.Paused], actor, "upgrade.cancel", $"cancelled by {actor.Name}", ct);

    private async Task<Rollout> ChangeAsync(Guid id, RolloutState to, IReadOnlyList<RolloutState> from, Actor actor, string action, string? reason,
        CancellationToken ct, int? accept = null)
    {
        var rollout = await rollouts.GetAsync(id, ct) ?? throw new NotFoundException($"No rollout {id}.");
        if (!await rollouts.SetStateAsync(id, to, reason, from, actor.Did(action, target: id.ToString()), ct, accept))
            throw new ConflictException($"Rollout {id} is {rollout.State}: it cannot become {to} (only from {string.Join(" or ", from)}).");
        if (to == RolloutState.Running) try { await signals.WakeWorkersAsync(ct); } catch (Exception) when (!ct.IsCancellationRequested) { }
        return (await rollouts.GetAsync(id, ct))!;
    }
}
