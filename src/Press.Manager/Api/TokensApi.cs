using System.Security.Claims;
using Press.Core.Identity;
using Press.Core.Ports;
using Press.Infrastructure.Postgres;
using Press.Manager.Auth;

namespace Press.Manager.Api;

/// <summary>
/// <c>/api/tokens</c>: mint (a token of the caller's role or lower, expiring no later than the caller's token and
/// <c>tokens.maxLifetimeDays</c>), list (admins: all; others: the tree under the token they call with), revoke (the
/// token and every token minted under it, from the next request on). Rules: <see cref="TokenRules"/>. Every mint and
/// revocation is audited.
/// </summary>
public static class TokensApi
{
    private static readonly string[] Fields = ["name", "role", "expiresInDays"];

    public static void MapTokensApi(this IEndpointRouteBuilder api)
    {
        var tokens = api.MapGroup("/tokens").WithTags("Tokens").RequireAuthorization(Policies.Viewer);
        tokens.MapPost("", CreateAsync)
            .DocumentsJsonBody<CreateTokenRequest>()
            .Produces<TokenDto>(StatusCodes.Status201Created).ProducesValidationProblem()
            .WithSummary("Mint an API token (Bearer token, or HTTP Basic with a local account). The token is shown once; it expires " +
                         "(at most tokens.maxLifetimeDays, and never after the token that mints it) and has the caller's role or a lower one.");
        tokens.MapGet("", ListAsync)
            .Produces<ListDto<TokenInfoDto>>()
            .WithSummary("API tokens with their last use (minute precision), never their secret: every token for an admin, else the " +
                         "caller's token and the tokens minted under it.");
        tokens.MapDelete("/{id:guid}", RevokeAsync)
            .Produces<TokenRevokedDto>().ProducesProblem(StatusCodes.Status404NotFound)
            .WithSummary("Revoke a token and every token minted under it, from the next request on (404 for a token the caller cannot see).");
    }

    private static TokenCaller Caller(ClaimsPrincipal user) => new(user.UserId(), user.Role(), user.TokenId(), user.TokenExpiresAt());

    private static async Task<IResult> CreateAsync(HttpContext http, IdentityStore identity, ISettingsStore settings, IAuditLog audit,
        TimeProvider time, CancellationToken ct)
    {
        var body = await RequestBody.ReadAsync(http.Request, Fields, ct);
        var name = body.RequiredString("name", "\"ci\"");
        var role = body.OptionalString("role");
        var days = body.OptionalInt("expiresInDays");
        if (body.Problems.Count > 0) return Problems.Invalid(body.Problems);
        var max = (await settings.GetAsync(ct)).TokenMaxLifetimeDays;
        var (plan, problems) = TokenRules.Plan(Caller(http.User), name, role, days, max, time.GetUtcNow());
        foreach (var (field, problem) in problems) body.Add(field, problem);
        if (plan is null) return Problems.Invalid(body.Problems);

        var minted = await identity.MintAsync(http.User.UserId(), plan, ct);
        if (minted is null) // the calling token was revoked after it authenticated this request
            return Results.Problem(statusCode: 401, title: "Authentication required", detail: "Your token was revoked: use another one.");
        await audit.WriteAsync(http.Actor().Did("token.create", target: minted.Id.ToString(), details: Details(http.User,
            ("name", minted.Name), ("role", minted.Role), ("expiresAt", minted.ExpiresAt.ToString("O")), ("parentId", minted.ParentId?.ToString()))), ct);
        return Results.Created($"/api/tokens/{minted.Id}",
            new TokenDto(minted.Id, minted.Name, minted.Role, minted.Token, minted.CreatedAt, minted.ExpiresAt, minted.ParentId));
    }

    private static async Task<IResult> ListAsync(HttpContext http, IdentityStore identity, CancellationToken ct)
    {
        var tokens = await identity.ListTokensAsync(TokenRules.ScopeOf(Caller(http.User)), ct);
        return Results.Ok(new ListDto<TokenInfoDto>(tokens.Select(TokenInfoDto.From).ToList()));
    }

    private static async Task<IResult> RevokeAsync(Guid id, HttpContext http, IdentityStore identity, IAuditLog audit, CancellationToken ct)
    {
        var revoked = await identity.RevokeAsync(id, TokenRules.ScopeOf(Caller(http.User)), ct);
        if (revoked is null)
            return Results.Problem(statusCode: 404, title: "Not found",
                detail: $"No token {id} among the tokens you can see (GET /api/tokens lists them).");
        await audit.WriteAsync(http.Actor().Did("token.revoke", target: id.ToString(),
            details: Details(http.User, ("revoked", revoked.Value.ToString()))), ct);
        return Results.Ok(new TokenRevokedDto(id, revoked.Value));
    }

    /// <summary>Audit details, with the token the caller used (none: a password login).</summary>
    private static Dictionary<string, string> Details(ClaimsPrincipal user, params (string Key, string? Value)[] values)
    {
        var details = values.Where(v => v.Value is not null).ToDictionary(v => v.Key, v => v.Value!);
        details["byToken"] = user.TokenId()?.ToString() ?? "password";
        return details;
    }
}
