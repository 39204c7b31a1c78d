using System.Net.Http.Headers;
using System.Security.Claims;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Press.Core.Audit;
using Press.Core.Identity;
using Press.Infrastructure.Postgres;

namespace Press.Manager.Auth;

/// <summary>
/// Bearer API tokens on every <c>/api</c> endpoint. HTTP Basic with a local account (the bootstrap admin) is accepted
/// only to mint tokens, so the slow password hash is not paid on every request.
/// </summary>
public sealed class PressAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    IdentityStore identity) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Press";
    public const string RoleClaim = "press_role";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!AuthenticationHeaderValue.TryParse(Request.Headers.Authorization, out var header) || header.Parameter is null)
            return AuthenticateResult.NoResult();

        IdentityStore.Principal? principal = null;
        if (header.Scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase))
            principal = await identity.CheckTokenAsync(header.Parameter, Context.RequestAborted);
        else if (header.Scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase) && Request.Path.StartsWithSegments("/api/tokens"))
            principal = await CheckBasic(header.Parameter);
        else
            return AuthenticateResult.NoResult();

        if (principal is null) return AuthenticateResult.Fail("invalid or expired credentials");
        var claims = new List<Claim> { new(ClaimTypes.Name, principal.UserName), new(RoleClaim, principal.Role), new("uid", principal.UserId.ToString()) };
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName)), SchemeName));
    }

    private async Task<IdentityStore.Principal?> CheckBasic(string parameter)
    {
        string decoded;
        try { decoded = Encoding.UTF8.GetString(Convert.FromBase64String(parameter)); }
        catch (FormatException) { return null; }
        var colon = decoded.IndexOf(':');
        return colon <= 0 ? null : await identity.CheckPasswordAsync(decoded[..colon], decoded[(colon + 1)..], Context.RequestAborted);
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = "Bearer";
        await Results.Problem(statusCode: 401, title: "Authentication required",
            detail: "Send 'Authorization: Bearer <token>'. Mint a token with POST /api/tokens using the admin's credentials.")
            .ExecuteAsync(Context);
    }

    protected override async Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status403Forbidden;
        await Results.Problem(statusCode: 403, title: "Not allowed",
            detail: $"Your role '{Context.User.FindFirstValue(RoleClaim)}' does not allow this operation.").ExecuteAsync(Context);
    }
}

public static class PressPrincipal
{
    public static string Role(this ClaimsPrincipal user) => user.FindFirstValue(PressAuthenticationHandler.RoleClaim) ?? "";

    public static Guid UserId(this ClaimsPrincipal user) => Guid.Parse(user.FindFirstValue("uid")!);

    public static Actor Actor(this HttpContext http) =>
        new(http.User.Identity?.Name ?? "anonymous", http.Connection.RemoteIpAddress?.ToString());
}

public static class Policies
{
    public const string Viewer = Roles.Viewer;
    public const string Operator = Roles.Operator;
    public const string Admin = Roles.Admin;

    public static IServiceCollection AddPressAuth(this IServiceCollection services)
    {
        services.AddAuthentication(PressAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, PressAuthenticationHandler>(PressAuthenticationHandler.SchemeName, null);
        services.AddAuthorizationBuilder()
            .AddPolicy(Viewer, p => p.RequireAssertion(c => Roles.Includes(c.User.Role(), Roles.Viewer)))
            .AddPolicy(Operator, p => p.RequireAssertion(c => Roles.Includes(c.User.Role(), Roles.Operator)))
            .AddPolicy(Admin, p => p.RequireAssertion(c => Roles.Includes(c.User.Role(), Roles.Admin)));
        return services;
    }
}
