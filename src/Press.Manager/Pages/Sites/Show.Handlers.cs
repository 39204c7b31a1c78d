using Microsoft.AspNetCore.Mvc;
using Press.Core.Identity;
using Press.Core.Sites;

namespace Press.Manager.Pages.Sites;

/// <summary>The site page's changes: each the Core operation the API calls, behind the role the API requires.</summary>
public sealed partial class ShowModel
{
    private SiteOperations Ops => services.GetRequiredService<SiteOperations>();
    private CancellationToken Ct => HttpContext.RequestAborted;
    private string Back => $"/sites/{SiteName}";

    public Task<IActionResult> OnPostBackupAsync(string name) => Run(name, Roles.Operator, async () =>
        ToJob(await Ops.BackupAsync(name, Actor, Ct), "Backing up."));

    public Task<IActionResult> OnPostSsoAsync(string name) => Run(name, Roles.Operator, async () =>
        ToJob(await Ops.EnableSsoAsync(name, Actor, Ct), "Enabling single sign-on."));

    public Task<IActionResult> OnPostVerifyAsync(string name) => Run(name, Roles.Operator, async () =>
        ToJob(await Ops.VerifyBackupAsync(name, Actor, Ct), "Verifying the newest good backup."));

    public Task<IActionResult> OnPostRestoreAsync(string name, Guid backupId, string? confirm) => Run(name, Roles.Operator, async () =>
        Confirmed(name, confirm, "confirm-restore") ? ToJob(await Ops.RestoreAsync(name, backupId, Actor, Ct), "Restoring in place.") : await PageWithProblemsAsync());

    public Task<IActionResult> OnPostRollbackAsync(string name, string? confirm) => Run(name, Roles.Operator, async () =>
        Confirmed(name, confirm, "confirm-rollback")
            ? ToJob(await Ops.RollbackRestoreAsync(name, Actor, services.GetRequiredService<TimeProvider>(), Ct), "Rolling back the restore.")
            : await PageWithProblemsAsync());

    public Task<IActionResult> OnPostRestoreAsNewAsync(string name, Guid backupId) => Run(name, Roles.Operator, async () =>
    {
        var job = await Ops.CreateAsync(new NewSiteRequest(NewName?.Trim() ?? "", [], backupId), Actor, Ct);
        return ToJob(job, $"Creating {job.SiteName} from the backup.");
    });

    public Task<IActionResult> OnPostAddDomainAsync(string name) => Run(name, Roles.Operator, async () =>
    {
        await services.GetRequiredService<DomainOperations>().AddAsync(name, Domain?.Trim() ?? "", Actor, Ct);
        Flash = $"Added {Domain?.Trim()}.";
        return Redirect(Back);
    });

    public Task<IActionResult> OnPostRemoveDomainAsync(string name, string domain) => Run(name, Roles.Operator, async () =>
    {
        await services.GetRequiredService<DomainOperations>().RemoveAsync(name, domain, Actor, Ct);
        Flash = $"Removed {domain}.";
        return Redirect(Back);
    });

    public Task<IActionResult> OnPostSuspendAsync(string name, string? confirm) => Lifecycle(name, confirm, "suspend", Roles.Operator, Ops.SuspendAsync);

    public Task<IActionResult> OnPostResumeAsync(string name, string? confirm) => Lifecycle(name, confirm, "resume", Roles.Operator, Ops.ResumeAsync);

    public Task<IActionResult> OnPostDeleteAsync(string name, string? confirm) => Lifecycle(name, confirm, "delete", Roles.Operator, Ops.DeleteAsync);

    public Task<IActionResult> OnPostPurgeAsync(string name, string? confirm) => Lifecycle(name, confirm, "purge", Roles.Admin, Ops.PurgeAsync);

    private Task<IActionResult> Lifecycle(string name, string? confirm, string action, string role,
        Func<string, Core.Audit.Actor, CancellationToken, Task<Core.Jobs.Job>> operation) =>
        Run(name, role, async () => Confirmed(name, confirm, "confirm-" + action) ? ToJob(await operation(name, Actor, Ct)) : await PageWithProblemsAsync());

    private Task<IActionResult> Run(string name, string role, Func<Task<IActionResult>> change)
    {
        SiteName = name;
        return MutateAsync(role, change, Back);
    }
}
