using Press.Core.Sites;
using Press.Manager.Auth;

namespace Press.Manager.Api;

/// <summary>
/// Custom domains: extra host names of a site, routed like the site's own name (docs/architecture.md §8). A domain is a DNS
/// host name by the same rules as site names, unique across sites, and neither a live site's name nor Press's own
/// host name.
/// </summary>
public static class DomainsApi
{
    public sealed record AddDomainRequest(string Domain);

    public sealed record DomainsDto(string Site, IReadOnlyList<string> Domains);

    private static readonly string[] AddFields = ["domain"];

    public static void MapDomainsApi(this IEndpointRouteBuilder api)
    {
        var sites = api.MapGroup("/sites").WithTags("Sites");

        sites.MapPost("/{name}/domains", AddAsync).RequireAuthorization(Policies.Operator)
            .DocumentsJsonBody<AddDomainRequest>()
            .Produces<DomainsDto>(StatusCodes.Status201Created).ProducesValidationProblem().ProducesProblem(404).ProducesProblem(409)
            .WithSummary("Add a custom domain (an extra host name) to a site; returns the site's domains (201).");

        sites.MapDelete("/{name}/domains/{domain}", RemoveAsync).RequireAuthorization(Policies.Operator)
            .Produces(StatusCodes.Status204NoContent).ProducesProblem(404)
            .WithSummary("Remove a custom domain from a site (204).");
    }

    private static async Task<IResult> AddAsync(string name, HttpContext http, DomainOperations domains, CancellationToken ct)
    {
        var body = await RequestBody.ReadAsync(http.Request, AddFields, ct);
        var domain = body.RequiredString("domain", "\"shop.example.org\"");
        if (domain is not null)
            foreach (var problem in domains.Problems(domain)) body.Add("domain", problem);
        if (body.Problems.Count > 0) return Problems.Invalid(body.Problems);

        return Results.Created($"/api/sites/{name}", new DomainsDto(name, await domains.AddAsync(name, domain, http.Actor(), ct)));
    }

    private static async Task<IResult> RemoveAsync(string name, string domain, HttpContext http, DomainOperations domains, CancellationToken ct)
    {
        await domains.RemoveAsync(name, domain, http.Actor(), ct);
        return Results.NoContent();
    }
}
