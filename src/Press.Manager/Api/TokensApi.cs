using Press.Core.Identity;
using Press.Core.Ports;
using Press.Infrastructure.Postgres;
using Press.Manager.Auth;

namespace Press.Manager.Api;

public static class TokensApi
{
    private static readonly string[] Fields = ["name", "role", "expiresInDays"];

    public static void MapTokensApi(this IEndpointRouteBuilder api)
    {
        api.MapPost("/tokens", CreateAsync).WithTags("Tokens").RequireAuthorization(Policies.Viewer)
            .DocumentsJsonBody<CreateTokenRequest>()
            .Produces<TokenDto>(StatusCodes.Status201Created).ProducesValidationProblem()
            .WithSummary("Mint an API token for the caller (Bearer token, or HTTP Basic with a local account). The token is shown once.");
    }

    private static async Task<IResult> CreateAsync(HttpContext http, IdentityStore identity, IAuditLog audit, CancellationToken ct)
    {
        var body = await RequestBody.ReadAsync(http.Request, Fields, ct);
        var name = body.RequiredString("name", "\"ci\"");
        var role = body.OptionalString("role") ?? http.User.Role();
        var days = body.OptionalInt("expiresInDays");
        if (name is { Length: 0 or > 100 }) body.Add("name", "'name' must be 1 to 100 characters.");
        if (!Roles.All.Contains(role)) body.Add("role", $"Unknown role '{role}': use {string.Join(", ", Roles.All)}.");
        else if (!Roles.Includes(http.User.Role(), role)) body.Add("role", $"You are '{http.User.Role()}' and cannot mint a '{role}' token.");
        if (days is < 1 or > 3650) body.Add("expiresInDays", "'expiresInDays' must be between 1 and 3650 (omit it for no expiry).");
        if (body.Problems.Count > 0) return Problems.Invalid(body.Problems);

        var minted = await identity.MintAsync(http.User.UserId(), name!, role, days is { } d ? TimeSpan.FromDays(d) : null, ct);
        await audit.WriteAsync(http.Actor().Did("token.create", target: minted.Id.ToString(),
            details: new Dictionary<string, string> { ["name"] = minted.Name, ["role"] = minted.Role }), ct);
        return Results.Created($"/api/tokens/{minted.Id}",
            new TokenDto(minted.Id, minted.Name, minted.Role, minted.Token, minted.CreatedAt, minted.ExpiresAt));
    }
}
