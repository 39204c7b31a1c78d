using System.Globalization;
using System.Text.Json;
using Press.Core.Audit;
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
        api.MapGet("/audit/verify", async (AuditChainReader reader, CancellationToken ct) =>
                Results.Ok(AuditVerifyDto.From(await reader.VerifyAsync(ct))))
            .WithTags("Audit").RequireAuthorization(Policies.Admin).Produces<AuditVerifyDto>()
            .WithSummary("Walks the whole SHA-256 chain of the audit log (docs/architecture.md §14): intact, or the first entry that was changed, removed or written around the log, and the head to keep elsewhere.");
        api.MapGet("/audit/export", ExportAsync).WithTags("Audit").RequireAuthorization(Policies.Operator)
            .Produces<AuditExportLineDto>(contentType: ExportContentType).ProducesValidationProblem()
            .WithSummary("Audit events as JSON lines (one object per line, oldest first, with their chain hashes), streamed; the list's filters.");
    }

    public const string ExportContentType = "application/x-ndjson";

    private static async Task<IResult> ExportAsync(string? site, string? actor, string? from, string? to, AuditChainReader reader,
        HttpContext http, CancellationToken ct)
    {
        var problems = new Dictionary<string, List<string>>();
        var filter = new AuditFilter(site, actor, ParseTime(from, "from", problems), ParseTime(to, "to", problems));
        if (problems.Count > 0) return Problems.Invalid(problems);
        // Headers go out before the first row: a failure mid-stream ends the body early (the client sees a truncated
        // last line), so every line is a complete JSON object and a short export is visible as one.
        http.Response.ContentType = ExportContentType;
        var newline = "\n"u8.ToArray();
        await foreach (var link in reader.ExportAsync(filter, ct))
        {
            await JsonSerializer.SerializeAsync(http.Response.Body, AuditExportLineDto.From(link), ExportJson, ct);
            await http.Response.Body.WriteAsync(newline, ct);
        }
        return Results.Empty;
    }

    private static readonly JsonSerializerOptions ExportJson = new(JsonSerializerDefaults.Web);

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
