namespace Press.Core.Jobs;

/// <summary>
/// Adapters translate vendor errors into this at their boundary (house style: classify by whose side failed), so
/// the runner knows whether a retry can help without knowing Npgsql or Docker.
/// </summary>
public sealed class StepFailedException(FailureKind kind, string message, Exception? inner = null)
    : Exception(message, inner)
{
    public FailureKind Kind { get; } = kind;
}
