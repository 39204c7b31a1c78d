using System.Security.Claims;
using Press.Manager.Api;
using Press.Manager.Auth;

namespace Press.Manager.Pages;

/// <summary>The first page after sign-in: the morning check (<c>GET /api/overview</c>'s numbers).</summary>
public sealed class IndexModel : PressPage
{
    public string Display => User.FindFirstValue(PressClaims.DisplayName) ?? User.Identity?.Name ?? "";
    public string Method => User.LoginMethod() ?? "";
    public OverviewApi.OverviewDto Overview { get; private set; } = null!;

    public async Task OnGetAsync() => Overview = await OverviewApi.BuildAsync(HttpContext.RequestServices, HttpContext.RequestAborted);
}
