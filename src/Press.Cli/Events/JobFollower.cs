using System.Text.Json;
using Press.Cli.Api;

namespace Press.Cli.Events;

/// <summary>
/// Follows a job until it is terminal: live over SSE while that works, re-subscribing after a
/// drop, and falling back to polling every second when the stream keeps failing or the server
/// does not offer it.
/// </summary>
public sealed class JobFollower(PressClient client, IJobObserver observer, TextWriter diagnostics)
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan ReconnectDelay = TimeSpan.FromMilliseconds(500);

    // Generous: the server sends keep-alive comments, so a minute of silence means a dead link.
    private static readonly TimeSpan StreamIdleTimeout = TimeSpan.FromSeconds(60);

    // Consecutive stream failures that delivered nothing before giving up on SSE.
    private const int MaxStreamFailures = 3;

    // Once we reached the server, ride out a restart of up to ~30 s instead of abandoning the watch.
    private const int MaxPollFailures = 30;

    private readonly PollingSource _polling = new(client, diagnostics, MaxPollFailures);

    private enum Outcome { Dropped, DroppedAfterEvents, Unsupported }

    /// <returns>The terminal job, with its raw JSON for --json output.</returns>
    public async Task<ApiResult<Job>> FollowAsync(Guid id, CancellationToken ct)
    {
        var failures = 0;
        while (failures < MaxStreamFailures)
        {
            var (final, outcome) = await StreamOnceAsync(id, ct);
            if (final is not null) return final;
            if (outcome == Outcome.Unsupported) break;
            failures = outcome == Outcome.DroppedAfterEvents ? 1 : failures + 1;
            await Task.Delay(ReconnectDelay, ct);
        }
        return await _polling.PollUntilTerminalAsync(id, observer, PollInterval, ct);
    }

    private async Task<(ApiResult<Job>? Final, Outcome Outcome)> StreamOnceAsync(Guid id, CancellationToken ct)
    {
        HttpResponseMessage? response = null;
        var unsupported = false;
        try
        {
            response = await client.OpenJobEventsAsync(id, ct);
        }
        catch (PressApiException)
        {
            // No (usable) event stream here; polling surfaces real API errors such as 404.
            unsupported = true;
        }
        catch (PressUnreachableException) when (_polling.HasReachedServer)
        {
            return (null, Outcome.Dropped);
        }

        using (response)
        {
            // Snapshot *after* subscribing: a transition between the two is then in the stream,
            // and the snapshot prints what happened before we started watching.
            var snapshot = await _polling.TryGetAsync(id, ct);
            if (snapshot is null) return (null, Outcome.Dropped);
            observer.OnJob(snapshot.Value);
            if (snapshot.Value.IsTerminal) return (snapshot, Outcome.Dropped);
            if (response is null) return (null, unsupported ? Outcome.Unsupported : Outcome.Dropped);

            var delivered = false;
            try
            {
                await using var stream = await response.Content.ReadAsStreamAsync(ct);
                await foreach (var sse in SseReader.ReadAsync(stream, StreamIdleTimeout, ct))
                {
                    delivered = true;
                    if (sse.Name == "step")
                    {
                        observer.OnStep(Parse(sse.Data, PressJsonContext.Default.JobStep));
                    }
                    else if (sse.Name == "job")
                    {
                        var job = Parse(sse.Data, PressJsonContext.Default.Job);
                        observer.OnJob(job);
                        if (job.IsTerminal) return (new ApiResult<Job>(job, sse.Data, 200), Outcome.Dropped);
                    }
                }
            }
            catch (Exception ex) when (ex is IOException or HttpRequestException or TimeoutException or JsonException)
            {
                // A broken or garbled stream is not fatal: the next snapshot or poll catches up.
            }
            return (null, delivered ? Outcome.DroppedAfterEvents : Outcome.Dropped);
        }
    }

    private static T Parse<T>(string json, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type) =>
        JsonSerializer.Deserialize(json, type) ?? throw new JsonException("empty event data");
}
