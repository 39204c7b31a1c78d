using Press.Core.Jobs;
using Press.Core.Ports;

namespace Press.Core.Sites.Steps;

// Steps that go through the runtime port. With the "none" driver they are Skipped with the driver's reason —
// never a silent success.

public sealed class StartRuntimeStep(ISiteRuntime runtime) : IJobStep
{
    public string Name => StepNames.StartRuntime;
    public async Task<StepResult> RunAsync(StepContext c, CancellationToken ct) =>
        RuntimeResult(await runtime.StartAsync(c.Site, ct));

    internal static StepResult RuntimeResult(RuntimeOutcome outcome) =>
        outcome.Applied ? StepResult.Ok(outcome.Message) : StepResult.Skip(outcome.Message);
}

public sealed class StopRuntimeStep(ISiteRuntime runtime) : IJobStep
{
    public string Name => StepNames.StopRuntime;
    public async Task<StepResult> RunAsync(StepContext c, CancellationToken ct) =>
        StartRuntimeStep.RuntimeResult(await runtime.StopAsync(c.Site, ct));
}

public sealed class RemoveRuntimeStep(ISiteRuntime runtime) : IJobStep
{
    public string Name => StepNames.RemoveRuntime;
    public async Task<StepResult> RunAsync(StepContext c, CancellationToken ct) =>
        StartRuntimeStep.RuntimeResult(await runtime.RemoveAsync(c.Site, ct));
}
