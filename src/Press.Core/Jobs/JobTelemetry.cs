using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Press.Core.Jobs;

/// <summary>
/// Press's job series, recorded by <see cref="JobRunner"/> the moment a job or a step finishes — so a scrape reads
/// memory, never the job history (docs/architecture.md §13). The instruments are the BCL's
/// (<see cref="System.Diagnostics.Metrics"/>): Core names and records them; the hosts' OpenTelemetry SDK exports them
/// (Prometheus names: <c>press_job_duration_seconds</c>, <c>press_step_duration_seconds</c>,
/// <c>press_jobs_finished_total</c>). Each series is this process's since it started, as Prometheus counters are.
/// </summary>
public sealed class JobTelemetry
{
    public const string MeterName = "Press.Jobs";

    /// <summary>Traces: one activity per job run and one per step, exported over OTLP when the host enables it.</summary>
    public static readonly ActivitySource Activities = new(MeterName);

    /// <summary>The buckets the hand-written histograms had, kept so dashboards and alerts read the same boundaries.</summary>
    public static readonly IReadOnlyList<double> Buckets = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800];

    private readonly Histogram<double> _jobDuration;
    private readonly Histogram<double> _stepDuration;
    // Read by an observable counter: every kind's Succeeded and Failed are reported from 0 on, whenever the exporter
    // subscribed, so the first failure after a restart is an increase Prometheus can see.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<(JobKind Kind, JobState State), long> _finished = new();

    public JobTelemetry(IMeterFactory meters) : this(meters.Create(MeterName)) { }

    private JobTelemetry(Meter meter)
    {
        var advice = new InstrumentAdvice<double> { HistogramBucketBoundaries = Buckets };
        _jobDuration = meter.CreateHistogram("press.job.duration", "s", "Duration of finished jobs, from their first start.", advice: advice);
        _stepDuration = meter.CreateHistogram("press.step.duration", "s", "Duration of finished job steps (the run that finished them).", advice: advice);
        foreach (var kind in Enum.GetValues<JobKind>())
            foreach (var state in (JobState[])[JobState.Succeeded, JobState.Failed])
                _finished[(kind, state)] = 0;
        meter.CreateObservableCounter("press.jobs.finished",
            () => _finished.Select(p => new Measurement<long>(p.Value, Tags(p.Key.Kind, p.Key.State))).ToList(),
            null, "Jobs that finished, by kind and end state.");
    }

    /// <summary>For a runner built without dependency injection (tests): its own meter, exported by nobody.</summary>
    public static JobTelemetry Standalone() => new(new Meter(MeterName));

    public void JobFinished(JobKind kind, JobState state, TimeSpan duration)
    {
        var tags = Tags(kind, state);
        _jobDuration.Record(Math.Max(0, duration.TotalSeconds), tags);
        _finished.AddOrUpdate((kind, state), 1, (_, n) => n + 1);
    }

    public void StepFinished(JobKind kind, string step, StepState state, TimeSpan duration) =>
        _stepDuration.Record(Math.Max(0, duration.TotalSeconds),
            new KeyValuePair<string, object?>("kind", kind.ToString()),
            new KeyValuePair<string, object?>("step", step),
            new KeyValuePair<string, object?>("state", state.ToString()));

    private static KeyValuePair<string, object?>[] Tags(JobKind kind, JobState state) =>
        [new("kind", kind.ToString()), new("state", state.ToString())];

    /// <summary>The logging scope of a job's run: every line logged under it, by any class, carries these.</summary>
    public static IReadOnlyList<KeyValuePair<string, object?>> JobScope(Job job) =>
        [new("JobId", job.Id), new("JobKind", job.Kind.ToString()), new("SiteName", job.SiteName)];

    public static IReadOnlyList<KeyValuePair<string, object?>> StepScope(string step) => [new("Step", step)];
}
