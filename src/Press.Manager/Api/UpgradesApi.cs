using Press.Core.Sites;
using Press.Manager.Auth;

namespace Press.Manager.Api;

/// <summary>The request body of <c>POST /api/sites/{name}/upgrade</c>.</summary>
/// <param name="Image">The runner image to put the site on, e.g. <c>ghcr.io/acme/erpnext:v16.1.0</c>.</param>
public sealed record UpgradeRequest(string Image);

/// <summary>Upgrades of sites to another runner image (docs/architecture.md §18).</summary>
public static class UpgradesApi
{
    private static readonly string[] UpgradeFields = ["image"];

    public static void MapUpgradesApi(this IEndpointRouteBuilder api)
    {
        var sites = api.MapGroup("/sites").WithTags("Sites");

        sites.MapPost("/{name}/upgrade", UpgradeAsync)
            .RequireAuthorization(Policies.Operator)
            .DocumentsJsonBody<UpgradeRequest>()
            .Produces<JobDto>(StatusCodes.Status202Accepted).ProducesValidationProblem().ProducesProblem(404).ProducesProblem(409)
            .WithSummary("Upgrade an active site to another runner image: returns the UpgradeSite job (202). A backup first; any failure restores it and the old image, so the site ends as it was.");
    }

    /// <summary>Shape problems (types, unknown fields) from the body, the image's rules from Core, all at once.</summary>
    private static async Task<IResult> UpgradeAsync(string name, HttpContext http, SiteOperations ops, CancellationToken ct)
    {
        var body = await RequestBody.ReadAsync(http.Request, UpgradeFields, ct);
        var image = body.RequiredString("image", "\"ghcr.io/acme/erpnext:v16.1.0\"");
        if (image is not null)
            foreach (var problem in ImageReferenceRules.Validate(image)) body.Add("image", problem);
        if (body.Problems.Count > 0) return Problems.Invalid(body.Problems);
        var job = await ops.UpgradeAsync(name, image, http.Actor(), ct);
        return Results.Accepted($"/api/jobs/{job.Id}", JobDto.From(job));
    }
}
