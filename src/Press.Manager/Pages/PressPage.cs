using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Press.Core.Audit;
using Press.Core.Identity;
using Press.Core.Sites;
using Press.Manager.Auth;

namespace Press.Manager.Pages;

/// <summary>
/// What every signed-in page shares: the caller's role (which controls to show), a one-time message after a
/// post-redirect-get, problems per field, and <see cref="MutateAsync"/>, the one way a page changes anything: the role
/// is checked on the server (a viewer's forged POST is refused, whatever the page showed), Core's exceptions become
/// messages, and a success redirects (nothing is done twice on reload). Anti-forgery: Razor Pages check every POST.
/// </summary>
[Authorize(Policy = Policies.Viewer)]
public abstract class PressPage : PageModel
{
    public string Role => User.Role();
    public bool CanOperate => Roles.Includes(Role, Roles.Operator);
    public bool IsAdmin => Roles.Includes(Role, Roles.Admin);

    [TempData] public string? Flash { get; set; }
    [TempData] public string? FlashError { get; set; }

    /// <summary>Problems per form field, shown next to the field.</summary>
    public Dictionary<string, List<string>> Errors { get; } = [];

    protected Actor Actor => HttpContext.Actor();

    /// <summary>Loads what the page shows (GET, and again when a POST answers with the page and its problems).</summary>
    protected virtual Task LoadAsync() => Task.CompletedTask;

    /// <summary>
    /// Runs a change that needs <paramref name="role"/>. ValidationException: the page again, with each problem next to
    /// its field (400). Not found or conflict: back to <paramref name="back"/> with the message.
    /// </summary>
    protected async Task<IActionResult> MutateAsync(string role, Func<Task<IActionResult>> change, string? back = null)
    {
        if (!Roles.Includes(Role, role)) return StatusCode(StatusCodes.Status403Forbidden);
        try
        {
            return await change();
        }
        catch (ValidationException e)
        {
            foreach (var (field, problems) in e.Problems) Errors.AddAll(field, problems);
            return await PageWithProblemsAsync();
        }
        catch (PressException e)
        {
            FlashError = e.Message;
            return Redirect(back ?? Request.Path + Request.QueryString);
        }
    }

    /// <summary>The page again with <see cref="Errors"/>, answered 400 (nothing changed).</summary>
    protected async Task<IActionResult> PageWithProblemsAsync()
    {
        await LoadAsync();
        Response.StatusCode = StatusCodes.Status400BadRequest;
        return Page();
    }

    protected IActionResult ToJob(Core.Jobs.Job job, string? message = null)
    {
        Flash = message ?? $"{job.Kind} job started.";
        return Redirect($"/jobs/{job.Id}");
    }

    /// <summary>Destructive changes are confirmed by typing the site's name (never a password: SSO people have none).</summary>
    /// <param name="field">The form's confirmation field, where the problem shows.</param>
    protected bool Confirmed(string siteName, string? typed, string field = "confirm")
    {
        if (string.Equals(typed?.Trim(), siteName, StringComparison.Ordinal)) return true;
        Errors.AddAll(field, [$"Type the site's name, {siteName}, to confirm."]);
        return false;
    }
}
