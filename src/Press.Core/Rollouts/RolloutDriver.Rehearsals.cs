using Press.Core.Audit;
using Press.Core.Jobs;
using Press.Core.Sites;

namespace Press.Core.Rollouts;

// A rollout with --rehearse (docs/architecture.md §20): each site of a wave is rehearsed on a scratch copy first; a
// passed rehearsal starts the site's upgrade, a failed one is the site's failure (not upgraded, the live site untouched).
public sealed partial class RolloutDriver
{
    private Rehearsals.RehearsalOperations Rehearsals =>
        rehearsals ?? throw new InvalidOperationException("this rollout rehearses its sites, but the driver was made without rehearsals");

    /// <summary>Rehearsing before the rehearsal's job exists: a crash between the two is found by
    /// <see cref="FollowRehearsalAsync"/>, which adopts the rehearsal started since the rollout began, or starts it.</summary>
    private async Task<RolloutSite> RehearseAsync(Rollout rollout, RolloutSite member, Actor actor, CancellationToken ct)
    {
        var rehearsing = member with { State = RolloutSiteState.Rehearsing, JobId = null, Detail = null };
        await rollouts.SaveSiteAsync(rollout.Id, rehearsing, ct);
        RolloutSite result;
        try
        {
            var job = await Rehearsals.StartAsync(member.SiteName, rollout.Image, actor, ct);
            result = rehearsing with { JobId = job.Id, Detail = $"rehearsal job {job.Id}" };
        }
        catch (NotFoundException e)
        {
            result = member with { State = RolloutSiteState.Skipped, Detail = e.Message };
        }
        catch (PressException e)
        {
            // No good backup, or the host is full: the site cannot be rehearsed, so it is not upgraded.
            result = member with { State = RolloutSiteState.Failed, Detail = $"not rehearsed, so not upgraded: {e.Message}" };
        }
        await rollouts.SaveSiteAsync(rollout.Id, result, ct);
        return result;
    }

    private async Task<RolloutSite> FollowRehearsalAsync(Rollout rollout, RolloutSite member, Actor actor, CancellationToken ct)
    {
        var job = member.JobId is { } id ? await jobs.GetAsync(id, ct)
            : await Rehearsals.FindAsync(member.SiteId, rollout.Image, rollout.CreatedAt, ct) is { } started ? await jobs.GetAsync(started.Id, ct)
            : null;
        if (job is null && rollout.State != RolloutState.Running)
        {
            // Marked Rehearsing by a tick that stopped before starting the job, and since paused or cancelled.
            var pending = member with { State = RolloutSiteState.Pending, JobId = null, Detail = $"not rehearsed: the rollout is {rollout.State}" };
            await rollouts.SaveSiteAsync(rollout.Id, pending, ct);
            return pending;
        }
        if (job is null) return await RehearseAsync(rollout, member, actor, ct);
        switch (job.State)
        {
            case JobState.Succeeded when rollout.State == RolloutState.Paused:
                // A paused rollout starts no upgrade: the passed rehearsal waits for a resume.
                var waiting = member with { JobId = job.Id, Detail = $"rehearsal job {job.Id} passed; the upgrade starts when the rollout is resumed" };
                if (waiting != member) await rollouts.SaveSiteAsync(rollout.Id, waiting, ct);
                return waiting;
            case JobState.Succeeded when rollout.State != RolloutState.Running:
                var notStarted = member with { State = RolloutSiteState.Pending, JobId = job.Id, Detail = $"rehearsal job {job.Id} passed; not upgraded: the rollout is {rollout.State}" };
                await rollouts.SaveSiteAsync(rollout.Id, notStarted, ct);
                return notStarted;
            case JobState.Succeeded:
                var passed = member with { JobId = job.Id, Detail = $"rehearsal job {job.Id} passed" };
                return await StartAsync(rollout, passed, actor, ct, whileBusy: passed);
            case JobState.Failed or JobState.Cancelled:
                var failed = member with
                {
                    State = RolloutSiteState.Failed, JobId = job.Id,
                    Detail = $"rehearsal job {job.Id} {job.State} at {job.FailedStep}: {FirstLine(job.Error)} (not upgraded; the live site was not touched)",
                };
                await rollouts.SaveSiteAsync(rollout.Id, failed, ct);
                return failed;
            default:
                if (member.JobId == job.Id) return member;
                var adopted = member with { JobId = job.Id, Detail = $"rehearsal job {job.Id}" };
                await rollouts.SaveSiteAsync(rollout.Id, adopted, ct);
                return adopted;
        }
    }
}
