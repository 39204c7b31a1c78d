using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Press.Manager.Auth;

namespace Press.Manager.Pages;

/// <summary>The landing page after sign-in (the web UI builds on it).</summary>
[Authorize(Policy = Policies.Viewer)]
public sealed class IndexModel : PageModel
{
    public string Display => User.FindFirstValue(PressClaims.DisplayName) ?? User.Identity?.Name ?? "";
    public string Role => User.FindFirstValue(PressClaims.Role) ?? "";
    public string Method => User.LoginMethod() ?? "";
}
