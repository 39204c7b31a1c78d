using Press.Core.Sites;
using Press.Core.Usage;
using Press.Manager.Auth;

namespace Press.Manager.Api;

/// <summary>A site's usage and its limits (docs/architecture.md §15).</summary>
public static class SiteUsageApi
{
    private static readonly string[] LimitFields = ["memoryMb", "cpus", "databaseCapMb"];

    /// <summary>The override: memory (MiB) and CPUs of each container running the site's code, and a database cap
    /// (MiB) that raises an alert, never blocks. A null or missing field takes the default.</summary>
    public sealed record LimitsRequest(int? MemoryMb, double? Cpus, int? DatabaseCapMb);

    public sealed record LimitsDto(int? MemoryMb, double? Cpus, int? DatabaseCapMb)
    {
        public static LimitsDto From(SiteLimits l) => new(l.MemoryMb, l.Cpus, l.DatabaseCapMb);
    }

    /// <param name="SampledAt">When the worker last measured the site; null before its first sample.</param>
    /// <param name="CpuRatio">CPUs in use between the last two samples (0.5 = half a CPU).</param>
    /// <param name="Requests">Requests through the embedded proxy since the site was created (Traefik's are not counted).</param>
    /// <param name="Limits">The site's override; a null field is the default (runtime.* settings; no cap).</param>
    public sealed record UsageDto(string Site, DateTimeOffset? SampledAt, long? DatabaseBytes, string? DatabaseReason,
        long? DatabaseCapBytes, bool DatabaseOverCap, long? FilesBytes, string? FilesReason, double? CpuRatio, long? MemoryBytes,
        string? RunnerReason, long Requests, long Errors5xx, DateTimeOffset? TrafficAt, LimitsDto Limits)
    {
        public static UsageDto From(SiteUsage u) => new(u.Site, u.SampledAt, u.DatabaseBytes, u.DatabaseReason, u.Limits.DatabaseCapBytes,
            u.DatabaseOverCap, u.FilesBytes, u.FilesReason, u.CpuRatio, u.MemoryBytes, u.RunnerReason, u.Requests, u.Errors5xx, u.TrafficAt,
            LimitsDto.From(u.Limits));
    }

    public static void MapSiteUsageApi(this IEndpointRouteBuilder api)
    {
        var sites = api.MapGroup("/sites").WithTags("Sites");

        sites.MapGet("/{name}/usage", async (string name, Press.Core.Ports.ISiteUsageStore usage, CancellationToken ct) =>
                await usage.GetAsync(name, ct) is { } found
                    ? Results.Ok(UsageDto.From(found))
                    : Results.Problem(statusCode: 404, title: "Not found", detail: $"No site named '{name}'."))
            .RequireAuthorization(Policies.Operator).Produces<UsageDto>().ProducesProblem(404)
            .WithSummary("The site's usage as last sampled: database and files size, runner CPU and memory, requests and 5xx through the embedded proxy, its limits and whether its database is over its cap.");

        sites.MapPut("/{name}/limits", SetLimitsAsync).RequireAuthorization(Policies.Admin)
            .DocumentsJsonBody<LimitsRequest>()
            .Produces<JobDto>(StatusCodes.Status202Accepted).ProducesValidationProblem().ProducesProblem(404).ProducesProblem(409)
            .WithSummary("Set the site's memory and CPU override and its database cap (admin; null fields take the defaults): validates every field, then returns the ChangeLimits job (202) that saves them and recreates the runner.");
    }

    private static async Task<IResult> SetLimitsAsync(string name, HttpContext http, SiteOperations operations, CancellationToken ct)
    {
        var body = await RequestBody.ReadAsync(http.Request, LimitFields, ct);
        var limits = new SiteLimits(body.OptionalInt("memoryMb"), body.OptionalNumber("cpus"), body.OptionalInt("databaseCapMb"));
        foreach (var (field, problems) in limits.Problems())
            foreach (var problem in problems) body.Add(field, problem);
        if (body.Problems.Count > 0) return Problems.Invalid(body.Problems);
        var job = await operations.ChangeLimitsAsync(name, limits, http.Actor(), ct);
        return Results.Accepted($"/api/jobs/{job.Id}", JobDto.From(job));
    }
}
