using Microsoft.AspNetCore.Mvc;
using Press.Core.Identity;
using Press.Core.Sites;
using Press.Infrastructure.Postgres;
using Press.Manager.Api;

namespace Press.Manager.Pages.Jobs;

/// <summary>
/// One job: every step with state, attempts, duration, output and error, updated in place by /press.js from the event
/// stream (the page itself is complete without it); a failed job's error in full with Retry (Core's RetryAsync).
/// </summary>
public sealed class ShowModel(SiteQueries queries, SiteOperations operations) : PressPage
{
    public JobDto Job { get; private set; } = null!;

    public async Task<IActionResult> OnGetAsync(Guid id)
    {
        if (await queries.GetJobAsync(id, HttpContext.RequestAborted) is not { } job) return NotFound();
        Job = JobDto.From(job);
        return Page();
    }

    public Task<IActionResult> OnPostRetryAsync(Guid id) => MutateAsync(Roles.Operator, async () =>
        ToJob(await operations.RetryAsync(id, Actor, HttpContext.RequestAborted), "Retrying from the failed step."), $"/jobs/{id}");
}
