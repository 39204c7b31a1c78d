using Microsoft.AspNetCore.Mvc;
using Press.Core.Identity;
using Press.Core.Sites;

namespace Press.Manager.Pages.Sites;

/// <summary>Create a site: Core's rules (<see cref="SiteOperations.CreateAsync"/>) answer next to the fields; then the live job page.</summary>
public sealed class NewModel(SiteOperations operations) : PressPage
{
    [BindProperty] public string? Name { get; set; }
    [BindProperty] public string? Apps { get; set; }
    [BindProperty] public string? FromBackup { get; set; }

    public IActionResult OnGet(string? fromBackup)
    {
        if (!CanOperate) return StatusCode(StatusCodes.Status403Forbidden);
        FromBackup = fromBackup;
        return Page();
    }

    public Task<IActionResult> OnPostAsync() => MutateAsync(Roles.Operator, async () =>
    {
        var apps = (Apps ?? "").Split([',', ' ', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
        Guid? backup = null;
        if (!string.IsNullOrWhiteSpace(FromBackup))
        {
            if (Guid.TryParse(FromBackup.Trim(), out var id)) backup = id;
            else Errors.AddAll("fromBackup", ["'fromBackup' must be a backup's id (a UUID such as 0199a3b2-6f1c-7d2e-9a4b-1c2d3e4f5a6b): the site page lists them."]);
        }
        var request = new NewSiteRequest(Name?.Trim() ?? "", apps, backup, FromBackupGiven: !string.IsNullOrWhiteSpace(FromBackup));
        foreach (var (field, problems) in operations.Problems(request)) Errors.AddAll(field, problems);
        if (Errors.Count > 0) return await PageWithProblemsAsync();
        return ToJob(await operations.CreateAsync(request, Actor, HttpContext.RequestAborted), $"Creating {request.Name}.");
    });
}
