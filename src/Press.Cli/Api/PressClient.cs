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

    public Task<ApiResult<Job>> CreateSiteAsync(string name, IReadOnlyList<string> apps, CancellationToken ct)
    {
        // Buffered with a Content-Length rather than streamed chunked: some proxies reject chunked requests.
        var body = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(new CreateSiteRequest(name, apps), Json.CreateSiteRequest));
        body.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        return transport.SendAsync(HttpMethod.Post, "api/sites", body, Json.Job, ct);
    }

    /// <summary>suspend, resume, undelete, purge are POSTs to a sub-resource; delete is DELETE on the site.</summary>
    public Task<ApiResult<Job>> SiteActionAsync(string name, SiteAction action, CancellationToken ct) =>
        action == SiteAction.Delete
            ? transport.SendAsync(HttpMethod.Delete, SitePath(name), null, Json.Job, ct)
            : transport.SendAsync(HttpMethod.Post, $"{SitePath(name)}/{action.ToString().ToLowerInvariant()}", null, Json.Job, ct);

    public Task<ApiResult<SiteLogs>> SiteLogsAsync(string name, int tail, CancellationToken ct) =>
        transport.SendAsync(HttpMethod.Get, $"{SitePath(name)}/logs?tail={tail}", null, Json.SiteLogs, ct);

    public Task<ApiResult<AdminPassword>> TakeAdminPasswordAsync(string name, CancellationToken ct) =>
        transport.SendAsync(HttpMethod.Post, $"{SitePath(name)}/admin-password", null, Json.AdminPassword, ct);

    public Task<ApiResult<Job>> GetJobAsync(Guid id, CancellationToken ct) =>
        transport.SendAsync(HttpMethod.Get, $"api/jobs/{id}", null, Json.Job, ct);

    public Task<ApiResult<JobList>> ListJobsAsync(string? site, CancellationToken ct) =>
        transport.SendAsync(HttpMethod.Get,
            site is null ? "api/jobs" : $"api/jobs?site={Uri.EscapeDataString(site)}", null, Json.JobList, ct);

    public Task<ApiResult<Job>> RetryJobAsync(Guid id, CancellationToken ct) =>
        transport.SendAsync(HttpMethod.Post, $"api/jobs/{id}/retry", null, Json.Job, ct);

    public Task<HttpResponseMessage> OpenJobEventsAsync(Guid id, CancellationToken ct) =>
        transport.OpenEventStreamAsync($"api/jobs/{id}/events", ct);

    public void Dispose() => transport.Dispose();

    private static string SitePath(string name) => $"api/sites/{Uri.EscapeDataString(name)}";
}

public enum SiteAction { Suspend, Resume, Delete, Undelete, Purge }
