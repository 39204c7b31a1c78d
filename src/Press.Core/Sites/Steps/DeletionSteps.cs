using Press.Core.Jobs;
using Press.Core.Ports;

namespace Press.Core.Sites.Steps;

/// <summary>Records when the site was deleted and when it may be purged (retention from settings).</summary>
public sealed class MarkDeletedStep(ISiteStore sites, ISettingsStore settings, TimeProvider time) : IJobStep
{
    public string Name => StepNames.MarkDeleted;

    public async Task<StepResult> RunAsync(StepContext c, CancellationToken ct)
    {
        if (c.Site.DeletedAt is { } already)
            return StepResult.Ok($"already marked deleted at {already:O}; purge after {c.Site.PurgeAfter:O}");
        var now = time.GetUtcNow();
        var purgeAfter = now + (await settings.GetAsync(ct)).SoftDeleteRetention;
        await sites.MarkDeletedAsync(c.Site.Id, now, purgeAfter, ct);
        return StepResult.Ok($"deleted at {now:O}; kept until {purgeAfter:O}");
    }
}

/// <summary>Undelete is only possible inside the retention window; after it, the purge may already have begun.</summary>
public sealed class CheckRetentionStep(TimeProvider time) : IJobStep
{
    public string Name => StepNames.CheckRetention;

    public Task<StepResult> RunAsync(StepContext c, CancellationToken ct)
    {
        var result = c.Site.PurgeAfter is { } purgeAfter && purgeAfter <= time.GetUtcNow()
            ? StepResult.Permanent($"the retention window ended at {purgeAfter:O}; the site can no longer be undeleted")
            : StepResult.Ok($"inside the retention window (purge after {c.Site.PurgeAfter:O})");
        return Task.FromResult(result);
    }
}

public sealed class ClearDeletionStep(ISiteStore sites) : IJobStep
{
    public string Name => StepNames.ClearDeletion;

    public async Task<StepResult> RunAsync(StepContext c, CancellationToken ct)
    {
        await sites.ClearDeletionAsync(c.Site.Id, ct);
        return StepResult.Ok("deletion marks cleared");
    }
}
