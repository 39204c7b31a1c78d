namespace Press.Core.Ports;

/// <summary>
/// Best-effort wake-ups and progress fan-out (Redis). Losing a signal loses nothing: jobs are durable and workers
/// also poll; progress readers also re-read the job.
/// </summary>
public interface IJobSignals
{
    Task WakeWorkersAsync(CancellationToken ct);
    Task PublishProgressAsync(Guid jobId, CancellationToken ct);
    /// <summary>True while the signal transport is connected; false means workers poll slowly.</summary>
    bool IsConnected { get; }
}
