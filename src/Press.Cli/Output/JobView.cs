using Press.Cli.Api;

namespace Press.Cli.Output;

/// <summary>Human views of jobs and of single step transitions.</summary>
public static class JobView
{
    public static void WriteDetails(TextWriter output, Job job)
    {
        new Details()
            .Add("Job", job.Id.ToString())
            .Add("Kind", job.Kind)
            .Add("Site", job.Site)
            .Add("State", job.State)
            .Add("Created by", job.CreatedBy)
            .Add("Created", Formats.Time(job.CreatedAt))
            .Add("Started", job.StartedAt is null ? null : Formats.Time(job.StartedAt))
            .Add("Finished", job.FinishedAt is null ? null : Formats.Time(job.FinishedAt))
            .Add("Failed step", job.FailedStep)
            .Add("Error", job.Error)
            .Write(output);

        var steps = OrderedSteps(job);
        if (steps.Count == 0) return;
        output.WriteLine();
        var table = new Table("#", "STEP", "STATE", "ATTEMPTS", "DURATION");
        foreach (var s in steps)
            table.Add(s.Ordinal.ToString(), s.Name, s.State, s.Attempts.ToString(), s.Duration is null ? null : Formats.Duration(s.Duration));
        table.Write(output);
    }

    public static void WriteList(TextWriter output, JobList list)
    {
        if (list.Items.Count == 0)
        {
            output.WriteLine("No jobs.");
            return;
        }
        var table = new Table("ID", "KIND", "SITE", "STATE", "CREATED", "FAILED STEP");
        foreach (var job in list.Items)
            table.Add(job.Id.ToString(), job.Kind, job.Site, job.State, Formats.ShortTime(job.CreatedAt), job.FailedStep);
        table.Write(output);
    }

    /// <summary>One progress line per step transition, or null when there is nothing to say (Pending).</summary>
    public static string? StepLine(JobStep step)
    {
        var attempt = step.Attempts > 1 ? $" (attempt {step.Attempts})" : "";
        return step.State switch
        {
            StepStates.Pending => null,
            StepStates.Running => $"  … {step.Name}{attempt}",
            StepStates.Succeeded => step.Duration is { } d ? $"  ✓ {step.Name} ({Formats.Duration(d)})" : $"  ✓ {step.Name}",
            StepStates.Failed => $"  ✗ {step.Name}: {Formats.Indent(step.Error ?? "failed", 4)}",
            StepStates.Skipped => string.IsNullOrWhiteSpace(step.Output)
                ? $"  – {step.Name} skipped"
                : $"  – {step.Name} skipped: {Formats.Indent(step.Output, 4)}",
            _ => $"  ? {step.Name} {step.State}",
        };
    }

    /// <summary>Final line after --wait / watch; failures go to stderr so scripts see them.</summary>
    public static void WriteOutcome(TextWriter output, TextWriter error, Job job)
    {
        var what = string.IsNullOrEmpty(job.Site) ? job.Kind : $"{job.Kind} {job.Site}";
        if (job.Succeeded)
        {
            var took = job.StartedAt is { } s && job.FinishedAt is { } f ? $" in {Formats.Duration(f - s)}" : "";
            output.WriteLine($"✓ {what} succeeded{took}");
            return;
        }
        var verb = Job.Is(job.State, JobStates.Cancelled) ? "was cancelled" : "failed";
        var at = string.IsNullOrEmpty(job.FailedStep) ? "" : $" at step {job.FailedStep}";
        var why = string.IsNullOrWhiteSpace(job.Error) ? "" : $": {Formats.Indent(job.Error, 4)}";
        error.WriteLine($"✗ {what} {verb}{at}{why}");
        error.WriteLine($"  job {job.Id}; after fixing the cause: press job retry {job.Id} --wait");
    }

    public static IReadOnlyList<JobStep> OrderedSteps(Job job) =>
        (job.Steps ?? []).OrderBy(s => s.Ordinal).ToList();
}
