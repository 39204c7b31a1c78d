using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Press.Infrastructure.Postgres;

namespace Press.Manager.Auth;

/// <summary>
/// Every request with a session cookie is checked against the session table (<see cref="SessionStore.CheckAsync"/>): a
/// session that was ended (logout, an admin, the account disabled), idle too long or past its lifetime is refused at
/// once, whatever the cookie says. The role is the session's.
/// </summary>
public sealed class SessionCookie(SessionStore sessions)
{
    public async Task ValidateAsync(CookieValidatePrincipalContext context)
    {
        var secret = context.Principal?.FindFirstValue(PressClaims.SessionSecret);
        var live = secret is null ? null : await sessions.CheckAsync(secret, context.HttpContext.RequestAborted);
        if (live is null)
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(AuthSetup.Cookie);
            return;
        }
        if (context.Principal!.FindFirstValue(PressClaims.Role) != live.Role)
        {
            var claims = context.Principal!.Claims.Where(c => c.Type != PressClaims.Role).Append(new Claim(PressClaims.Role, live.Role));
            context.ReplacePrincipal(new ClaimsPrincipal(new ClaimsIdentity(claims, AuthSetup.Cookie)));
        }
    }
}

public static class PageSecurityHeaders
{
    /// <summary>Security headers on every response that is not the API's (the pages), set before the page writes.</summary>
    public static IApplicationBuilder UsePageSecurityHeaders(this IApplicationBuilder app)
    {
        var oidc = app.ApplicationServices.GetRequiredService<Press.Core.Identity.OidcOptions>();
        var origin = oidc.IsConfigured && Uri.TryCreate(oidc.Authority, UriKind.Absolute, out var a) ? a.GetLeftPart(UriPartial.Authority) : null;
        return app.Use((http, next) =>
        {
            if (!AuthSetup.IsApiPath(http.Request.Path)) Pages.PageStyle.AddSecurityHeaders(http, origin);
            return next(http);
        });
    }
}
