using Press.Core.Sites;
using Press.Manager.Auth;

namespace Press.Manager.Api;

/// <summary>Apps on a running site (docs/architecture.md §19): install (operator) and uninstall (admin: it drops the
/// app's tables and data), each a job that takes a backup first.</summary>
public static class SiteAppsApi
{
    public sealed record InstallAppRequest(string App);

    private static readonly string[] InstallFields = ["app"];

    public static void MapSiteAppsApi(this IEndpointRouteBuilder api)
    {
        var sites = api.MapGroup("/sites").WithTags("Sites");

        sites.MapPost("/{name}/apps", async (string name, HttpContext http, SiteAppOperations apps, CancellationToken ct) =>
            {
                var body = await RequestBody.ReadAsync(http.Request, InstallFields, ct);
                var app = body.RequiredString("app", "\"erpnext\"");
                if (body.Problems.Count > 0) return Problems.Invalid(body.Problems);
                var job = await apps.InstallAsync(name, app, http.Actor(), ct);
                return Results.Accepted($"/api/jobs/{job.Id}", JobDto.From(job));
            })
            .RequireAuthorization(Policies.Operator).DocumentsJsonBody<InstallAppRequest>()
            .Produces<JobDto>(StatusCodes.Status202Accepted).ProducesValidationProblem().ProducesProblem(404).ProducesProblem(409)
            .WithSummary("Install an app of the site's bench on an Active site: returns the InstallApp job (202): a backup, bench install-app, the versions. 400 for an app the bench lacks, one already installed, or frappe.");

        sites.MapDelete("/{name}/apps/{app}", async (string name, string app, HttpContext http, SiteAppOperations apps, CancellationToken ct) =>
            {
                var job = await apps.UninstallAsync(name, app, http.Actor(), ct);
                return Results.Accepted($"/api/jobs/{job.Id}", JobDto.From(job));
            })
            .RequireAuthorization(Policies.Admin)
            .Produces<JobDto>(StatusCodes.Status202Accepted).ProducesValidationProblem().ProducesProblem(404).ProducesProblem(409)
            .WithSummary("Uninstall an app from an Active site (admin: its tables and data are dropped): returns the UninstallApp job (202): a backup, bench uninstall-app, the versions. 400 for an app not installed, one another app requires, or frappe.");
    }
}
