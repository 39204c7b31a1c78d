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
    LocalLoginService logins) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Press";
    public const string RoleClaim = PressClaims.Role;
    public const string TokenIdClaim = PressClaims.TokenId;
    public const string TokenExpiresClaim = PressClaims.TokenExpires;
    private const string RefusedItem = "press.login-refused";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!AuthenticationHeaderValue.TryParse(Request.Headers.Authorization, out var header) || header.Parameter is null)
            return AuthenticateResult.NoResult();

        IdentityStore.Principal? principal = null;
        var method = "token";
        if (header.Scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase))
            principal = await identity.CheckTokenAsync(header.Parameter, Context.RequestAborted);
        else if (header.Scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase) && Request.Path.StartsWithSegments("/api/tokens"))
            (principal, method) = (await CheckBasic(header.Parameter), "basic");
        else
            return AuthenticateResult.NoResult();

        if (principal is null)
        {
            if (method == "token") LogTokenRefused(Logger, LoginThrottle.AddressKey(Caller.Of(Context).Address));
            return AuthenticateResult.Fail("invalid or expired credentials");
        }
        var claims = PressClaims.For(principal.UserId, principal.UserName, principal.Role, method);
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
        var result = await logins.LoginAsync(decoded[..colon], decoded[(colon + 1)..], Caller.Of(Context), "basic", Context.RequestAborted);
        if (result.Outcome == LocalLoginOutcome.Success) return new IdentityStore.Principal(result.Account!.Id, result.Account.Name, result.Account.Role, null);
        Context.Items[RefusedItem] = result;
        return null;
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        if (Context.Items[RefusedItem] is LocalLoginService.Result { RetryAfter: { } wait })
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
        var detail = Context.Items[RefusedItem] is LocalLoginService.Result { Outcome: LocalLoginOutcome.SsoRequired or LocalLoginOutcome.Disabled } refused
            ? refused.Outcome.Message()
            : "Send 'Authorization: Bearer <token>' (a Press API token, or a JWT access token from the single sign-on issuer). " +
              "Mint a Press token with POST /api/tokens using a local account's credentials.";
        await Results.Problem(statusCode: 401, title: "Authentication required", detail: detail).ExecuteAsync(Context);
    }

    protected override async Task HandleForbiddenAsync(AuthenticationProperties properties) => await PressClaims.ForbiddenAsync(Context);

    [LoggerMessage(LogLevel.Information, "API token refused from {Address}: unknown, expired, revoked, or its owner disabled")]
    private static partial void LogTokenRefused(ILogger logger, string address);
}

public static class PressPrincipal
{
    public static string Role(this ClaimsPrincipal user) => user.FindFirstValue(PressAuthenticationHandler.RoleClaim) ?? "";

    public static Guid UserId(this ClaimsPrincipal user) => Guid.Parse(user.FindFirstValue(PressClaims.UserId)!);

    /// <summary>The API token the request came with; null for HTTP Basic.</summary>
    public static Guid? TokenId(this ClaimsPrincipal user) =>
        user.FindFirstValue(PressAuthenticationHandler.TokenIdClaim) is { } id ? Guid.Parse(id) : null;

    /// <summary>When the request's API token expires; null for HTTP Basic.</summary>
    public static DateTimeOffset? TokenExpiresAt(this ClaimsPrincipal user) =>
        user.FindFirstValue(PressAuthenticationHandler.TokenExpiresClaim) is { } at
            ? DateTimeOffset.Parse(at, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.RoundtripKind)
            : null;

    /// <summary>
    /// Who, and from which client address (behind Traefik: the forwarded one, see <see cref="Caller"/>). The name is the
    /// person's (a local account's name, or <c>sso:&lt;subject&gt;@&lt;issuer&gt;</c>), followed by <c>/token:&lt;id&gt;</c> when
    /// the request came with an API token.
    /// </summary>
    public static Actor Actor(this HttpContext http)
    {
        var person = http.User.Identity?.Name ?? "anonymous";
        var name = http.User.TokenId() is { } token ? UserNames.Token(person, token) : person;
        return new(name, (http.Features.Get<Caller>()?.Address ?? http.Connection.RemoteIpAddress)?.ToString());
    }
}
