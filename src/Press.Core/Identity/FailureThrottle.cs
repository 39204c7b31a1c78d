namespace Press.Core.Identity;

/// <summary>At most <paramref name="MaxFailures"/> failures within any <paramref name="Window"/>; past that, wait.</summary>
public sealed record ThrottleRule(int MaxFailures, TimeSpan Window);

/// <summary>
/// Counts failures per key (an account, a source address) over a sliding window and says how long a key that had
/// too many must wait. Only failures count, time comes from <see cref="TimeProvider"/>, and memory is bounded
/// (<paramref name="maxKeys"/>: the keys whose failures have all expired go first, then the stalest).
/// Written here because System.Threading.RateLimiting's limiters count every attempt, not failures, and read the
/// system clock; this is the small part of them a login needs. In memory: each manager process counts on its own.
/// </summary>
public sealed class FailureThrottle(ThrottleRule rule, TimeProvider time, int maxKeys = 100_000)
{
    // Per key, the times of its last failures (at most MaxFailures), oldest first.
    private readonly Dictionary<string, Queue<DateTimeOffset>> _failures = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    public ThrottleRule Rule => rule;

    /// <summary>Null when <paramref name="key"/> may try now; else how long until it may.</summary>
    public TimeSpan? RetryAfter(string key)
    {
        lock (_gate)
        {
            if (!_failures.TryGetValue(key, out var failures)) return null;
            var now = time.GetUtcNow();
            Expire(failures, now);
            if (failures.Count == 0) _failures.Remove(key);
            return failures.Count < rule.MaxFailures ? null : failures.Peek() + rule.Window - now;
        }
    }

    public void Failed(string key)
    {
        lock (_gate)
        {
            var now = time.GetUtcNow();
            if (!_failures.TryGetValue(key, out var failures))
            {
                if (_failures.Count >= maxKeys) MakeRoom(now);
                _failures[key] = failures = new Queue<DateTimeOffset>(rule.MaxFailures);
            }
            Expire(failures, now);
            failures.Enqueue(now);
            while (failures.Count > rule.MaxFailures) failures.Dequeue();
        }
    }

    /// <summary>Forgets the key's failures (e.g. its owner logged in).</summary>
    public void Reset(string key)
    {
        lock (_gate) _failures.Remove(key);
    }

    public int TrackedKeys
    {
        get { lock (_gate) return _failures.Count; }
    }

    private void Expire(Queue<DateTimeOffset> failures, DateTimeOffset now)
    {
        while (failures.Count > 0 && failures.Peek() + rule.Window <= now) failures.Dequeue();
    }

    private void MakeRoom(DateTimeOffset now)
    {
        foreach (var (key, failures) in _failures)
        {
            Expire(failures, now);
            if (failures.Count == 0) _failures.Remove(key);
        }
        if (_failures.Count < maxKeys) return;
        var stalest = _failures.MinBy(p => p.Value.Last()).Key;
        _failures.Remove(stalest);
    }
}
