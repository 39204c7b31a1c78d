using Microsoft.AspNetCore.Mvc;
using Press.Core.Ports;
using Press.Core.Settings;
using Press.Infrastructure.Postgres;
using Press.Manager.Api;

namespace Press.Manager.Pages.Sites;

/// <summary>
/// One site: state and timeline, host names, runner, logs, SSO, backups, and the danger zone. Reads use the API's
/// queries and DTOs; every change is a handler in <c>Show.Handlers.cs</c> calling the same Core operation as the API.
/// </summary>
public sealed partial class ShowModel(IServiceProvider services, SiteQueries queries, ISiteRuntime runtime, ISettingsStore settings,
    TimeProvider time) : PressPage
{
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(3);
    private Core.Sites.Site _site = null!;

    public string SiteName { get; private set; } = "";
    public SiteDto Site { get; private set; } = null!;
    public IReadOnlyList<JobDto> Jobs { get; private set; } = [];
    public BackupListDto Backups { get; private set; } = null!;
    public int? RunnerPort { get; private set; }
    public PressSettings Settings { get; private set; } = null!;
    public HealthProbe? Health { get; private set; }
    public IReadOnlyList<string>? Logs { get; private set; }
    public string? LogsProblem { get; private set; }
    public DateTimeOffset Now { get; private set; }
    public Core.Sso.SiteSsoRecord? Sso { get; private set; }

    // Form values, kept when a form comes back with problems.
    [BindProperty] public string? Domain { get; set; }
    [BindProperty] public string? NewName { get; set; }

    public async Task<IActionResult> OnGetAsync(string name)
    {
        SiteName = name;
        return await TryLoadAsync() ? Page() : NotFound();
    }

    protected override async Task LoadAsync()
    {
        if (!await TryLoadAsync()) throw Core.Sites.SiteErrors.NotFound(SiteName);
    }

    private async Task<bool> TryLoadAsync()
    {
        var ct = HttpContext.RequestAborted;
        if (await queries.GetSiteAsync(SiteName, ct) is not { } view) return false;
        Now = time.GetUtcNow();
        Settings = await settings.GetAsync(ct);
        _site = view.Site;
        Site = SiteDto.From(view, runtime, Settings.BackupStaleAfterHours, Now);
        RunnerPort = view.Site.RunnerPort;
        Jobs = (await queries.ListJobsAsync(SiteName, 20, ct)).Select(JobDto.From).ToList();
        Backups = await BackupsApi.ListForAsync(SiteName, services, ct) ?? new BackupListDto([], null, false, null);
        Sso = await services.GetRequiredService<ISiteSsoStore>().GetAsync(view.Site.Id, ct);
        if (Site.State == Core.Sites.SiteState.Active) Health = await ProbeAsync(ct);
        if (CanOperate) await ReadLogsAsync(ct); // the API's logs are for operators too
        return true;
    }

    private async Task<HealthProbe> ProbeAsync(CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(ProbeTimeout);
        try { return await runtime.ProbeAsync(_site, timeout.Token); }
        catch (Exception ex) when (!ct.IsCancellationRequested)
        {
            return new HealthProbe(true, false, ex is OperationCanceledException ? $"no answer within {ProbeTimeout.TotalSeconds:0} s" : ex.Message);
        }
    }

    private async Task ReadLogsAsync(CancellationToken ct)
    {
        if (Site.State is Core.Sites.SiteState.Purged) return;
        try { Logs = await runtime.LogsAsync(_site, 50, ct); }
        catch (Exception ex) when (!ct.IsCancellationRequested) { LogsProblem = $"The runner's logs could not be read: {ex.Message}"; }
    }
}
