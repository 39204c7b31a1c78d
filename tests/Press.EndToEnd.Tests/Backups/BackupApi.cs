using System.Net;
using System.Text.Json;
using Press.EndToEnd.Tests.Harness;

namespace Press.EndToEnd.Tests.Backups;

/// <summary>The backup and restore calls the tests make, asserting the HTTP status on the way.</summary>
public sealed class BackupApi(ManagerFixture stack) : IDisposable
{
    private readonly ApiClient _api = new(stack.Manager.BaseUrl, stack.Api.Token);

    public async Task<JobView> AcceptedAsync(Func<ApiClient, Task<ApiClient.Response>> call, string what)
    {
        var response = await call(_api);
        Assert.True(response.Status == HttpStatusCode.Accepted, $"{what}: expected 202, got {response}");
        return response.As<JobView>();
    }

    public Task<JobView> BackupAsync(string site) => AcceptedAsync(a => a.PostAsync($"/api/sites/{site}/backups"), $"backup of {site}");

    public Task<JobView> RestoreAsync(string site, Guid backupId) =>
        AcceptedAsync(a => a.PostAsync($"/api/sites/{site}/restore", new { backupId }), $"restore of {site}");

    public Task<JobView> RollbackAsync(string site) =>
        AcceptedAsync(a => a.PostAsync($"/api/sites/{site}/rollback-restore"), $"rollback of {site}");

    public Task<JobView> CreateFromBackupAsync(string name, Guid backupId) =>
        AcceptedAsync(a => a.PostAsync("/api/sites", new { name, fromBackup = backupId }), $"create {name} from {backupId}");

    public async Task<JsonElement> GetBackupAsync(Guid id)
    {
        var response = await _api.GetAsync($"/api/backups/{id}");
        Assert.True(response.Status == HttpStatusCode.OK, $"GET /api/backups/{id}: {response}");
        return response.Json;
    }

    public async Task<JsonElement> ListAsync(string site)
    {
        var response = await _api.GetAsync($"/api/sites/{site}/backups");
        Assert.True(response.Status == HttpStatusCode.OK, $"GET /api/sites/{site}/backups: {response}");
        return response.Json;
    }

    public async Task<JobView> SucceededAsync(JobView queued, Func<string> diagnostics)
    {
        var job = await stack.Api.WaitForJobAsync(queued.Id, TimeSpan.FromSeconds(120), diagnostics);
        Assert.True(job.State == "Succeeded", $"{job.Kind} of {job.Site} did not succeed: {job.Describe()}{diagnostics()}");
        return job;
    }

    public void Dispose() => _api.Dispose();
}
