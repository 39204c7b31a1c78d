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

    private static async Task<IResult> CreateAsync(HttpContext http, TokenCommands tokens, CancellationToken ct)
    {
        var body = await RequestBody.ReadAsync(http.Request, Fields, ct);
        var name = body.RequiredString("name", "\"ci\"");
        var role = body.OptionalString("role");
        var days = body.OptionalInt("expiresInDays");
        if (body.Problems.Count > 0) return Problems.Invalid(body.Problems);
        var minted = await tokens.MintAsync(http.User, http.Actor(), name, role, days, ct);
        if (minted is null) // the calling token was revoked after it authenticated this request
            return Results.Problem(statusCode: 401, title: "Authentication required", detail: "Your token was revoked: use another one.");
        return Results.Created($"/api/tokens/{minted.Id}",
            new TokenDto(minted.Id, minted.Name, minted.Role, minted.Token, minted.CreatedAt, minted.ExpiresAt, minted.ParentId));
    }

    private static async Task<IResult> ListAsync(HttpContext http, TokenCommands tokens, CancellationToken ct) =>
        Results.Ok(new ListDto<TokenInfoDto>((await tokens.ListAsync(http.User, ct)).Select(TokenInfoDto.From).ToList()));

    private static async Task<IResult> RevokeAsync(Guid id, HttpContext http, TokenCommands tokens, CancellationToken ct) =>
        Results.Ok(new TokenRevokedDto(id, await tokens.RevokeAsync(id, http.User, http.Actor(), ct)));
}
