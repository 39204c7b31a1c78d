using Press.Core.Rehearsals;
using Press.Core.Sites;
using Press.Manager.Auth;

namespace Press.Manager.Api;

/// <summary>The request body of <c>POST /api/sites/{name}/rehearsals</c>.</summary>
/// <param name="Image">The runner image to rehearse the upgrade to, e.g. <c>ghcr.io/acme/erpnext:v16.1.0</c>.</param>
public sealed record RehearseRequest(string Image);

/// <summary>An upgrade rehearsal: what it found, and its scratch copy.</summary>
/// <param name="Id">The rehearsal's id, also its RehearseUpgrade job's id.</param>
/// <param name="Outcome">Running, Passed or Failed.</param>
/// <param name="FailedStep">The job's step the rehearsal failed at (rehearse-migrate: the migration itself).</param>
/// <param name="MigrateSeconds">How long bench migrate ran on the scratch copy, once it ran.</param>
/// <param name="MigrateSucceeded">Whether migrate itself succeeded; null until it ran.</param>
/// <param name="MigrateOutput">The end of migrate's output (its last 40 lines): the patches, or the traceback.</param>
/// <param name="ScratchSite">The scratch site's opaque name; never routed, and dropped when the rehearsal ends.</param>
/// <param name="ScratchState">The scratch site's state: Purged once dropped.</param>
public sealed record RehearsalDto(Guid Id, string Site, string Image, Guid BackupId, string Outcome, string? FailedStep, double? MigrateSeconds,
    bool? MigrateSucceeded, string? MigrateOutput, string ScratchSite, string ScratchState, string CreatedBy, DateTimeOffset CreatedAt,
    DateTimeOffset? FinishedAt)
{
    public static RehearsalDto From(Rehearsal r) => new(r.Id, r.SiteName, r.Image, r.BackupId, r.Outcome.ToString(), r.FailedStep,
        r.MigrateDuration is { } d ? Math.Round(d.TotalSeconds, 3) : null, r.MigrateSucceeded, r.MigrateOutput, r.ScratchName,
        r.ScratchState.ToString(), r.CreatedBy, r.CreatedAt, r.FinishedAt);
}

/// <summary>Upgrade rehearsals on a scratch copy of a site (docs/architecture.md §20): the live site is never touched.</summary>
public static class RehearsalsApi
{
    private static readonly string[] Fields = ["image"];

    public static void MapRehearsalsApi(this IEndpointRouteBuilder api)
    {
        var sites = api.MapGroup("/sites").WithTags("Sites");

        sites.MapPost("/{name}/rehearsals", async (string name, HttpContext http, RehearsalOperations rehearsals, CancellationToken ct) =>
            {
                var body = await RequestBody.ReadAsync(http.Request, Fields, ct);
                var image = body.RequiredString("image", "\"ghcr.io/acme/erpnext:v16.1.0\"");
                if (image is not null)
                    foreach (var problem in ImageReferenceRules.Validate(image)) body.Add("image", problem);
                if (body.Problems.Count > 0) return Problems.Invalid(body.Problems);
                var job = await rehearsals.StartAsync(name, image, http.Actor(), ct);
                return Results.Accepted($"/api/rehearsals/{job.Id}", JobDto.From(job));
            })
            .RequireAuthorization(Policies.Operator).DocumentsJsonBody<RehearseRequest>()
            .Produces<JobDto>(StatusCodes.Status202Accepted).ProducesValidationProblem().ProducesProblem(404).ProducesProblem(409)
            .WithSummary("Rehearse an upgrade: the site's newest good backup is restored as a never-routed scratch site, migrated under the image and health-checked, then dropped. Returns the RehearseUpgrade job (202; its id is the rehearsal's). The live site is never touched. 409 without a good backup.");

        sites.MapGet("/{name}/rehearsals", async (string name, RehearsalOperations rehearsals, CancellationToken ct) =>
                Results.Ok((await rehearsals.ListAsync(name, 50, ct)).Select(RehearsalDto.From).ToList()))
            .RequireAuthorization(Policies.Viewer)
            .Produces<List<RehearsalDto>>().ProducesProblem(404)
            .WithSummary("The site's 50 newest upgrade rehearsals with their outcome, migrate duration and output.");

        api.MapGet("/rehearsals/{id:guid}", async (Guid id, RehearsalOperations rehearsals, CancellationToken ct) =>
                Results.Ok(RehearsalDto.From(await rehearsals.GetAsync(id, ct))))
            .WithTags("Sites").RequireAuthorization(Policies.Viewer)
            .Produces<RehearsalDto>().ProducesProblem(404)
            .WithSummary("One upgrade rehearsal: its outcome, the step it failed at, the migrate duration and the end of migrate's output.");
    }
}
