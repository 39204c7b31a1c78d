using Press.Cli.Api;

namespace Press.Cli.Events;

/// <summary>
/// Reads the job with plain GETs. Before the server was ever reached, failures propagate
/// (so a wrong URL exits 3 at once); afterwards, short outages are ridden out.
/// </summary>
public sealed class PollingSource(PressClient client, TextWriter diagnostics, int maxFailures)
{
    private int _consecutiveFailures;
    private bool _warned;

    public bool HasReachedServer { get; private set; }

    /// <returns>null when the server is temporarily unreachable after having been reached before.</returns>
    public async Task<ApiResult<Job>?> TryGetAsync(Guid id, CancellationToken ct)
    {
        try
        {
            var job = await client.GetJobAsync(id, ct);
            HasReachedServer = true;
            _consecutiveFailures = 0;
            if (_warned) diagnostics.WriteLine("  (connection to Press restored)");
            _warned = false;
            return job;
        }
        catch (PressUnreachableException ex) when (HasReachedServer && ++_consecutiveFailures < maxFailures)
        {
            if (!_warned) diagnostics.WriteLine($"  (lost connection to Press: {ex.Reason}; retrying…)");
            _warned = true;
            return null;
        }
    }

    public async Task<ApiResult<Job>> PollUntilTerminalAsync(
        Guid id, IJobObserver observer, TimeSpan interval, CancellationToken ct)
    {
        while (true)
        {
            var snapshot = await TryGetAsync(id, ct);
            if (snapshot is not null)
            {
                observer.OnJob(snapshot.Value);
                if (snapshot.Value.IsTerminal) return snapshot;
            }
            await Task.Delay(interval, ct);
        }
    }
}
