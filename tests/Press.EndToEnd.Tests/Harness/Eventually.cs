namespace Press.EndToEnd.Tests.Harness;

/// <summary>Bounded polling: every wait in these tests ends, and a timeout fails with what the processes logged.</summary>
public static class Eventually
{
    public static readonly TimeSpan DefaultEvery = TimeSpan.FromMilliseconds(150);

    /// <summary>Reads until <paramref name="done"/> holds; returns that value, or fails after <paramref name="timeout"/>.</summary>
    public static async Task<T> Until<T>(Func<Task<T>> read, Func<T, bool> done, TimeSpan timeout, string what,
        Func<string> diagnostics, TimeSpan? every = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        T last = default!;
        Exception? lastError = null;
        var seen = false;
        while (true)
        {
            try
            {
                last = await read();
                seen = true;
                lastError = null;
                if (done(last)) return last;
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or IOException or System.Text.Json.JsonException)
            {
                lastError = ex;
            }
            if (DateTime.UtcNow >= deadline) break;
            await Task.Delay(every ?? DefaultEvery);
        }
        var state = lastError is not null ? $"last error: {lastError.GetType().Name}: {lastError.Message}"
            : seen ? $"last value: {Describe(last)}" : "nothing read";
        Assert.Fail($"Timed out after {timeout.TotalSeconds:0.#} s waiting for {what}; {state}\n{diagnostics()}");
        return last; // unreachable
    }

    public static Task Until(Func<bool> condition, TimeSpan timeout, string what, Func<string> diagnostics) =>
        Until(() => Task.FromResult(condition()), ok => ok, timeout, what, diagnostics);

    private static string Describe<T>(T value) => value switch
    {
        null => "null",
        JobView j => j.Describe(),
        _ => value.ToString() ?? "",
    };
}
