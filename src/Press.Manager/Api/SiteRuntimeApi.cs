using Press.Core.Ports;
using Press.Core.Sites;
using Press.Infrastructure.Postgres;
using Press.Manager.Auth;

namespace Press.Manager.Api;

/// <summary>Site endpoints that reach the runtime: runner logs and the one-time Administrator password.</summary>
public static class SiteRuntimeApi
{
    public sealed record AdminPasswordDto(string Site, string UserName, string Password);

    public sealed record LogsDto(string Site, string Driver, IReadOnlyList<string> Lines);

    public static void MapSiteRuntimeApi(this IEndpointRouteBuilder api)
    {
        var sites = api.MapGroup("/sites").WithTags("Sites");

        sites.MapGet("/{name}/logs", async (string name, int? tail, SiteQueries queries, ISiteRuntime runtime, CancellationToken ct) =>
            {
                if (tail is < 1 or > 5000) return Problems.Invalid(new() { ["tail"] = ["'tail' must be between 1 and 5000."] });
                var view = await queries.GetSiteAsync(name, ct) ?? throw SiteErrors.NotFound(name);
                var lines = await runtime.LogsAsync(view.Site, tail ?? 200, ct);
                return Results.Ok(new LogsDto(name, runtime.Driver, lines));
            })
            .RequireAuthorization(Policies.Operator).Produces<LogsDto>().ProducesProblem(404)
            .WithSummary("The runner's most recent log lines (tail, default 200).");

        sites.MapPost("/{name}/admin-password", async (string name, HttpContext http, SiteQueries queries, ISecretProtector secrets,
                IAuditLog audit, TimeProvider time, CancellationToken ct) =>
            {
                var (sealedPassword, shownAt) = await queries.TakeAdminPasswordAsync(name, time.GetUtcNow(), ct);
                if (sealedPassword is null)
                    throw new ConflictException(shownAt is { } at
                        ? $"The Administrator password of '{name}' was already shown at {at:O}; it is shown only once."
                        : $"Site '{name}' has no Administrator password recorded.");
                await audit.WriteAsync(http.Actor().Did("site.admin-password.read", name), ct);
                return Results.Ok(new AdminPasswordDto(name, "Administrator", secrets.Unprotect(sealedPassword)));
            })
            .RequireAuthorization(Policies.Admin).Produces<AdminPasswordDto>().ProducesProblem(404).ProducesProblem(409)
            .WithSummary("The site's Frappe Administrator password, shown once (admin).");
    }
}
