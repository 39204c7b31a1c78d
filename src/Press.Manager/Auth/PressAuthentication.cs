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
/// Bearer API tokens on every <c>/api</c> endpoint (and the diagnostic ones). HTTP Basic with a local account (the
/// bootstrap admin) is accepted only on <c>/api/tokens</c>, so the slow password hash is not paid on every request;
/// it is throttled per account and per source address (<see cref="LoginThrottle"/>: 429 with Retry-After).
/// </summary>
public sealed partial class PressAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    IdentityStore identity,
    LoginThrottle throttle) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Press";
    public const string RoleClaim = "press_role";
    public const string TokenIdClaim = "token_id";
    public const string TokenExpiresClaim = "token_expires";
    private const string ThrottledItem = "press.throttled";

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
        if (principal.TokenId is { } tokenId) claims.Add(new Claim(TokenIdClaim, tokenId.ToString()));
        if (principal.TokenExpiresAt is { } expires) claims.Add(new Claim(TokenExpiresClaim, expires.ToString("O")));
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName)), SchemeName));
    }

    private async Task<IdentityStore.Principal?> CheckBasic(string parameter)
    {
        string decoded;
        try { decoded = Encoding.UTF8.GetString(Convert.FromBase64String(parameter)); }
        catch (FormatException) { return null; }
        var colon = decoded.IndexOf(':');
        if (colon <= 0) return null;
        var (user, password) = (decoded[..colon], decoded[(colon + 1)..]);
        var address = LoginThrottle.AddressKey(Caller.Of(Context).Address);
        if (throttle.RetryAfter(user, address) is { } wait)
        {
            // Not checked at all while blocked: a right guess now would not be told apart from a wrong one.
            Context.Items[ThrottledItem] = wait;
            LogThrottled(Logger, address, (int)Math.Ceiling(wait.TotalSeconds));
            return null;
        }
        var principal = await identity.CheckPasswordAsync(user, password, Context.RequestAborted);
        if (principal is null)
        {
            throttle.Failed(user, address);
            LogLoginFailed(Logger, address);
        }
        else throttle.Succeeded(user);
        return principal;
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        if (Context.Items[ThrottledItem] is TimeSpan wait)
        {
            var seconds = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));
            Response.StatusCode = StatusCodes.Status429TooManyRequests;
            Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            await Results.Problem(statusCode: 429, title: "Too many failed logins",
                detail: $"Too many wrong passwords for this account or from this address: try again in {seconds} s (Retry-After). " +
                        "Nothing was checked or changed.").ExecuteAsync(Context);
            return;
        }
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = "Bearer";
        await Results.Problem(statusCode: 401, title: "Authentication required",
            detail: "Send 'Authorization: Bearer <token>'. Mint a token with POST /api/tokens using the admin's credentials.")
            .ExecuteAsync(Context);
    }

    [LoggerMessage(LogLevel.Warning, "Login throttled for {Address}: retry in {Seconds} s")]
    private static partial void LogThrottled(ILogger logger, string address, int seconds);

    [LoggerMessage(LogLevel.Information, "Wrong user name or password from {Address}")]
    private static partial void LogLoginFailed(ILogger logger, string address);

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

    /// <summary>The API token the request came with; null for HTTP Basic.</summary>
    public static Guid? TokenId(this ClaimsPrincipal user) =>
        user.FindFirstValue(PressAuthenticationHandler.TokenIdClaim) is { } id ? Guid.Parse(id) : null;

    /// <summary>When the request's API token expires; null for HTTP Basic.</summary>
    public static DateTimeOffset? TokenExpiresAt(this ClaimsPrincipal user) =>
        user.FindFirstValue(PressAuthenticationHandler.TokenExpiresClaim) is { } at
            ? DateTimeOffset.Parse(at, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.RoundtripKind)
            : null;

    /// <summary>Who, and from which client address (behind Traefik: the forwarded one, see <see cref="Caller"/>).</summary>
    public static Actor Actor(this HttpContext http) =>
        new(http.User.Identity?.Name ?? "anonymous", (http.Features.Get<Caller>()?.Address ?? http.Connection.RemoteIpAddress)?.ToString());
}

public static class Policies
{
    public const string Viewer = Roles.Viewer;
    public const string Operator = Roles.Operator;
    public const string Admin = Roles.Admin;
    /// <summary>/metrics, /readyz, the OpenAPI document: a loopback caller (a scrape on the host), or any valid token.</summary>
    public const string Diagnostics = "diagnostics";

    public static IServiceCollection AddPressAuth(this IServiceCollection services)
    {
        services.AddSingleton(sp => new LoginThrottle(sp.GetRequiredService<TimeProvider>()));
        services.AddAuthentication(PressAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, PressAuthenticationHandler>(PressAuthenticationHandler.SchemeName, null);
        services.AddAuthorizationBuilder()
            .AddPolicy(Viewer, p => p.RequireAssertion(c => Roles.Includes(c.User.Role(), Roles.Viewer)))
            .AddPolicy(Operator, p => p.RequireAssertion(c => Roles.Includes(c.User.Role(), Roles.Operator)))
            .AddPolicy(Admin, p => p.RequireAssertion(c => Roles.Includes(c.User.Role(), Roles.Admin)))
            .AddPolicy(Diagnostics, p => p.RequireAssertion(c =>
                (c.Resource is HttpContext http && Caller.Of(http).IsLocal) || Roles.Includes(c.User.Role(), Roles.Viewer)));
        return services;
    }
}
