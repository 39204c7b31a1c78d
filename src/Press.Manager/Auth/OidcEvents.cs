using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Press.Core.Audit;
using Press.Core.Identity;
using Press.Core.Ports;
using Press.Infrastructure.Metrics;
using Press.Infrastructure.Postgres;

namespace Press.Manager.Auth;

/// <summary>
/// What Press does with a token the OIDC or JWT bearer handler has validated (signature, exact issuer, audience, lifetime,
/// and for the browser flow nonce and PKCE): find the Press role at <see cref="OidcOptions.RolesClaim"/> (none: refused),
/// record the person by issuer and subject (never by e-mail), refuse a disabled one, and, for a browser, open a
/// server-side session. Each attempt is logged (no token is ever logged) and counted.
/// </summary>
public sealed partial class OidcEvents(OidcOptions options, IdentityStore identity, SessionStore sessions, IAuditLog audit,
    LoginMetrics metrics, ILogger<OidcEvents> logger)
{
    public OpenIdConnectEvents Browser => new()
    {
        OnTokenValidated = BrowserSignedInAsync,
        OnRemoteFailure = RemoteFailureAsync,
    };

    public JwtBearerEvents Bearer => new()
    {
        OnTokenValidated = BearerValidatedAsync,
        OnAuthenticationFailed = c =>
        {
            LogBearerRefused(logger, c.Exception.GetType().Name);
            return Task.CompletedTask;
        },
        OnChallenge = async c =>
        {
            c.HandleResponse();
            c.Response.StatusCode = 401;
            c.Response.Headers.WWWAuthenticate = "Bearer";
            await Results.Problem(statusCode: 401, title: "Authentication required",
                detail: "The bearer token was refused (expired, not for this audience, not from the configured issuer, or the person has no " +
                        "Press role or is disabled). Get a new access token from the issuer, or use a Press API token.").ExecuteAsync(c.HttpContext);
        },
        OnForbidden = c => PressClaims.ForbiddenAsync(c.HttpContext),
    };

    private async Task BrowserSignedInAsync(Microsoft.AspNetCore.Authentication.OpenIdConnect.TokenValidatedContext context)
    {
        var idToken = context.TokenEndpointResponse?.IdToken ?? context.ProtocolMessage.IdToken;
        var person = await PersonAsync(idToken, context.HttpContext.RequestAborted);
        if (person.Problem is { } problem)
        {
            metrics.Login("sso", person.Outcome);
            context.HttpContext.Items[RefusedItem] = person.Outcome;
            LogSsoRefused(logger, person.Name ?? "(no subject)", problem);
            // Only a sign-in the issuer vouched for gets here, so the issuer bounds how often this is written.
            await audit.WriteAsync(new AuditEntry(person.Name ?? "(no subject)", "login.sso.refused", null, null,
                new Dictionary<string, string> { ["outcome"] = person.Outcome, ["problem"] = problem }, Caller.Of(context.HttpContext).Address?.ToString()),
                context.HttpContext.RequestAborted);
            context.Fail(problem);
            return;
        }
        var caller = Caller.Of(context.HttpContext);
        var session = await sessions.OpenAsync(person.UserId, person.Role!, "sso", caller.Address?.ToString(), context.HttpContext.RequestAborted);
        var claims = PressClaims.For(person.UserId, person.Name!, person.Role!, "sso");
        claims.Add(new Claim(PressClaims.SessionSecret, session.Secret));
        claims.Add(new Claim(PressClaims.SessionId, session.Id.ToString()));
        claims.Add(new Claim(PressClaims.DisplayName, person.Display ?? person.Name!));
        context.Principal = new ClaimsPrincipal(new ClaimsIdentity(claims, AuthSetup.Cookie));
        // Only the ID token is kept in the (encrypted) cookie: the IdP logout needs it as id_token_hint.
        context.Properties!.StoreTokens([new AuthenticationToken { Name = "id_token", Value = idToken }]);
        context.Properties!.ExpiresUtc = session.ExpiresAt;
        await identity.MarkLoginAsync(person.UserId, context.HttpContext.RequestAborted);
        metrics.Login("sso", "success");
        LogSsoSignedIn(logger, person.Name!, person.Role!, caller.Address?.ToString() ?? "unknown");
        await audit.WriteAsync(new AuditEntry(person.Name!, "login.sso", null, person.UserId.ToString(),
            new Dictionary<string, string> { ["role"] = person.Role!, ["session"] = session.Id.ToString() }, caller.Address?.ToString()),
            context.HttpContext.RequestAborted);
    }

    private const string RefusedItem = "press.sso-refused";

    /// <summary>Any failure of the browser flow (refused above, or the IdP's error, or a bad state) goes back to the login page.</summary>
    private Task RemoteFailureAsync(RemoteFailureContext context)
    {
        var refused = context.HttpContext.Items[RefusedItem] as string;
        if (refused is null)
        {
            // Counted and logged, not audited: anyone can post a bad state or error to the callback, and an audit entry
            // per anonymous request would let them grow the log (and hold its chain lock) at will.
            metrics.Login("sso", "failure");
            LogSsoFailed(logger, context.Failure?.GetType().Name ?? "unknown", context.Failure?.Message ?? "");
        }
        context.Response.Redirect($"/login?error={refused ?? "sso_failed"}");
        context.HandleResponse();
        return Task.CompletedTask;
    }

    private async Task BearerValidatedAsync(Microsoft.AspNetCore.Authentication.JwtBearer.TokenValidatedContext context)
    {
        var raw = context.SecurityToken is JsonWebToken jwt ? jwt.EncodedToken : null;
        var person = await PersonAsync(raw, context.HttpContext.RequestAborted);
        if (person.Problem is { } problem)
        {
            LogBearerRefused(logger, problem);
            context.Fail(problem);
            return;
        }
        context.Principal = new ClaimsPrincipal(new ClaimsIdentity(PressClaims.For(person.UserId, person.Name!, person.Role!, "jwt"), AuthSetup.Jwt));
    }

    private sealed record Person(Guid UserId, string? Name, string? Role, string? Display, string? Problem, string Outcome);

    /// <summary>The Press person behind a validated token (its payload is read only after the handler validated it).</summary>
    private async Task<Person> PersonAsync(string? token, CancellationToken ct)
    {
        if (token?.Split('.') is not [_, var payloadPart, _])
            return new Person(Guid.Empty, null, null, null, "the token is not a signed JWT", "failure");
        using var payload = JsonDocument.Parse(Base64UrlEncoder.Decode(payloadPart));
        var root = payload.RootElement;
        var issuer = Text(root, "iss");
        var subject = Text(root, "sub");
        if (issuer is null || subject is null) return new Person(Guid.Empty, null, null, null, "the token has no issuer or subject", "failure");
        var name = UserNames.Sso(issuer, subject);
        var role = RoleMapping.PressRole(root, options);
        if (role is null)
            return new Person(Guid.Empty, name, null, null,
                $"no Press role: the issuer granted none of the mapped roles at '{options.RolesClaim}'", "no_role");
        var display = Text(root, "preferred_username") ?? Text(root, "name");
        var recorded = await identity.RecordSsoPersonAsync(issuer, subject, display, role, ct);
        return recorded.Disabled
            ? new Person(recorded.UserId, name, role, display, "the account is disabled in Press", "disabled")
            : new Person(recorded.UserId, recorded.UserName, role, display, null, "success");
    }

    private static string? Text(JsonElement root, string name) =>
        root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String && v.GetString() is { Length: > 0 } s ? s : null;

    [LoggerMessage(LogLevel.Information, "SSO login succeeded for {Person} as {Role} from {Address}")]
    private static partial void LogSsoSignedIn(ILogger logger, string person, string role, string address);

    [LoggerMessage(LogLevel.Information, "SSO login refused for {Person}: {Problem}")]
    private static partial void LogSsoRefused(ILogger logger, string person, string problem);

    [LoggerMessage(LogLevel.Warning, "SSO login failed ({Error}): {Message}")]
    private static partial void LogSsoFailed(ILogger logger, string error, string message);

    [LoggerMessage(LogLevel.Information, "Bearer JWT refused: {Problem}")]
    private static partial void LogBearerRefused(ILogger logger, string problem);
}
