namespace Press.Core.Jobs;

/// <summary>What a step reports back to the runner: done, skipped, wait-until, or fail(kind).</summary>
public abstract record StepResult
{
    public sealed record Done(string? Output) : StepResult;
    public sealed record Skipped(string Reason) : StepResult;
    public sealed record WaitUntil(DateTimeOffset When, string Output) : StepResult;
    public sealed record Fail(FailureKind Kind, string Error) : StepResult;

    public static StepResult Ok(string? output = null) => new Done(output);
    public static StepResult Skip(string reason) => new Skipped(reason);
    public static StepResult Transient(string error) => new Fail(FailureKind.Transient, error);
    public static StepResult Permanent(string error) => new Fail(FailureKind.Permanent, error);
}
