using Press.Core.Jobs;
using Press.Core.Sites;
using Press.Infrastructure.Postgres;
using Press.Manager.Auth;

namespace Press.Manager.Api;

public static class JobsApi
{
    public static void MapJobsApi(this IEndpointRouteBuilder api)
    {
        var jobs = api.MapGroup("/jobs").WithTags("Jobs");

        jobs.MapGet("/{id:guid}", async (Guid id, SiteQueries queries, CancellationToken ct) =>
                await queries.GetJobAsync(id, ct) is { } job
                    ? Results.Ok(JobDto.From(job))
                    : Results.Problem(statusCode: 404, title: "Not found", detail: $"No job {id}."))
            .RequireAuthorization(Policies.Viewer).Produces<JobDto>().ProducesProblem(404)
            .WithSummary("A job with its steps: status, timings, output and error.");

        jobs.MapGet("", ListAsync)
            .RequireAuthorization(Policies.Viewer).Produces<ListDto<JobDto>>().ProducesValidationProblem()
            .WithSummary("Recent jobs, newest first, optionally of one site, in one state, of one kind, created since a time (ISO 8601).");

        jobs.MapPost("/{id:guid}/retry", async (Guid id, HttpContext http, SiteOperations ops, CancellationToken ct) =>
            {
                var job = await ops.RetryAsync(id, http.Actor(), ct);
                return Results.Accepted($"/api/jobs/{job.Id}", JobDto.From(job));
            })
            .RequireAuthorization(Policies.Operator).Produces<JobDto>(202).ProducesProblem(404).ProducesProblem(409)
            .WithSummary("Retry a Failed job from its failed step.");

        jobs.MapGet("/{id:guid}/events", JobEvents.StreamAsync)
            .RequireAuthorization(Policies.Viewer).Produces(200, contentType: "text/event-stream").ProducesProblem(404)
            .WithSummary("Server-sent events: 'step' on each step change, 'job' on each job state change; ends when the job does.");
    }

    /// <summary>The job list with its filters (the API's and the jobs page's: one place).</summary>
    public static async Task<IResult> ListAsync(string? site, string? state, string? kind, string? since, int? limit, SiteQueries queries,
        CancellationToken ct)
    {
        var problems = new Dictionary<string, List<string>>();
        var filter = JobFilter.Parse(state, kind, since, limit, problems);
        if (problems.Count > 0) return Problems.Invalid(problems);
        var list = await queries.ListJobsAsync(string.IsNullOrEmpty(site) ? null : site, filter.Limit, ct, filter.State, filter.Kind, filter.Since);
        return Results.Ok(new ListDto<JobDto>(list.Select(JobDto.From).ToList()));
    }
}

/// <summary>The job list's filters, parsed; every bad one is a problem of its field.</summary>
public sealed record JobFilter(JobState? State, JobKind? Kind, DateTimeOffset? Since, int Limit)
{
    public static JobFilter Parse(string? state, string? kind, string? since, int? limit, Dictionary<string, List<string>> problems)
    {
        JobState? s = null;
        JobKind? k = null;
        DateTimeOffset? t = null;
        if (!string.IsNullOrEmpty(state))
        {
            if (Enum.TryParse<JobState>(state, true, out var parsed) && !int.TryParse(state, out _)) s = parsed;
            else problems["state"] = [$"Unknown job state '{Clip(state)}': use one of {string.Join(", ", Enum.GetNames<JobState>())}."];
        }
        if (!string.IsNullOrEmpty(kind))
        {
            if (Enum.TryParse<JobKind>(kind, true, out var parsed) && !int.TryParse(kind, out _)) k = parsed;
            else problems["kind"] = [$"Unknown job kind '{Clip(kind)}': use one of {string.Join(", ", Enum.GetNames<JobKind>())}."];
        }
        if (!string.IsNullOrEmpty(since))
        {
            if (DateTimeOffset.TryParse(since, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var parsed)) t = parsed;
            else problems["since"] = ["'since' is not a time: use ISO 8601, e.g. 2026-11-27T10:00:00Z."];
        }
        if (limit is < 1 or > 500) problems["limit"] = ["'limit' must be between 1 and 500."];
        return new JobFilter(s, k, t, limit ?? 100);
    }

    private static string Clip(string v) => v.Length > 40 ? v[..40] + "…" : v;
}
