using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Press.Core.Identity;
using Press.Infrastructure.Metrics;
using Press.Infrastructure.Postgres;
using Press.Manager.Auth;

namespace Press.Manager.Pages;

/// <summary>
/// The login page: single sign-on while the issuer answers (local form for break-glass accounts), the local form when
/// it does not or is not configured. The page asks <see cref="SsoMonitor"/> (probing when the last probe is older than
/// <c>Press__Oidc__ProbeFreshFor</c>), so an outage shows here within the probe's timeout. Anti-forgery is checked on
/// both forms (Razor Pages validate every POST).
/// </summary>
public sealed class LoginModel(SsoMonitor monitor, LocalLoginService logins, SessionStore sessions, LoginMetrics metrics) : PageModel
{
    public SsoState Sso { get; private set; }
    public string ReturnUrl { get; private set; } = "/";
    public string? Message { get; private set; }
    public string? UserName { get; private set; }

    public async Task OnGetAsync(string? returnUrl, string? error, string? sso, string? signedOut)
    {
        ReturnUrl = SafeReturnUrl(returnUrl);
        Sso = await monitor.CurrentAsync(HttpContext.RequestAborted);
        Message = error switch
        {
            "no_role" => "Your single sign-on account has no Press role: ask an admin of the identity provider to grant one.",
            "disabled" => "Your account is disabled in Press: ask an admin.",
            "sso_failed" or "failure" => "Single sign-on did not complete. Try again, or use a local account if the identity provider is down.",
            _ when sso == "unavailable" => "Single sign-on is unavailable: the identity provider did not answer.",
            _ when signedOut is not null => "You are signed out.",
            _ => null,
        };
    }

    /// <summary>The SSO button: probe the issuer first (short timeout), and challenge only when it answered.</summary>
    public async Task<IActionResult> OnPostSsoAsync(string? returnUrl)
    {
        var target = SafeReturnUrl(returnUrl);
        if (await monitor.ProbeAsync(HttpContext.RequestAborted))
            return Challenge(new AuthenticationProperties { RedirectUri = target }, AuthSetup.Oidc);
        metrics.Login("sso", "unavailable");
        return Redirect($"/login?sso=unavailable&returnUrl={Uri.EscapeDataString(target)}");
    }

    public async Task<IActionResult> OnPostLocalAsync(string? userName, string? password, string? returnUrl)
    {
        ReturnUrl = SafeReturnUrl(returnUrl);
        UserName = userName;
        var caller = Caller.Of(HttpContext);
        var result = await logins.LoginAsync(userName ?? "", password ?? "", caller, "local", HttpContext.RequestAborted);
        if (result.Outcome != LocalLoginOutcome.Success)
        {
            Sso = monitor.State;
            Message = result.Outcome.Message();
            if (result.RetryAfter is { } wait)
            {
                var seconds = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));
                Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
                Message = $"Too many failed logins for this account or from this address: try again in {seconds} s.";
            }
            Response.StatusCode = result.Outcome == LocalLoginOutcome.Throttled ? 429 : 401;
            return Page();
        }
        var account = result.Account!;
        // A new session at every login: a fresh secret and row, whatever cookie came with the request.
        var session = await sessions.OpenAsync(account.Id, account.Role, "local", caller.Address?.ToString(), HttpContext.RequestAborted);
        var claims = PressClaims.For(account.Id, account.Name, account.Role, "local");
        claims.Add(new Claim(PressClaims.SessionSecret, session.Secret));
        claims.Add(new Claim(PressClaims.SessionId, session.Id.ToString()));
        await HttpContext.SignInAsync(AuthSetup.Cookie, new ClaimsPrincipal(new ClaimsIdentity(claims, AuthSetup.Cookie)),
            new AuthenticationProperties { ExpiresUtc = session.ExpiresAt, IsPersistent = false });
        return LocalRedirect(ReturnUrl);
    }

    /// <summary>Only a path on this site (ASP.NET's IsLocalUrl: no scheme, no //host, no /\host); anything else → /.</summary>
    private string SafeReturnUrl(string? returnUrl) => !string.IsNullOrEmpty(returnUrl) && Url.IsLocalUrl(returnUrl) ? returnUrl : "/";
}
