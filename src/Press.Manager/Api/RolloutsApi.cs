using Press.Core.Rollouts;
using Press.Manager.Auth;

namespace Press.Manager.Api;

/// <summary>Fleet rollouts of a runner image (docs/architecture.md §19), admin only: canary first, then waves; the
/// worker's rollout loop drives them and pauses one whose failures exceed its budget.</summary>
public static class RolloutsApi
{
    public sealed record StartRolloutRequest(string Image, IReadOnlyList<string>? Sites = null, bool All = false, int? Canary = null,
        int? WaveSize = null, int? MaxFailures = null, bool Rehearse = false);

    public sealed record RolloutSiteDto(string Site, int Wave, string State, Guid? JobId, string? Detail);

    public sealed record RolloutDto(Guid Id, string Image, string State, int Canary, int WaveSize, int MaxFailures, int Failures,
        int AcceptedFailures, string? Reason, string CreatedBy, DateTimeOffset CreatedAt, IReadOnlyList<RolloutSiteDto> Sites, bool Rehearse)
    {
        public static RolloutDto From(Rollout r) => new(r.Id, r.Image, r.State.ToString(), r.Canary, r.WaveSize, r.MaxFailures, r.Failures,
            r.AcceptedFailures, r.Reason, r.CreatedBy, r.CreatedAt,
            r.Sites.Select(s => new RolloutSiteDto(s.SiteName, s.Wave, s.State.ToString(), s.JobId, s.Detail)).ToList(), r.Rehearse);
    }

    private static readonly string[] StartFields = ["image", "sites", "all", "canary", "waveSize", "maxFailures", "rehearse"];

    public static void MapRolloutsApi(this IEndpointRouteBuilder api)
    {
        var upgrades = api.MapGroup("/upgrades").WithTags("Upgrades").RequireAuthorization(Policies.Admin);

        upgrades.MapPost("", async (HttpContext http, RolloutOperations rollouts, CancellationToken ct) =>
            {
                var body = await RequestBody.ReadAsync(http.Request, StartFields, ct);
                var request = new RolloutRequest(body.RequiredString("image", "\"frappe/erpnext:v16.1.0\""), body.OptionalStringArray("sites"),
                    body.OptionalBool("all") ?? false, body.OptionalInt("canary"), body.OptionalInt("waveSize"), body.OptionalInt("maxFailures"),
                    body.OptionalBool("rehearse") ?? false);
                if (body.Problems.Count > 0) return Problems.Invalid(body.Problems);
                var rollout = await rollouts.StartAsync(request, http.Actor(), ct);
                return Results.Accepted($"/api/upgrades/{rollout.Id}", RolloutDto.From(rollout));
            })
            .DocumentsJsonBody<StartRolloutRequest>()
            .Produces<RolloutDto>(StatusCodes.Status202Accepted).ProducesValidationProblem().ProducesProblem(409)
            .WithSummary("Start a fleet rollout of a runner image (admin): canary sites first, then waves; it pauses itself when failures exceed maxFailures; with rehearse, each site is rehearsed on a scratch copy first and a failed rehearsal is that site's failure. 409 while another rollout is Running or Paused.");

        upgrades.MapGet("", async (IRolloutStore store, CancellationToken ct) =>
                Results.Ok((await store.ListAsync(50, ct)).Select(RolloutDto.From).ToList()))
            .Produces<List<RolloutDto>>().WithSummary("The 50 newest rollouts with each site's state (admin).");

        upgrades.MapGet("/{id:guid}", async (Guid id, IRolloutStore store, CancellationToken ct) =>
                await store.GetAsync(id, ct) is { } r ? Results.Ok(RolloutDto.From(r))
                    : Results.Problem(statusCode: 404, title: "Not found", detail: $"No rollout {id}."))
            .Produces<RolloutDto>().ProducesProblem(404).WithSummary("One rollout: its state, waves and each site's upgrade job (admin).");

        MapChange(upgrades, "pause", "Pause a running rollout: no further site is started (admin).", (o, id, a, ct) => o.PauseAsync(id, a, ct));
        MapChange(upgrades, "resume", "Resume a paused rollout, accepting its failures so far (admin).", (o, id, a, ct) => o.ResumeAsync(id, a, ct));
        MapChange(upgrades, "cancel", "Cancel a rollout: no further site is started; upgrades running finish or undo themselves (admin).",
            (o, id, a, ct) => o.CancelAsync(id, a, ct));
    }

    private static void MapChange(RouteGroupBuilder group, string verb, string summary,
        Func<RolloutOperations, Guid, Core.Audit.Actor, CancellationToken, Task<Rollout>> change) =>
        group.MapPost($"/{{id:guid}}/{verb}", async (Guid id, HttpContext http, RolloutOperations rollouts, CancellationToken ct) =>
                Results.Ok(RolloutDto.From(await change(rollouts, id, http.Actor(), ct))))
            .Produces<RolloutDto>().ProducesProblem(404).ProducesProblem(409).WithSummary(summary);
}
