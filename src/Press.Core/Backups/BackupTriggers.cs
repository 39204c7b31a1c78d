using Press.Core.Jobs;

namespace Press.Core.Backups;

/// <summary>Which recipes record a backup, and why: a rule of the domain, so Core decides it, not the store.</summary>
public static class BackupTriggers
{
    /// <summary>
    /// The trigger to record for a job of <paramref name="recipe"/>, or null when it takes no backup. A delete's and a
    /// restore's backups are always theirs (PreDelete, PreRestore); a backup job's is the one asked for.
    /// </summary>
    public static BackupTrigger? For(JobRecipe recipe, BackupTrigger requested = BackupTrigger.Manual) =>
        !recipe.Steps.Contains(StepNames.BackupDatabase) ? null
        : recipe.Kind switch
        {
            JobKind.DeleteSite => BackupTrigger.PreDelete,
            JobKind.RestoreSite => BackupTrigger.PreRestore,
            JobKind.UpgradeSite => BackupTrigger.PreUpgrade,
            JobKind.MoveSite => BackupTrigger.PreMove,
            _ => requested,
        };
}
