using Press.Core.Jobs;
using Press.Infrastructure.Postgres;
using Press.Manager.Api;

namespace Press.Manager.Pages.Jobs;

/// <summary>The job list with the API's filters (<see cref="JobFilter"/>, <c>GET /api/jobs</c>).</summary>
public sealed class IndexModel(SiteQueries queries) : PressPage
{
    public IReadOnlyList<JobDto> Jobs { get; private set; } = [];
    public string? Site { get; private set; }
    public string? State { get; private set; }
    public string? Kind { get; private set; }

    public async Task OnGetAsync(string? site, string? state, string? kind)
    {
        (Site, State, Kind) = (string.IsNullOrWhiteSpace(site) ? null : site.Trim(), state, kind);
        var filter = JobFilter.Parse(state, kind, null, 100, Errors);
        var list = await queries.ListJobsAsync(Site, filter.Limit, HttpContext.RequestAborted, filter.State, filter.Kind);
        Jobs = list.Select(JobDto.From).ToList();
        if (Errors.Count > 0) Response.StatusCode = StatusCodes.Status400BadRequest;
    }
}
