using Press.Core.Ports;
using Press.Infrastructure.Postgres;
using Press.Manager.Api;
using Press.Manager.Auth;

namespace Press.Manager.Pages;

/// <summary>
/// The few non-page endpoints the pages use, under <c>/ui</c>, read-only (GET) and signed in with the session cookie.
/// Why not <c>/api</c>: the API deliberately never reads the cookie (no cross-site request surface), and a browser's
/// EventSource cannot send an Authorization header. These reuse the API's own code (<see cref="JobEvents"/>, the job
/// DTO, the backup part stream), change nothing but the audit log, and are left out of the OpenAPI document (they are
/// the pages', like /press.css); their roles are tested with the pages.
/// </summary>
public static class UiEndpoints
{
    public static void MapUiEndpoints(this IEndpointRouteBuilder app)
    {
        var ui = app.MapGroup("/ui").ExcludeFromDescription();

        // The live job view: the API's stream, as is (every step on each connection, so a reconnect catches up).
        ui.MapGet("/jobs/{id:guid}/events", JobEvents.StreamAsync).RequireAuthorization(Policies.Viewer);

        // The polling fallback when no stream can be had: the API's job document.
        ui.MapGet("/jobs/{id:guid}", async (Guid id, SiteQueries queries, CancellationToken ct) =>
                await queries.GetJobAsync(id, ct) is { } job
                    ? Results.Ok(JobDto.From(job))
                    : Results.Problem(statusCode: 404, title: "Not found", detail: $"No job {id}."))
            .RequireAuthorization(Policies.Viewer);

        // A backup part for the browser (the API's download link is for bearer clients): audited like the API's link.
        ui.MapGet("/backups/{id}/parts/{part}", async (string id, string part, HttpContext http, IBackupStore backups, IObjectStore store,
                IAuditLog audit, CancellationToken ct) =>
            {
                if (Guid.TryParse(id, out var backupId) && await backups.GetAsync(backupId, ct) is { } backup)
                    await audit.WriteAsync(http.Actor().Did("backup.download", backup.SiteName, target: backupId.ToString(),
                        details: new Dictionary<string, string> { ["part"] = part, ["link"] = "page" }), ct);
                return await BackupsApi.StreamPartAsync(id, part, backups, store, ct);
            })
            .RequireAuthorization(Policies.Operator);
    }
}
