using Press.Testing;

namespace Press.EndToEnd.Tests.Harness;

/// <summary>
/// The processes one test starts (and the shared ones it talks to): all of them end up in failure messages, and the
/// ones the test started are killed when it ends, whatever happened.
/// </summary>
public sealed class Scene(params PressProcess[] shared) : IAsyncDisposable
{
    private readonly Lock _lock = new();
    private readonly List<PressProcess> _started = [];

    public async Task<PressProcess> StartWorkerAsync(PressDatabase db, string name, IDictionary<string, string?>? overrides = null,
        string readyPath = PressProcess.ReadyPath)
    {
        var worker = await PressProcess.StartWorkerAsync(db, name, overrides, readyPath);
        lock (_lock) _started.Add(worker);
        return worker;
    }

    public async Task<PressProcess> StartManagerAsync(PressDatabase db, string name = "manager", IDictionary<string, string?>? overrides = null,
        string readyPath = PressProcess.ReadyPath)
    {
        var manager = await PressProcess.StartManagerAsync(db, name, overrides, readyPath);
        lock (_lock) _started.Add(manager);
        return manager;
    }

    private readonly List<RedisServer> _redis = [];

    public RedisServer Track(RedisServer redis)
    {
        lock (_lock) _redis.Add(redis);
        return redis;
    }

    /// <summary>With <c>PRESS_E2E_LOGS=DIR</c> every process's full output is kept in DIR (for debugging timings).</summary>
    private static void SaveLogs(IEnumerable<ChildProcess> processes)
    {
        if (Environment.GetEnvironmentVariable("PRESS_E2E_LOGS") is not { Length: > 0 } dir) return;
        Directory.CreateDirectory(dir);
        foreach (var p in processes)
            File.WriteAllLines(Path.Combine(dir, $"{DateTime.UtcNow:HHmmss.fff}-{p.Pid}-{string.Concat(p.Name.Split(Path.GetInvalidFileNameChars()))}.log"), p.Log.Lines);
    }

    /// <summary>Every process's recent output, for assertion messages.</summary>
    public string Describe()
    {
        List<string> parts;
        lock (_lock)
            parts = [.. shared.Select(p => p.Describe()), .. _started.Select(p => p.Describe()), .. _redis.Select(r => r.Process.Describe())];
        return "\n" + string.Join("\n", parts);
    }

    public async ValueTask DisposeAsync()
    {
        PressProcess[] started;
        RedisServer[] redis;
        lock (_lock) (started, redis) = (_started.ToArray(), _redis.ToArray());
        SaveLogs([.. started.Select(p => p.Process), .. redis.Select(r => r.Process)]);
        foreach (var p in started) await p.DisposeAsync();
        foreach (var r in redis) await r.DisposeAsync();
    }
}
