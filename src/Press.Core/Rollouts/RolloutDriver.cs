using Press.Core.Audit;
using Press.Core.Jobs;
using Press.Core.Ports;
using Press.Core.Sites;

namespace Press.Core.Rollouts;

/// <summary>
/// One tick of a running rollout (docs/architecture.md §19): follow the sites upgrading, pause when the failure budget
/// is spent (or a canary failed), and when no site is upgrading start the next wave. Every decision is read back from
/// the store and the jobs, so a tick can stop anywhere (a killed worker) and the next one carries on: a site marked
/// Upgrading without a recorded job adopts the UpgradeSite job its crashed tick started, never a second one — and the
/// one-mutating-job-per-site index refuses a second upgrade of a site anyway. With <see cref="Rollout.Rehearse"/> each site
/// is rehearsed on a scratch copy first (RolloutDriver.Rehearsals.cs, docs/architecture.md §20).
/// </summary>
public sealed partial class RolloutDriver(IRolloutStore rollouts, IJobStore jobs, SiteOperations sites, Rehearsals.RehearsalOperations? rehearsals = null)
{
    public async Task TickAsync(Rollout rollout, CancellationToken ct)
    {
        if (rollout.State is RolloutState.Completed) return;
        var actor = new Actor($"system:rollout:{rollout.Id:N}", null);
        var members = rollout.Sites.ToList();
        for (var i = 0; i < members.Count; i++)
            if (members[i].State == RolloutSiteState.Upgrading)
                members[i] = await FollowAsync(rollout, members[i], actor, ct);
            else if (members[i].State == RolloutSiteState.Rehearsing)
                members[i] = await FollowRehearsalAsync(rollout, members[i], actor, ct);
        // Paused or cancelled: the upgrades and rehearsals already running are followed to their end (so the rollout
        // says how they ended), and nothing else happens.
        if (rollout.State != RolloutState.Running) return;

        if (PauseReason(rollout with { Sites = members }) is { } reason)
        {
            await rollouts.SetStateAsync(rollout.Id, RolloutState.Paused, reason, [RolloutState.Running], null, ct);
            return;
        }
        if (members.Any(m => m.State is RolloutSiteState.Upgrading or RolloutSiteState.Rehearsing)) return;
        var next = members.Where(m => m.State == RolloutSiteState.Pending).Select(m => (int?)m.Wave).Min();
        if (next is not { } wave)
        {
            await rollouts.SetStateAsync(rollout.Id, RolloutState.Completed, Summary(members), [RolloutState.Running], null, ct);
            return;
        }
        // Paused or cancelled by an operator since this tick read the rollout: start nothing.
        if ((await rollouts.GetAsync(rollout.Id, ct))?.State != RolloutState.Running) return;
        foreach (var member in members.Where(m => m.State == RolloutSiteState.Pending && m.Wave == wave))
            if (rollout.Rehearse) await RehearseAsync(rollout, member, actor, ct);
            else await StartAsync(rollout, member, actor, ct);
    }

    /// <summary>Why the rollout must pause now, or null: a failed canary (until resumed), or more failures since the
    /// last resume than the budget allows.</summary>
    public static string? PauseReason(Rollout r)
    {
        var failed = r.Sites.Where(s => s.State == RolloutSiteState.Failed).ToList();
        if (failed.Count <= r.AcceptedFailures) return null;
        var names = string.Join(", ", failed.Select(f => f.SiteName));
        if (r.AcceptedFailures == 0 && failed.Any(f => f.Wave == 0) && r.Canary > 0)
            return $"a canary site failed ({names}): no other site was started. Look at its job, then resume (accepting the failure) or cancel.";
        return failed.Count - r.AcceptedFailures > r.MaxFailures
            ? $"{failed.Count - r.AcceptedFailures} failure(s) since the start or the last resume exceed max-failures {r.MaxFailures} ({names}). Resume to accept them and go on, or cancel."
            : null;
    }

    private async Task<RolloutSite> FollowAsync(Rollout rollout, RolloutSite member, Actor actor, CancellationToken ct)
    {
        if (member.JobId is { } id)
            return await jobs.GetAsync(id, ct) is { } recorded ? await RecordAsync(rollout, member, recorded, ct) : member;
        // Upgrading without a job: the tick that marked it stopped before recording one. Adopt the job it started, or
        // start it now when it never got that far — unless the rollout no longer runs: then the site goes back to Pending.
        if (await rollouts.FindUpgradeJobAsync(member.SiteId, rollout.Image, rollout.CreatedAt, ct) is { } started)
            return await RecordAsync(rollout, member, started, ct);
        if (rollout.State == RolloutState.Running) return await StartAsync(rollout, member, actor, ct);
        var pending = member with { State = RolloutSiteState.Pending, Detail = $"not started: the rollout is {rollout.State}" };
        await rollouts.SaveSiteAsync(rollout.Id, pending, ct);
        return pending;
    }

    private async Task<RolloutSite> RecordAsync(Rollout rollout, RolloutSite member, Job job, CancellationToken ct)
    {
        var followed = job.State switch
        {
            JobState.Succeeded => member with { State = RolloutSiteState.Succeeded, JobId = job.Id, Detail = $"upgraded by job {job.Id}" },
            JobState.Failed or JobState.Cancelled => member with
            {
                State = RolloutSiteState.Failed, JobId = job.Id,
                Detail = $"job {job.Id} {job.State} at {job.FailedStep}: {FirstLine(job.Error)} (its undo put the site back)",
            },
            _ => member with { JobId = job.Id },
        };
        if (followed != member) await rollouts.SaveSiteAsync(rollout.Id, followed, ct);
        return followed;
    }

    /// <param name="whileBusy">What the site stays when another job of it runs (a rehearsed site keeps its passed
    /// rehearsal rather than going back to Pending, which would rehearse it again).</param>
    private async Task<RolloutSite> StartAsync(Rollout rollout, RolloutSite member, Actor actor, CancellationToken ct, RolloutSite? whileBusy = null)
    {
        // Upgrading before the job exists: a crash between the two is found by FollowAsync, which adopts the job.
        var upgrading = member with { State = RolloutSiteState.Upgrading, JobId = null, Detail = null };
        await rollouts.SaveSiteAsync(rollout.Id, upgrading, ct);
        RolloutSite result;
        try
        {
            var job = await sites.UpgradeAsync(member.SiteName, rollout.Image, actor, ct);
            result = upgrading with { JobId = job.Id, Detail = $"job {job.Id}" };
        }
        catch (ConflictException e) when (e.RunningJobId is { } running)
        {
            result = (whileBusy ?? member with { State = RolloutSiteState.Pending }) with { Detail = $"waits for job {running} of the site to end" };
        }
        catch (PressException e)
        {
            result = member with { State = RolloutSiteState.Skipped, Detail = e.Message };
        }
        await rollouts.SaveSiteAsync(rollout.Id, result, ct);
        return result;
    }

    private static string Summary(IReadOnlyList<RolloutSite> members) =>
        string.Join(", ", members.GroupBy(m => m.State).OrderBy(g => g.Key).Select(g => $"{g.Count()} {g.Key.ToString().ToLowerInvariant()}"));

    private static string FirstLine(string? text) => text is null ? "" : text.Split('\n')[0];
}
