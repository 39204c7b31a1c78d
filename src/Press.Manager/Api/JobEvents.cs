using System.Text.Json;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using Press.Core.Jobs;
using Press.Infrastructure.Postgres;
using Press.Infrastructure.Redis;

namespace Press.Manager.Api;

/// <summary>
/// Streams a job's progress as server-sent events. Redis progress messages trigger an immediate re-read; without
/// Redis the stream still works by re-reading Postgres every second. Postgres is the truth either way.
/// </summary>
public static class JobEvents
{
    private static readonly TimeSpan Poll = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan KeepAlive = TimeSpan.FromSeconds(15);

    public static async Task StreamAsync(Guid id, HttpContext http, SiteQueries queries, RedisJobSignals redis,
        IOptions<JsonOptions> json, CancellationToken ct)
    {
        var job = await queries.GetJobAsync(id, ct);
        if (job is null)
        {
            await Results.Problem(statusCode: 404, title: "Not found", detail: $"No job {id}.").ExecuteAsync(http);
            return;
        }

        http.Response.ContentType = "text/event-stream";
        http.Response.Headers.CacheControl = "no-cache";
        http.Response.Headers["X-Accel-Buffering"] = "no";
        var changed = new SemaphoreSlim(0);
        await using var subscription = await TrySubscribe(redis, id, () => changed.Release());

        var options = json.Value.SerializerOptions;
        var sentSteps = new Dictionary<int, StepDto>();
        JobState? sentState = null;
        var lastWrite = DateTime.UtcNow;
        while (!ct.IsCancellationRequested)
        {
            var dto = JobDto.From(job!);
            foreach (var step in dto.Steps.Where(s => !sentSteps.TryGetValue(s.Ordinal, out var sent) || sent != s))
            {
                await Write(http, "step", JsonSerializer.Serialize(StepEventDto.From(id, step), options), ct);
                sentSteps[step.Ordinal] = step;
                lastWrite = DateTime.UtcNow;
            }
            if (sentState != dto.State)
            {
                await Write(http, "job", JsonSerializer.Serialize(dto, options), ct);
                sentState = dto.State;
                lastWrite = DateTime.UtcNow;
            }
            if (dto.State.IsTerminal()) return;
            if (DateTime.UtcNow - lastWrite > KeepAlive)
            {
                await http.Response.WriteAsync(": keep-alive\n\n", ct);
                await http.Response.Body.FlushAsync(ct);
                lastWrite = DateTime.UtcNow;
            }
            try { await changed.WaitAsync(Poll, ct); }
            catch (OperationCanceledException) { return; }
            job = await queries.GetJobAsync(id, ct) ?? job;
        }
    }

    private static async Task Write(HttpContext http, string name, string data, CancellationToken ct)
    {
        await http.Response.WriteAsync($"event: {name}\ndata: {data}\n\n", ct);
        await http.Response.Body.FlushAsync(ct);
    }

    private static async Task<IAsyncDisposable> TrySubscribe(RedisJobSignals redis, Guid id, Action onProgress)
    {
        try { return await redis.SubscribeProgressAsync(id, onProgress); }
        catch (Exception) { return NoSubscription.Instance; } // Redis down: the one-second re-read carries the stream.
    }

    private sealed class NoSubscription : IAsyncDisposable
    {
        public static readonly NoSubscription Instance = new();
        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
