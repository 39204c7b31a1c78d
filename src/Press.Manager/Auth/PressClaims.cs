using System.Security.Claims;

namespace Press.Manager.Auth;

/// <summary>The claims every Press principal carries, whichever way it authenticated.</summary>
public static class PressClaims
{
    public const string Role = "press_role";
    public const string UserId = "uid";
    public const string TokenId = "token_id";
    public const string TokenExpires = "token_expires";
    /// <summary><c>local</c> or <c>sso</c> (browser sessions), <c>basic</c>, <c>token</c>, <c>jwt</c> (API).</summary>
    public const string Method = "press_login";
    /// <summary>The browser session's secret (inside the encrypted cookie only; the table keeps its hash).</summary>
    public const string SessionSecret = "press_session";
    public const string SessionId = "press_sid";
    public const string DisplayName = "press_display";

    public static List<Claim> For(Guid userId, string userName, string role, string method) =>
        [new(ClaimTypes.Name, userName), new(Role, role), new(UserId, userId.ToString()), new(Method, method)];

    public static string? LoginMethod(this ClaimsPrincipal user) => user.FindFirstValue(Method);

    public static async Task ForbiddenAsync(HttpContext http)
    {
        http.Response.StatusCode = StatusCodes.Status403Forbidden;
        await Results.Problem(statusCode: 403, title: "Not allowed",
            detail: $"Your role '{http.User.FindFirstValue(Role)}' does not allow this operation.").ExecuteAsync(http);
    }
}
