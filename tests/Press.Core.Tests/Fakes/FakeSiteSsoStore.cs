using Press.Core.Ports;
using Press.Core.Sso;

namespace Press.Core.Tests.Fakes;

public sealed class FakeSiteSsoStore : ISiteSsoStore
{
    public Dictionary<Guid, SiteSsoRecord> Rows { get; } = [];

    public Task<SiteSsoRecord?> GetAsync(Guid siteId, CancellationToken ct) => Task.FromResult(Rows.GetValueOrDefault(siteId));

    public Task SaveAsync(SiteSsoRecord record, CancellationToken ct)
    {
        Rows[record.SiteId] = record;
        return Task.CompletedTask;
    }
}

/// <summary>An issuer in memory: records each call; <see cref="ChoosesSecret"/> imitates DCR (the issuer picks the secret).</summary>
public sealed class FakeSsoProvisioner(string mode = "keycloak-admin", string? notConfigured = null) : ISsoProvisioner
{
    public List<string> Calls { get; } = [];
    public Dictionary<string, (string Secret, bool Enabled)> Clients { get; } = [];
    public bool ChoosesSecret { get; init; }
    public string Mode => mode;
    public string? NotConfiguredReason => notConfigured;
    private int _issued;

    public Task<SsoRegistration> EnsureAsync(SiteSsoClient client, string secret, SsoRegistration? existing, CancellationToken ct)
    {
        Calls.Add($"ensure {client.ClientId} existing={existing is not null}");
        if (ChoosesSecret)
        {
            if (existing is not null && Clients.TryGetValue(existing.ClientId, out var kept))
                return Task.FromResult(existing with { Secret = kept.Secret, Detail = "already registered" });
            var id = $"dcr-{++_issued}";
            Clients[id] = ($"issuer-secret-{_issued}", true);
            return Task.FromResult(new SsoRegistration(id, Clients[id].Secret, $"https://issuer/reg/{id}", $"rat-{_issued}", "registered"));
        }
        Clients[client.ClientId] = (secret, true);
        return Task.FromResult(new SsoRegistration(client.ClientId, secret, "kc-" + client.ClientId, null, "created"));
    }

    public Task<string> DisableAsync(SiteSsoClient client, SsoRegistration registration, CancellationToken ct)
    {
        Calls.Add($"disable {registration.ClientId}");
        if (ChoosesSecret) Clients.Remove(registration.ClientId);
        else Clients[registration.ClientId] = (Clients[registration.ClientId].Secret, false);
        return Task.FromResult("disabled");
    }

    public Task<string> RemoveAsync(SiteSsoClient client, SsoRegistration registration, CancellationToken ct)
    {
        Calls.Add($"remove {registration.ClientId}");
        Clients.Remove(registration.ClientId);
        return Task.FromResult("removed");
    }

    public Task<IssuerEndpoints> EndpointsAsync(CancellationToken ct) =>
        Task.FromResult(new IssuerEndpoints("https://issuer", "https://issuer/auth", "https://issuer/token", "https://issuer/me"));
}
