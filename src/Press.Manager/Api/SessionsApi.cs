using Press.Core.Ports;
using Press.Infrastructure.Postgres;
using Press.Manager.Auth;

namespace Press.Manager.Api;

/// <summary><c>/api/sessions</c> (admins only): the live browser sessions, and ending any of them at once.</summary>
public static class SessionsApi
{
    public sealed record SessionDto(Guid Id, string User, string Role, string Method, DateTimeOffset CreatedAt, DateTimeOffset LastSeenAt,
        DateTimeOffset ExpiresAt, string? SourceIp);

    public sealed record SessionEndedDto(Guid Id);

    public static void MapSessionsApi(this IEndpointRouteBuilder api)
    {
        var sessions = api.MapGroup("/sessions").WithTags("Sessions").RequireAuthorization(Policies.Admin);
        sessions.MapGet("", async (SessionStore store, CancellationToken ct) =>
                Results.Ok(new ListDto<SessionDto>((await store.ListLiveAsync(ct)).Select(s =>
                    new SessionDto(s.Id, s.UserName, s.Role, s.Method, s.CreatedAt, s.LastSeenAt, s.ExpiresAt, s.SourceIp)).ToList())))
            .Produces<ListDto<SessionDto>>().WithSummary("Live browser sessions (last use at minute precision), newest first.");
        sessions.MapDelete("/{id:guid}", async (Guid id, HttpContext http, SessionStore store, IAuditLog audit, CancellationToken ct) =>
            {
                if (!await store.EndAsync(id, "ended by " + http.Actor().Name, ct))
                    return Results.Problem(statusCode: 404, title: "Not found", detail: $"No live session {id} (GET /api/sessions lists them).");
                await audit.WriteAsync(http.Actor().Did("session.end", target: id.ToString()), ct);
                return Results.Ok(new SessionEndedDto(id));
            })
            .Produces<SessionEndedDto>().ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("End a session at once: its next request is refused.");
    }
}
