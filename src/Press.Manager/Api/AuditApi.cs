using System.Globalization;
using Press.Infrastructure.Postgres;
using Press.Manager.Auth;

namespace Press.Manager.Api;

public static class AuditApi
{
    public static void MapAuditApi(this IEndpointRouteBuilder api)
    {
        api.MapGet("/audit", ListAsync).WithTags("Audit").RequireAuthorization(Policies.Operator)
            .Produces<ListDto<AuditDto>>().ProducesValidationProblem()
            .WithSummary("Audit events, newest first; filter by site, actor and time (ISO 8601 'from' inclusive, 'to' exclusive).");
    }

    private static async Task<IResult> ListAsync(string? site, string? actor, string? from, string? to, int? limit,
        SiteQueries queries, CancellationToken ct)
    {
        var problems = new Dictionary<string, List<string>>();
        var fromTime = ParseTime(from, "from", problems);
        var toTime = ParseTime(to, "to", problems);
        if (limit is < 1 or > 1000) problems["limit"] = ["'limit' must be between 1 and 1000."];
        if (problems.Count > 0) return Problems.Invalid(problems);
        var events = await queries.ListAuditAsync(site, actor, fromTime, toTime, limit ?? 100, ct);
        return Results.Ok(new ListDto<AuditDto>(events.Select(AuditDto.From).ToList()));
    }

    private static DateTimeOffset? ParseTime(string? value, string field, Dictionary<string, List<string>> problems)
    {
        if (value is null) return null;
        if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t)) return t;
        problems[field] = [$"'{field}' is not a time: use ISO 8601, e.g. 2026-11-27T10:00:00Z."];
        return null;
    }
}
