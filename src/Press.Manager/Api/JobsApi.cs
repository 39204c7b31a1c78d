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

        jobs.MapGet("", async (string? site, int? limit, SiteQueries queries, CancellationToken ct) =>
            {
                if (limit is < 1 or > 500)
                    return Problems.Invalid(new() { ["limit"] = ["'limit' must be between 1 and 500."] });
                var list = await queries.ListJobsAsync(site, limit ?? 100, ct);
                return Results.Ok(new ListDto<JobDto>(list.Select(JobDto.From).ToList()));
            })
            .RequireAuthorization(Policies.Viewer).Produces<ListDto<JobDto>>()
            .WithSummary("Recent jobs, newest first, optionally of one site.");

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
}
