using Press.Core.Ports;
using Press.Core.Sites;
using Press.Infrastructure.Postgres;
using Press.Manager.Auth;

namespace Press.Manager.Api;

public static class SitesApi
{
    private static readonly string[] CreateFields = ["name", "apps", "fromBackup"];

    public static void MapSitesApi(this IEndpointRouteBuilder api)
    {
        var sites = api.MapGroup("/sites").WithTags("Sites");

        sites.MapPost("", CreateAsync).RequireAuthorization(Policies.Operator)
            .DocumentsJsonBody<CreateSiteRequest>()
            .Produces<JobDto>(StatusCodes.Status202Accepted).ProducesValidationProblem().ProducesProblem(409)
            .ProducesProblem(404)
            .WithSummary("Create a site: validates, then returns the NewSite job (202). With fromBackup, the site holds that good backup's data and its apps (404 unknown backup, 409 backup not good).");

        sites.MapGet("", ListAsync).RequireAuthorization(Policies.Viewer)
            .Produces<PageDto<SiteDto>>().ProducesValidationProblem()
            .WithSummary("List sites, optionally by state and by part of the name (q), paged (purged sites only when asked for by state); each with its newest good backup and whether backups are stale.");

        sites.MapGet("/{name}", GetAsync).RequireAuthorization(Policies.Viewer)
            .Produces<SiteDto>().ProducesProblem(404).WithSummary("One site: state, apps, location, runtime, domains, newest good backup.");

        MapOperation(sites, "/{name}/suspend", "Suspend the site: returns the SuspendSite job (202).", "POST", Policies.Operator, (ops, n, a, ct) => ops.SuspendAsync(n, a, ct));
        MapOperation(sites, "/{name}/resume", "Resume a suspended site: returns the ResumeSite job (202).", "POST", Policies.Operator, (ops, n, a, ct) => ops.ResumeAsync(n, a, ct));
        MapOperation(sites, "/{name}", "Soft-delete the site (a backup first; data kept for the retention window): returns the DeleteSite job (202).", "DELETE", Policies.Operator, (ops, n, a, ct) => ops.DeleteAsync(n, a, ct));
        MapOperation(sites, "/{name}/undelete", "Undelete a soft-deleted site inside its retention window: returns the UndeleteSite job (202).", "POST", Policies.Operator, (ops, n, a, ct) => ops.UndeleteAsync(n, a, ct));
        MapOperation(sites, "/{name}/purge", "Purge a soft-deleted site for good (admin): returns the PurgeSite job (202).", "POST", Policies.Admin, (ops, n, a, ct) => ops.PurgeAsync(n, a, ct));
        MapOperation(sites, "/{name}/sso", "Give an active site single sign-on: its own OIDC client at the issuer and its Frappe Social Login Key; Frappe's local logins stay. Returns the EnableSso job (202).", "POST", Policies.Operator, (ops, n, a, ct) => ops.EnableSsoAsync(n, a, ct));
    }

    /// <summary>Reads the JSON body (shape problems: types, unknown fields, an id that is not a UUID); the rules of the
    /// domain are Core's (<see cref="SiteOperations.Problems"/>). Every problem of both is reported at once.</summary>
    private static async Task<IResult> CreateAsync(HttpContext http, SiteOperations operations, CancellationToken ct)
    {
        var body = await RequestBody.ReadAsync(http.Request, CreateFields, ct);
        var name = body.RequiredString("name", "\"erp.example.com\"");
        var apps = body.OptionalStringArray("apps");
        var fromBackupText = body.OptionalString("fromBackup");
        Guid? fromBackup = null;
        if (fromBackupText is not null)
        {
            if (Guid.TryParse(fromBackupText, out var backupId)) fromBackup = backupId;
            else body.Add("fromBackup", $"'fromBackup' must be a backup's id (a UUID such as \"0199a3b2-6f1c-7d2e-9a4b-1c2d3e4f5a6b\"), not '{(fromBackupText.Length > 80 ? fromBackupText[..80] + "…" : fromBackupText)}'.");
        }
        var request = new NewSiteRequest(name, apps, fromBackup, FromBackupGiven: fromBackupText is not null);
        foreach (var (field, problems) in operations.Problems(request))
            foreach (var problem in problems) body.Add(field, problem);
        if (body.Problems.Count > 0) return Problems.Invalid(body.Problems);

        var job = await operations.CreateAsync(request, http.Actor(), ct);
        return Results.Accepted($"/api/jobs/{job.Id}", JobDto.From(job));
    }

    private static async Task<IResult> ListAsync(SiteQueries queries, ISiteRuntime runtime, ISettingsStore settings, TimeProvider time,
        string? state, string? q, int? page, int? pageSize, CancellationToken ct)
    {
        var problems = new Dictionary<string, List<string>>();
        SiteState? filter = null;
        if (state is not null)
        {
            if (Enum.TryParse<SiteState>(state, ignoreCase: true, out var parsed) && !int.TryParse(state, out _)) filter = parsed;
            else problems["state"] = [$"Unknown state '{state}': use one of {string.Join(", ", Enum.GetNames<SiteState>())}."];
        }
        if (page is < 1) problems["page"] = ["'page' starts at 1."];
        if (pageSize is < 1 or > 500) problems["pageSize"] = ["'pageSize' must be between 1 and 500."];
        if (q is { Length: > SiteNameRules.MaxLength }) problems["q"] = [$"'q' is part of a site's name: at most {SiteNameRules.MaxLength} characters."];
        if (problems.Count > 0) return Problems.Invalid(problems);

        var (p, size) = (page ?? 1, pageSize ?? 50);
        var (items, total) = await queries.ListSitesAsync(filter, p, size, ct, string.IsNullOrWhiteSpace(q) ? null : q.Trim());
        var hours = (await settings.GetAsync(ct)).BackupStaleAfterHours;
        var now = time.GetUtcNow();
        return Results.Ok(new PageDto<SiteDto>(items.Select(v => SiteDto.From(v, runtime, hours, now)).ToList(), p, size, total));
    }

    private static async Task<IResult> GetAsync(string name, SiteQueries queries, ISiteRuntime runtime, ISettingsStore settings, TimeProvider time,
        CancellationToken ct) =>
        await queries.GetSiteAsync(name, ct) is { } view
            ? Results.Ok(SiteDto.From(view, runtime, (await settings.GetAsync(ct)).BackupStaleAfterHours, time.GetUtcNow()))
            : Results.Problem(statusCode: 404, title: "Not found", detail: SiteErrors.NoSiteNamed(name));

    private delegate Task<Core.Jobs.Job> Operation(SiteOperations ops, string name, Core.Audit.Actor actor, CancellationToken ct);

    private static void MapOperation(RouteGroupBuilder group, string pattern, string summary, string method, string policy, Operation operation) =>
        group.MapMethods(pattern, [method], async (string name, HttpContext http, SiteOperations ops, CancellationToken ct) =>
            {
                var job = await operation(ops, name, http.Actor(), ct);
                return Results.Accepted($"/api/jobs/{job.Id}", JobDto.From(job));
            })
            .RequireAuthorization(policy)
            .Produces<JobDto>(StatusCodes.Status202Accepted).ProducesProblem(404).ProducesProblem(409).WithSummary(summary);
}
