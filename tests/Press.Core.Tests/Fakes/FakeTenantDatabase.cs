using Press.Core.Ports;
using Press.Core.Sites;

namespace Press.Core.Tests.Fakes;

/// <summary>Records each operation with the site and, where one is passed, the password; answers "&lt;op&gt; done".</summary>
public sealed class FakeTenantDatabase : ITenantDatabase
{
    public sealed record Call(string Operation, Guid SiteId, string? Password = null, bool? CanLogin = null, string? Database = null);

    public List<Call> Calls { get; } = [];

    public Task<string> EnsureRoleAsync(Site site, string password, CancellationToken ct) => Record(new("ensure-role", site.Id, password));
    public Task<string> EnsureSchemaAsync(Site site, CancellationToken ct) => Record(new("ensure-schema", site.Id));
    public Task<string> ConfigureRoleAsync(Site site, CancellationToken ct) => Record(new("configure-role", site.Id));
    public Task<string> VerifyLoginAsync(Site site, string password, CancellationToken ct) => Record(new("verify-login", site.Id, password));
    public Task<string> SetLoginAsync(Site site, bool canLogin, CancellationToken ct) => Record(new("set-login", site.Id, CanLogin: canLogin));
    public Task<string> TerminateConnectionsAsync(Site site, CancellationToken ct) => Record(new("terminate-connections", site.Id));
    public Task<string> DropSchemaAsync(Site site, CancellationToken ct) => Record(new("drop-schema", site.Id));
    public Task<string> DropRoleAsync(Site site, CancellationToken ct) => Record(new("drop-role", site.Id));

    public Task<string> SetConnectAsync(Site site, string database, bool canConnect, CancellationToken ct) =>
        Record(new(canConnect ? "grant-connect" : "revoke-connect", site.Id, Database: database));

    private Task<string> Record(Call call)
    {
        Calls.Add(call);
        return Task.FromResult($"{call.Operation} done");
    }
}
