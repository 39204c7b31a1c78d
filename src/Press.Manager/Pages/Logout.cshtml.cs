using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Press.Core.Identity;
using Press.Core.Ports;
using Press.Infrastructure.Postgres;
using Press.Manager.Auth;

namespace Press.Manager.Pages;

/// <summary>
/// Sign out (POST with anti-forgery): the session row ends (the cookie is worthless from now on), the cookie is dropped,
/// and after a single sign-on login the browser goes on to the issuer's end-session endpoint (with the ID token as hint),
/// when the issuer answers.
/// </summary>
public sealed class LogoutModel(SessionStore sessions, SsoMonitor sso, IAuditLog audit) : PageModel
{
    public void OnGet()
    {
    }

    public async Task<IActionResult> OnPostAsync()
    {
        if (User.Identity?.IsAuthenticated != true) return Redirect("/login?signedOut=1");
        var ssoLogout = User.LoginMethod() == "sso" && sso.State == SsoState.Up;
        if (ssoLogout) // first, while the cookie (holding the ID token) is still readable
            await HttpContext.SignOutAsync(AuthSetup.Oidc, new AuthenticationProperties { RedirectUri = "/login?signedOut=1" });
        await HttpContext.SignOutAsync(AuthSetup.Cookie);
        if (Guid.TryParse(User.FindFirstValue(PressClaims.SessionId), out var id) && await sessions.EndAsync(id, "logout", HttpContext.RequestAborted))
            await audit.WriteAsync(HttpContext.Actor().Did("logout", target: id.ToString(),
                details: new Dictionary<string, string> { ["method"] = User.LoginMethod() ?? "", ["idpLogout"] = ssoLogout ? "true" : "false" }),
                HttpContext.RequestAborted);
        return ssoLogout ? new EmptyResult() : Redirect("/login?signedOut=1");
    }
}
