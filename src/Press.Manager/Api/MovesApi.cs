using Press.Core.Sites;
using Press.Manager.Auth;

namespace Press.Manager.Api;

/// <summary>The request body of <c>POST /api/sites/{name}/move</c>.</summary>
/// <param name="Database">The site database to move the site to, one Press records (e.g. <c>press_sites_002</c>).</param>
public sealed record MoveSiteRequest(string Database);

/// <summary>A site's move to another site database (docs/architecture.md §16).</summary>
public static class MovesApi
{
    private static readonly string[] MoveFields = ["database"];

    public static void MapMovesApi(this IEndpointRouteBuilder api)
    {
        api.MapGroup("/sites").WithTags("Sites")
            .MapPost("/{name}/move", MoveAsync)
            .RequireAuthorization(Policies.Admin)
            .DocumentsJsonBody<MoveSiteRequest>()
            .Produces<JobDto>(StatusCodes.Status202Accepted).ProducesValidationProblem().ProducesProblem(404).ProducesProblem(409)
            .WithSummary("Move an active site to another site database: returns the MoveSite job (202). A backup, restored into the target " +
                         "database and checked before the site is touched; a short maintenance window for the switch; any failure puts the " +
                         "site back where and as it was. 409 when the site is already there or the target is closed or full.");
    }

    /// <summary>Shape problems (types, unknown fields) from the body, the database's rules from Core.</summary>
    private static async Task<IResult> MoveAsync(string name, HttpContext http, SiteMoves moves, CancellationToken ct)
    {
        var body = await RequestBody.ReadAsync(http.Request, MoveFields, ct);
        var database = body.RequiredString("database", "\"press_sites_002\"");
        if (body.Problems.Count > 0) return Problems.Invalid(body.Problems);
        var job = await moves.MoveAsync(name, database, http.Actor(), ct);
        return Results.Accepted($"/api/jobs/{job.Id}", JobDto.From(job));
    }
}
