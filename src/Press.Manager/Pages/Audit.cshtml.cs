using System.Globalization;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Press.Core.Audit;
using Press.Core.Sites;
using Press.Infrastructure.Postgres;
using Press.Manager.Auth;

namespace Press.Manager.Pages;

/// <summary>
/// The audit log (operator, as <c>GET /api/audit</c>), filtered by site, actor and time; an admin may verify its hash
/// chain (as <c>GET /api/audit/verify</c>) — on request only, since it reads the whole table.
/// </summary>
[Authorize(Policy = Policies.Operator)]
public sealed class AuditModel(SiteQueries queries, AuditChainReader chain) : PressPage
{
    public IReadOnlyList<AuditRecord> Events { get; private set; } = [];
    public AuditChainReport? Chain { get; private set; }
    public string? Site { get; private set; }
    public string? ActorName { get; private set; }
    public string? From { get; private set; }
    public string? To { get; private set; }

    public async Task<IActionResult> OnGetAsync(string? site, string? actor, string? from, string? to, bool verify = false)
    {
        if (verify && !IsAdmin) return Forbid();
        if (verify) Chain = await chain.VerifyAsync(HttpContext.RequestAborted);
        await ListAsync(site, actor, from, to);
        return Page();
    }

    private async Task ListAsync(string? site, string? actor, string? from, string? to)
    {
        (Site, ActorName, From, To) = (Blank(site), Blank(actor), Blank(from), Blank(to));
        var fromTime = Time(From, "from");
        var toTime = Time(To, "to");
        if (Errors.Count > 0) { Response.StatusCode = StatusCodes.Status400BadRequest; return; }
        Events = await queries.ListAuditAsync(Site, ActorName, fromTime, toTime, 200, HttpContext.RequestAborted);
    }

    private static string? Blank(string? v) => string.IsNullOrWhiteSpace(v) ? null : v.Trim();

    private DateTimeOffset? Time(string? value, string field)
    {
        if (value is null) return null;
        if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t)) return t;
        Errors.AddAll(field, [$"'{field}' is not a time: use ISO 8601 in UTC, e.g. 2026-11-27T10:00."]);
        return null;
    }
}
