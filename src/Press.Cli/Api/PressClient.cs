using System.Net.Http.Headers;
using System.Text.Json;
using Press.Cli.Config;

namespace Press.Cli.Api;

/// <summary>One method per REST endpoint the CLI uses; paths and verbs live only here.</summary>
public sealed class PressClient(PressTransport transport) : IDisposable
{
    private static readonly PressJsonContext Json = PressJsonContext.Default;

    public static PressClient Create(Connection connection) =>
        new(new PressTransport(connection.Url, connection.Token));

    public string BaseUrl => transport.BaseUrl;

    public Task<ApiResult<PagedResult<Site>>> ListSitesAsync(string? state, int? page, int? pageSize, CancellationToken ct)
    {
        var query = new List<string>();
        if (state is not null) query.Add($"state={Uri.EscapeDataString(state)}");
        if (page is not null) query.Add($"page={page}");
        if (pageSize is not null) query.Add($"pageSize={pageSize}");
        var path = query.Count == 0 ? "api/sites" : $"api/sites?{string.Join('&', query)}";
        return transport.SendAsync(HttpMethod.Get, path, null, Json.PagedResultSite, ct);
    }

    public Task<ApiResult<Site>> GetSiteAsync(string name, CancellationToken ct) =>
        transport.SendAsync(HttpMethod.Get, SitePath(name), null, Json.Site, ct);

    /// <param name="apps">null leaves <c>apps</c> out of the request (only sent so for a site made from a backup).</param>
    public Task<ApiResult<Job>> CreateSiteAsync(string name, IReadOnlyList<string>? apps, Guid? fromBackup, CancellationToken ct) =>
        transport.SendAsync(HttpMethod.Post, "api/sites",
            JsonBody(new CreateSiteRequest(name, apps, fromBackup), Json.CreateSiteRequest), Json.Job, ct);

    /// <summary>suspend, resume, undelete, purge are POSTs to a sub-resource; delete is DELETE on the site.</summary>
    public Task<ApiResult<Job>> SiteActionAsync(string name, SiteAction action, CancellationToken ct) =>
        action == SiteAction.Delete
            ? transport.SendAsync(HttpMethod.Delete, SitePath(name), null, Json.Job, ct)
            : transport.SendAsync(HttpMethod.Post, $"{SitePath(name)}/{action.ToString().ToLowerInvariant()}", null, Json.Job, ct);

    public Task<ApiResult<SiteLogs>> SiteLogsAsync(string name, int tail, CancellationToken ct) =>
        transport.SendAsync(HttpMethod.Get, $"{SitePath(name)}/logs?tail={tail}", null, Json.SiteLogs, ct);

    public Task<ApiResult<SiteUsage>> SiteUsageAsync(string name, CancellationToken ct) =>
        transport.SendAsync(HttpMethod.Get, $"{SitePath(name)}/usage", null, Json.SiteUsage, ct);

    public Task<ApiResult<Job>> SetSiteLimitsAsync(string name, SiteLimitsBody limits, CancellationToken ct) =>
        transport.SendAsync(HttpMethod.Put, $"{SitePath(name)}/limits", JsonBody(limits, Json.SiteLimitsBody), Json.Job, ct);

    public Task<ApiResult<AdminPassword>> TakeAdminPasswordAsync(string name, CancellationToken ct) =>
        transport.SendAsync(HttpMethod.Post, $"{SitePath(name)}/admin-password", null, Json.AdminPassword, ct);

    public Task<ApiResult<Job>> RestoreSiteAsync(string name, Guid backupId, CancellationToken ct) =>
        transport.SendAsync(HttpMethod.Post, $"{SitePath(name)}/restore",
            JsonBody(new RestoreSiteRequest(backupId), Json.RestoreSiteRequest), Json.Job, ct);

    /// <summary>Queues an UpgradeSite job: the site onto another runner image (docs/architecture.md §18).</summary>
    public Task<ApiResult<Job>> UpgradeSiteAsync(string name, string image, CancellationToken ct) =>
        transport.SendAsync(HttpMethod.Post, $"{SitePath(name)}/upgrade",
            JsonBody(new UpgradeSiteRequest(image), Json.UpgradeSiteRequest), Json.Job, ct);

    /// <summary>Queues a MoveSite job: the site into another site database (docs/architecture.md §16).</summary>
    public Task<ApiResult<Job>> MoveSiteAsync(string name, string database, CancellationToken ct) =>
        transport.SendAsync(HttpMethod.Post, $"{SitePath(name)}/move",
            JsonBody(new MoveSiteRequest(database), Json.MoveSiteRequest), Json.Job, ct);
    public Task<ApiResult<Job>> RehearseSiteAsync(string name, string image, CancellationToken ct) =>
        transport.SendAsync(HttpMethod.Post, $"{SitePath(name)}/rehearsals",
            JsonBody(new RehearseSiteRequest(image), Json.RehearseSiteRequest), Json.Job, ct);

    public Task<ApiResult<List<Rehearsal>>> ListRehearsalsAsync(string name, CancellationToken ct) =>
        transport.SendAsync(HttpMethod.Get, $"{SitePath(name)}/rehearsals", null, Json.ListRehearsal, ct);

    public Task<ApiResult<Rehearsal>> GetRehearsalAsync(Guid id, CancellationToken ct) =>
        transport.SendAsync(HttpMethod.Get, $"api/rehearsals/{id}", null, Json.Rehearsal, ct);

    public Task<ApiResult<Job>> InstallAppAsync(string name, string app, CancellationToken ct) =>
        transport.SendAsync(HttpMethod.Post, $"{SitePath(name)}/apps", JsonBody(new InstallAppRequest(app), Json.InstallAppRequest), Json.Job, ct);

    public Task<ApiResult<Job>> UninstallAppAsync(string name, string app, CancellationToken ct) =>
        transport.SendAsync(HttpMethod.Delete, $"{SitePath(name)}/apps/{Uri.EscapeDataString(app)}", null, Json.Job, ct);

    public Task<ApiResult<Job>> RollbackRestoreAsync(string name, CancellationToken ct) =>
        transport.SendAsync(HttpMethod.Post, $"{SitePath(name)}/rollback-restore", null, Json.Job, ct);

    /// <summary>Queues a backup; the backup's id is the returned job's id.</summary>
    public Task<ApiResult<Job>> CreateBackupAsync(string site, CancellationToken ct) =>
        transport.SendAsync(HttpMethod.Post, $"{SitePath(site)}/backups", null, Json.Job, ct);

    public Task<ApiResult<BackupList>> ListBackupsAsync(string site, CancellationToken ct) =>
        transport.SendAsync(HttpMethod.Get, $"{SitePath(site)}/backups", null, Json.BackupList, ct);

    public Task<ApiResult<Backup>> GetBackupAsync(Guid id, CancellationToken ct) =>
        transport.SendAsync(HttpMethod.Get, BackupPath(id), null, Json.Backup, ct);

    public Task<ApiResult<BackupDownloadLink>> GetBackupDownloadLinkAsync(Guid id, string part, CancellationToken ct) =>
        transport.SendAsync(HttpMethod.Get, $"{BackupPath(id)}/download?part={Uri.EscapeDataString(part)}", null,
            Json.BackupDownloadLink, ct);

    /// <summary>Opens the body of a download link; see <see cref="PressTransport.OpenDownloadAsync"/>.</summary>
    public Task<HttpResponseMessage> OpenDownloadAsync(string url, CancellationToken ct) =>
        transport.OpenDownloadAsync(url, ct);

    public Task<ApiResult<Job>> GetJobAsync(Guid id, CancellationToken ct) =>
        transport.SendAsync(HttpMethod.Get, $"api/jobs/{id}", null, Json.Job, ct);

    public Task<ApiResult<JobList>> ListJobsAsync(string? site, CancellationToken ct) =>
        transport.SendAsync(HttpMethod.Get,
            site is null ? "api/jobs" : $"api/jobs?site={Uri.EscapeDataString(site)}", null, Json.JobList, ct);

    public Task<ApiResult<Job>> RetryJobAsync(Guid id, CancellationToken ct) =>
        transport.SendAsync(HttpMethod.Post, $"api/jobs/{id}/retry", null, Json.Job, ct);

    public Task<HttpResponseMessage> OpenJobEventsAsync(Guid id, CancellationToken ct) =>
        transport.OpenEventStreamAsync($"api/jobs/{id}/events", ct);

    /// <summary>Mints a token under the one this client calls with (it dies with it, and lives no longer).</summary>
    public Task<ApiResult<MintedToken>> CreateTokenAsync(string name, string? role, int? expiresInDays, CancellationToken ct) =>
        transport.SendAsync(HttpMethod.Post, "api/tokens",
            JsonBody(new CreateTokenRequest(name, role, expiresInDays), Json.CreateTokenRequest), Json.MintedToken, ct);

    public Task<ApiResult<TokenList>> ListTokensAsync(CancellationToken ct) =>
        transport.SendAsync(HttpMethod.Get, "api/tokens", null, Json.TokenList, ct);

    public Task<ApiResult<TokenRevoked>> RevokeTokenAsync(Guid id, CancellationToken ct) =>
        transport.SendAsync(HttpMethod.Delete, $"api/tokens/{id}", null, Json.TokenRevoked, ct);

    public Task<ApiResult<UserList>> ListUsersAsync(CancellationToken ct) =>
        transport.SendAsync(HttpMethod.Get, "api/users", null, Json.UserList, ct);

    public Task<ApiResult<UserWithPassword>> CreateUserAsync(string name, string? role, bool breakGlass, CancellationToken ct) =>
        transport.SendAsync(HttpMethod.Post, "api/users", JsonBody(new CreateUserRequest(name, role, breakGlass), Json.CreateUserRequest),
            Json.UserWithPassword, ct);

    /// <param name="action"><c>disable</c> or <c>enable</c>.</param>
    public Task<ApiResult<UserDisabled>> SetUserDisabledAsync(string nameOrId, string action, CancellationToken ct) =>
        transport.SendAsync(HttpMethod.Post, $"api/users/{Uri.EscapeDataString(nameOrId)}/{action}", null, Json.UserDisabled, ct);

    public Task<ApiResult<UserWithPassword>> ResetPasswordAsync(string nameOrId, CancellationToken ct) =>
        transport.SendAsync(HttpMethod.Post, $"api/users/{Uri.EscapeDataString(nameOrId)}/reset-password", null, Json.UserWithPassword, ct);

    public Task<ApiResult<Rollout>> StartRolloutAsync(StartRolloutRequest request, CancellationToken ct) =>
        transport.SendAsync(HttpMethod.Post, "api/upgrades", JsonBody(request, Json.StartRolloutRequest), Json.Rollout, ct);

    public Task<ApiResult<List<Rollout>>> ListRolloutsAsync(CancellationToken ct) =>
        transport.SendAsync(HttpMethod.Get, "api/upgrades", null, Json.ListRollout, ct);

    public Task<ApiResult<Rollout>> GetRolloutAsync(Guid id, CancellationToken ct) =>
        transport.SendAsync(HttpMethod.Get, $"api/upgrades/{id}", null, Json.Rollout, ct);

    /// <param name="verb">pause, resume or cancel.</param>
    public Task<ApiResult<Rollout>> ChangeRolloutAsync(Guid id, string verb, CancellationToken ct) =>
        transport.SendAsync(HttpMethod.Post, $"api/upgrades/{id}/{verb}", null, Json.Rollout, ct);

    public Task<ApiResult<DoctorReport>> DoctorAsync(CancellationToken ct) =>
        transport.SendAsync(HttpMethod.Get, "api/doctor", null, Json.DoctorReport, ct);

    public Task<ApiResult<StandbyStatus>> StandbyAsync(CancellationToken ct) =>
        transport.SendAsync(HttpMethod.Get, "api/standby", null, Json.StandbyStatus, ct);

    public Task<ApiResult<AuditVerify>> VerifyAuditAsync(CancellationToken ct) =>
        transport.SendAsync(HttpMethod.Get, "api/audit/verify", null, Json.AuditVerify, ct);

    /// <summary>Opens the JSON-lines export (streamed; the caller owns the response).</summary>
    public Task<HttpResponseMessage> OpenAuditExportAsync(string? site, string? actor, string? from, string? to, CancellationToken ct)
    {
        var query = new[] { ("site", site), ("actor", actor), ("from", from), ("to", to) }
            .Where(q => q.Item2 is not null).Select(q => $"{q.Item1}={Uri.EscapeDataString(q.Item2!)}").ToList();
        return transport.OpenDownloadAsync(query.Count == 0 ? "/api/audit/export" : $"/api/audit/export?{string.Join('&', query)}", ct);
    }

    public Task<ApiResult<SessionList>> ListSessionsAsync(CancellationToken ct) =>
        transport.SendAsync(HttpMethod.Get, "api/sessions", null, Json.SessionList, ct);

    public Task<ApiResult<SessionEnded>> EndSessionAsync(Guid id, CancellationToken ct) =>
        transport.SendAsync(HttpMethod.Delete, $"api/sessions/{id}", null, Json.SessionEnded, ct);

    public void Dispose() => transport.Dispose();

    private static string SitePath(string name) => $"api/sites/{Uri.EscapeDataString(name)}";

    private static string BackupPath(Guid id) => $"api/backups/{id}";

    // Buffered with a Content-Length rather than streamed chunked: some proxies reject chunked requests.
    private static ByteArrayContent JsonBody<T>(T value, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type)
    {
        var body = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(value, type));
        body.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        return body;
    }
}

public enum SiteAction { Suspend, Resume, Delete, Undelete, Purge, Sso }
