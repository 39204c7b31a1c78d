using Press.Core.Jobs;

namespace Press.Core.Tests.Fakes;

/// <summary>A job step whose behaviour the test supplies; records every context it ran with.</summary>
public sealed class ScriptedStep(string name, Func<StepContext, CancellationToken, Task<StepResult>> run) : IJobStep
{
    private readonly Lock _gate = new();
    private readonly List<StepContext> _runs = [];

    public string Name { get; } = name;

    public IReadOnlyList<StepContext> Runs
    {
        get { lock (_gate) return _runs.ToList(); }
    }

    public static ScriptedStep Returning(string name, StepResult result) => new(name, (_, _) => Task.FromResult(result));

    public static ScriptedStep Throwing(string name, Exception exception) => new(name, (_, _) => Task.FromException<StepResult>(exception));

    public Task<StepResult> RunAsync(StepContext context, CancellationToken cancellationToken)
    {
        lock (_gate) _runs.Add(context);
        return run(context, cancellationToken);
    }
}
