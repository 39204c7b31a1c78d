namespace Press.Core.Ports;

/// <summary>
/// A site's own Frappe cache (its Redis database, one per runner port). It must be empty before the port's next
/// site gets it: Frappe's keys carry only the shared db_name, so leftovers would be read by the next tenant.
/// </summary>
public interface ISiteCache
{
    /// <summary>Empties the cache database that goes with <paramref name="runnerPort"/>, returning what it did.</summary>
    Task<string> FlushAsync(int runnerPort, CancellationToken ct);
}
