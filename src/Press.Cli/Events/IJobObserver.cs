using Press.Cli.Api;

namespace Press.Cli.Events;

/// <summary>Receives whatever the follower learns about a job, from events or snapshots alike.</summary>
public interface IJobObserver
{
    /// <summary>A full job (snapshot, poll result or SSE <c>job</c> event).</summary>
    void OnJob(Job job);

    /// <summary>A single step (SSE <c>step</c> event).</summary>
    void OnStep(JobStep step);
}

/// <summary>For --json: progress is not printed, only the final job.</summary>
public sealed class SilentObserver : IJobObserver
{
    public void OnJob(Job job) { }
    public void OnStep(JobStep step) { }
}
