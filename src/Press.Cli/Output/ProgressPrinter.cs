using Press.Cli.Api;
using Press.Cli.Events;

namespace Press.Cli.Output;

/// <summary>
/// Prints one line per step transition, whatever mix of snapshots and events reports it.
/// </summary>
public sealed class ProgressPrinter(TextWriter output) : IJobObserver
{
    private readonly Dictionary<int, (int Attempts, int Rank)> _printed = [];
    private bool _headerPrinted;
    private string? _jobState;

    public void OnJob(Job job)
    {
        if (!_headerPrinted)
        {
            output.WriteLine($"Job {job.Id}: {job.Kind} {job.Site}".TrimEnd());
            _headerPrinted = true;
        }
        foreach (var step in JobView.OrderedSteps(job)) OnStep(step);

        if (job.State == _jobState) return;
        _jobState = job.State;
        // Waiting means a transient failure is backing off (or a step asked to be resumed later).
        if (Job.Is(job.State, JobStates.Waiting))
        {
            var step = JobView.OrderedSteps(job).FirstOrDefault(s => !string.IsNullOrWhiteSpace(s.Error) && Rank(s.State) < 2);
            var why = step?.Error ?? job.Error;
            output.WriteLine(why is null ? "  … waiting" : $"  ↻ {step?.Name ?? "job"} will retry: {Formats.Indent(why, 4)}");
        }
    }

    public void OnStep(JobStep step)
    {
        // Events buffered in the stream can be older than the snapshot taken right after
        // subscribing, so never go backwards: a step only moves forward within an attempt, and a
        // new attempt (retry) has a higher attempt count.
        var position = (step.Attempts, Rank(step.State));
        if (_printed.TryGetValue(step.Ordinal, out var last) && position.CompareTo(last) <= 0) return;
        var line = JobView.StepLine(step);
        if (line is null) return;
        _printed[step.Ordinal] = position;
        output.WriteLine(line);
    }

    private static int Rank(string state) => state switch
    {
        StepStates.Pending => 0,
        StepStates.Running => 1,
        _ => 2,
    };
}
