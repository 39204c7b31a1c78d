using Press.Core.Ports;

namespace Press.Core.Tests.Fakes;

public sealed class FakeJobSignals : IJobSignals
{
    private int _published;

    public int Wakes { get; private set; }
    public int Published => Volatile.Read(ref _published);
    /// <summary>When set, every publish throws it (Redis down).</summary>
    public Exception? PublishThrows { get; set; }
    public bool IsConnected { get; set; } = true;

    public Task WakeWorkersAsync(CancellationToken ct)
    {
        Wakes++;
        return Task.CompletedTask;
    }

    public Task PublishProgressAsync(Guid jobId, CancellationToken ct)
    {
        Interlocked.Increment(ref _published);
        return PublishThrows is { } ex ? Task.FromException(ex) : Task.CompletedTask;
    }
}
