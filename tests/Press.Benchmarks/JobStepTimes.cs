using System.Text.Json;

namespace Press.Benchmarks;

/// <summary>Where a finished job's time went, from its <c>GET /api/jobs/{id}</c> view: a log line per job, how the
/// proxy benchmark shows what a standby claim spends its time on.</summary>
public static class JobStepTimes
{
    /// <summary>Queued, each step's duration, and created → finished (the gaps between steps are claims and retries).</summary>
    public static string Describe(JsonElement job)
    {
        var created = job.GetProperty("createdAt").GetDateTimeOffset();
        var parts = new List<string> { $"queued {(job.GetProperty("startedAt").GetDateTimeOffset() - created).TotalMilliseconds:0} ms" };
        foreach (var step in job.GetProperty("steps").EnumerateArray())
        {
            var ms = step.TryGetProperty("durationMs", out var d) && d.ValueKind == JsonValueKind.Number ? $"{d.GetDouble():0}" : "-";
            parts.Add($"{step.GetProperty("name").GetString()} {ms}");
        }
        var total = (job.GetProperty("finishedAt").GetDateTimeOffset() - created).TotalMilliseconds;
        return $"{string.Join(", ", parts)}; created → finished {total:0} ms";
    }
}
