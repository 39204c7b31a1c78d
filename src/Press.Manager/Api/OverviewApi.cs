using Microsoft.Extensions.Diagnostics.HealthChecks;
using Press.Core.Jobs;
using Press.Core.Ports;
using Press.Infrastructure.Health;
using Press.Infrastructure.Postgres;
using Press.Manager.Auth;

namespace Press.Manager.Api;

/// <summary>
/// <c>GET /api/overview</c>: the numbers an operator checks every morning — each component's status, sites per state,
/// stale backups, failed jobs of the last day, the latest jobs. The dashboard's first page shows exactly this.
/// </summary>
public static class OverviewApi
{
    /// <summary>A job still Queued this long after it was due means no worker is taking work.</summary>
    public static readonly TimeSpan WorkerLag = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(3);

    public sealed record ComponentDto(string Name, string Status, string Description);

    public sealed record OverviewDto(DateTimeOffset At, IReadOnlyList<ComponentDto> Components, IReadOnlyDictionary<string, long> SitesByState,
        IReadOnlyList<string> StaleBackups, int StaleAfterHours, IReadOnlyList<JobDto> FailedLastDay, IReadOnlyList<JobDto> LatestJobs);

    public static void MapOverviewApi(this IEndpointRouteBuilder api) =>
        api.MapGet("/overview", async (HttpContext http, CancellationToken ct) => Results.Ok(await BuildAsync(http.RequestServices, ct)))
            .WithTags("Overview").RequireAuthorization(Policies.Viewer).Produces<OverviewDto>()
            .WithSummary("Health of the manager, the worker (is the queue moving), Postgres, Redis, the object store and the runtime; sites per state, stale backups, failed jobs of the last 24 h, the latest jobs.");

    public static async Task<OverviewDto> BuildAsync(IServiceProvider services, CancellationToken ct)
    {
        var queries = services.GetRequiredService<SiteQueries>();
        var now = services.GetRequiredService<TimeProvider>().GetUtcNow();
        var components = new List<ComponentDto> { new("manager", "Healthy", "answering (this page)") };
        components.Add(await WorkerAsync(queries, now, ct));
        var report = await services.GetRequiredService<HealthCheckService>().CheckHealthAsync(ct);
        components.AddRange(report.Entries.Where(e => e.Key != BackupHealthCheck.Name)
            .Select(e => new ComponentDto(e.Key, e.Value.Status.ToString(), e.Value.Description ?? e.Value.Exception?.Message ?? "")));
        components.Add(await ObjectStoreAsync(services.GetRequiredService<IObjectStore>(), ct));

        var stale = await BackupStaleness.ComputeAsync(services.GetRequiredService<IBackupStore>(), services.GetRequiredService<ISettingsStore>(),
            services.GetRequiredService<TimeProvider>(), ct);
        var failed = await queries.ListJobsAsync(null, 100, ct, JobState.Failed, since: now.AddDays(-1));
        var latest = await queries.ListJobsAsync(null, 10, ct);
        return new OverviewDto(now, components, await queries.CountSitesByStateAsync(ct), stale.Stale.Select(s => s.SiteName).ToList(),
            stale.StaleAfterHours, failed.Select(JobDto.From).ToList(), latest.Select(JobDto.From).ToList());
    }

    /// <summary>The worker has no endpoint of its own here (it may run elsewhere): a queue that does not move says it is down.</summary>
    private static async Task<ComponentDto> WorkerAsync(SiteQueries queries, DateTimeOffset now, CancellationToken ct)
    {
        var (count, oldest) = await queries.OverdueJobsAsync(now, WorkerLag, ct);
        return count == 0
            ? new ComponentDto("worker", "Healthy", $"no job has waited more than {WorkerLag.TotalMinutes:0} minutes to start")
            : new ComponentDto("worker", "Unhealthy", $"{count} job(s) waiting to start, the oldest for {(now - oldest!.Value).TotalMinutes:0} minutes: is a worker running?");
    }

    private static async Task<ComponentDto> ObjectStoreAsync(IObjectStore store, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(ProbeTimeout);
        try
        {
            await store.StatAsync("press-overview-probe", timeout.Token); // any answer, even "no such object", means it is reachable
            return new ComponentDto("object-store", "Healthy", "reachable");
        }
        catch (Exception ex) when (!ct.IsCancellationRequested)
        {
            return new ComponentDto("object-store", "Unhealthy", ex is OperationCanceledException ? $"no answer within {ProbeTimeout.TotalSeconds:0} s" : ex.Message);
        }
    }
}
