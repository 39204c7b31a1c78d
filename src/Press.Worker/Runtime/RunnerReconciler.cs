using Press.Core.Jobs;
using Press.Core.Runtime;
using Press.Core.Sites;
using Press.Infrastructure.Postgres;
using Press.Infrastructure.Runtime.Docker;

namespace Press.Worker.Runtime;

/// <summary>
/// Makes the Docker engine match the metadata when the worker starts (and every few minutes): runners of Active
/// sites, with their Redis, workers and scheduler, are (re)created and started — unless a job that stops the runner is in progress (<see cref="RunnerReconcile"/>);
/// Press-labelled containers that belong to no live site are reported — a metric and a log line — and never deleted
/// silently, since they may hold someone's data.
/// </summary>
public sealed partial class RunnerReconciler(DockerEngine docker, DockerSiteRuntime runtime, SiteQueries queries,
    ILogger<RunnerReconciler> logger) : BackgroundService
{
    private static readonly TimeSpan Every = TimeSpan.FromMinutes(5);

    /// <summary>Press-labelled containers with no live site, as of the last pass.</summary>
    public int StrayRunners { get; private set; }

    /// <summary>Active sites whose runner or Redis was not running at the last pass (it was started again, unless a
    /// job was stopping it): one pass is a crash the reconciler healed, several in a row a runner that will not stay up.</summary>
    public int RunnersDown { get; private set; }

    public sealed record Report(IReadOnlyList<string> Started, IReadOnlyList<string> Strays);

    public async Task<Report> ReconcileAsync(CancellationToken ct)
    {
        var sites = await queries.ListLiveSitesAsync(ct);
        var containers = await docker.ListManagedAsync(ct);
        var started = new List<string>();
        var down = 0;
        foreach (var site in sites.Where(s => s.State == SiteState.Active && s.RunnerPort is not null))
        {
            bool Running(string name) => containers.Any(c => c.State == "running" && c.Names.Any(n => n.TrimStart('/') == name));
            if (SiteContainers.Names(site).All(Running)) continue;
            down++;
            // Read now, not with the list: a suspend may have begun since, or a claim renamed the standby (its runtime
            // must not be started again under the old name; docs/architecture.md §17).
            var now = await queries.GetSiteAsync(site.Name, ct);
            if (now is null || now.Site.Id != site.Id)
            {
                down--;
                LogLeftStopped(site.Name, "the site was renamed or purged since this pass began");
                continue;
            }
            if (RunnerReconcile.WhyNotStart(now.Site, await JobInProgressAsync(now, ct)) is { } why)
            {
                down--; // a job is stopping it on purpose
                LogLeftStopped(site.Name, why);
                continue;
            }
            var outcome = await runtime.StartAsync(now.Site, ct);
            started.Add(site.Name);
            LogStarted(site.Name, outcome.Message);
        }

        var strays = SiteContainers.Strays(sites, containers);
        foreach (var stray in strays) LogStray(stray);
        StrayRunners = strays.Count;
        RunnersDown = down;
        return new Report(started, strays);
    }

    /// <summary>Every container a served site has: runner, Redis, workers and scheduler — one missing is restarted.</summary>
    private async Task<JobKind?> JobInProgressAsync(SiteQueries.SiteView view, CancellationToken ct)
    {
        if (view.ActiveJobId is not { } jobId) return null;
        return (await queries.GetJobAsync(jobId, ct)) is { } job && !job.State.IsTerminal() ? job.Kind : null;
    }

    protected override async Task ExecuteAsync(CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            try { await ReconcileAsync(stopping); }
            catch (Exception ex) when (!stopping.IsCancellationRequested) { LogFailed(ex.Message); }
            try { await Task.Delay(Every, stopping); }
            catch (OperationCanceledException) { return; }
        }
    }

    [LoggerMessage(LogLevel.Information, "Reconcile: runner of {SiteName} was not running: {Outcome}")]
    private partial void LogStarted(string siteName, string outcome);

    [LoggerMessage(LogLevel.Information, "Reconcile: runner of {SiteName} is left stopped: {Reason}")]
    private partial void LogLeftStopped(string siteName, string reason);

    [LoggerMessage(LogLevel.Warning, "Reconcile: container {Container} carries Press's label but belongs to no live site; left in place for an operator to inspect")]
    private partial void LogStray(string container);

    [LoggerMessage(LogLevel.Warning, "Reconcile pass failed: {Error}")]
    private partial void LogFailed(string error);
}
