using Press.Core.Jobs;

namespace Press.Infrastructure.Tests.Jobs;

/// <summary>
/// The step a test watches. Every run is recorded (start, end, whether its token was cancelled) and the number of runs in
/// progress at once is tracked, so a test can prove one step never ran twice concurrently. The first run is a long
/// step (a restore, <c>bench new-site</c>): it ends when its token is cancelled — or, with
/// <see cref="FirstRunIgnoresCancellation"/>, only when the test calls <see cref="ReleaseFirstRun"/>, like a step that
/// cannot be interrupted. Later runs succeed at once.
/// </summary>
public sealed class ProbeStep(string name) : IJobStep
{
    public sealed record Run(int Number, DateTimeOffset Started, DateTimeOffset? Ended, bool SawCancellation);

    private readonly Lock _gate = new();
    private readonly List<Run> _runs = [];
    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _active;

    public string Name { get; } = name;
    public bool FirstRunIgnoresCancellation { get; init; }
    public int MaxConcurrent { get; private set; }
    public TaskCompletionSource FirstRunStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    public TaskCompletionSource FirstRunEnded { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public IReadOnlyList<Run> Runs
    {
        get { lock (_gate) return _runs.ToList(); }
    }

    public void ReleaseFirstRun() => _release.TrySetResult();

    public async Task<StepResult> RunAsync(StepContext context, CancellationToken ct)
    {
        int number;
        lock (_gate)
        {
            number = _runs.Count + 1;
            _runs.Add(new Run(number, DateTimeOffset.UtcNow, null, false));
            MaxConcurrent = Math.Max(MaxConcurrent, ++_active);
        }
        try
        {
            if (number > 1) return StepResult.Ok($"run {number} of the probe");
            FirstRunStarted.TrySetResult();
            if (FirstRunIgnoresCancellation) await _release.Task;
            else await Task.Delay(Timeout.Infinite, ct);
            return StepResult.Ok("run 1 of the probe");
        }
        finally
        {
            lock (_gate)
            {
                _active--;
                _runs[number - 1] = _runs[number - 1] with { Ended = DateTimeOffset.UtcNow, SawCancellation = ct.IsCancellationRequested };
            }
            if (number == 1) FirstRunEnded.TrySetResult();
        }
    }

    public string Describe() => "\nprobe runs: " + string.Join("; ", Runs.Select(r =>
        $"#{r.Number} {r.Started:HH:mm:ss.fff}–{r.Ended:HH:mm:ss.fff}{(r.SawCancellation ? " (cancelled)" : "")}"));
}

/// <summary>Any other step of the recipe: succeeds at once.</summary>
public sealed class InstantStep(string name) : IJobStep
{
    public string Name { get; } = name;
    public Task<StepResult> RunAsync(StepContext context, CancellationToken ct) => Task.FromResult(StepResult.Ok($"{Name} ok"));
}
