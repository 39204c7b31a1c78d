namespace Press.Core.Jobs;

/// <summary>Job states of docs/architecture.md §3; the names are part of the API.</summary>
public enum JobState { Queued, Running, Waiting, Succeeded, Failed, Cancelled }

/// <summary>Step states of docs/architecture.md §3; the names are part of the API.</summary>
public enum StepState { Pending, Running, Succeeded, Failed, Skipped }

public enum JobKind
{
    NewSite, SuspendSite, ResumeSite, DeleteSite, UndeleteSite, PurgeSite,
    BackupSite, RestoreSite, RollbackRestore, DiscardRestore, VerifyBackup, NewSiteFromBackup,
    EnableSso,
    ChangeLimits,
    UpgradeSite,
    InstallApp, UninstallApp,
    ClaimStandby,
    MoveSite,
    RehearseUpgrade,
}

/// <summary>Whose side a failure is on decides whether retrying can help.</summary>
public enum FailureKind
{
    /// <summary>Worth retrying by itself (a dropped connection, a timeout).</summary>
    Transient,
    /// <summary>Retrying the same thing will fail again; the operator must act, then retry from the step.</summary>
    Permanent,
}

public static class JobStates
{
    public static bool IsTerminal(this JobState state) =>
        state is JobState.Succeeded or JobState.Failed or JobState.Cancelled;
}
