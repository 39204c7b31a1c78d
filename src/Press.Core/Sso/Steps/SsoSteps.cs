using Press.Core.Jobs;
using Press.Core.Ports;
using Press.Core.Tenancy;

namespace Press.Core.Sso.Steps;

// A site's single sign-on (docs/architecture.md §7): its client at the issuer, then its Frappe Social Login Key.
// A site takes part when its job asked for SSO (JobArgs.Sso: new sites while the setting is on, enable-sso) or when it
// already has a client (undelete re-enables it). Without provisioning configured the steps are Skipped, saying so.

internal static class SsoScope
{
    public static bool Wanted(StepContext c, SiteSsoRecord? record) =>
        c.Job.Args.GetValueOrDefault(JobArgs.Sso) == "on" || record is { State: not SiteSsoState.Removed };

    public static SsoRegistration Registration(this SiteSsoRecord r, ISecretProtector secrets) =>
        new(r.ClientId, secrets.Unprotect(r.EncryptedSecret), r.IssuerRef,
            r.EncryptedRegistrationToken is { } t ? secrets.Unprotect(t) : null, "recorded");
}

/// <summary>
/// Makes sure the issuer has the site's client, enabled. The secret Press chooses is recorded (sealed) before the issuer
/// is called, so a retry after a crash presents the same one; Keycloak's client is then found by its stable client id.
/// </summary>
public sealed class RegisterSsoClientStep(ISsoProvisioner provisioner, ISiteSsoStore store, ISecretProtector secrets, TimeProvider time) : IJobStep
{
    public string Name => StepNames.RegisterSsoClient;

    public async Task<StepResult> RunAsync(StepContext c, CancellationToken ct)
    {
        var record = await store.GetAsync(c.Site.Id, ct);
        if (!SsoScope.Wanted(c, record)) return StepResult.Skip("single sign-on is not enabled for this site");
        if (provisioner.NotConfiguredReason is { } why) return StepResult.Skip(why);
        var client = SiteSsoClient.For(c.Site);
        if (record is null || record.State == SiteSsoState.Removed || record.Provisioning != provisioner.Mode)
        {
            record = new SiteSsoRecord(c.Site.Id, provisioner.Mode, client.ClientId, secrets.Protect(SitePassword.New()), null, null,
                SiteSsoState.Registering, false, time.GetUtcNow());
            await store.SaveAsync(record, ct);
        }
        var existing = record.IssuerRef is null && record.State == SiteSsoState.Registering ? null : record.Registration(secrets);
        var registration = await provisioner.EnsureAsync(client, secrets.Unprotect(record.EncryptedSecret), existing, ct);
        var changedClient = registration.ClientId != record.ClientId || registration.Secret != secrets.Unprotect(record.EncryptedSecret);
        await store.SaveAsync(record with
        {
            ClientId = registration.ClientId,
            EncryptedSecret = changedClient ? secrets.Protect(registration.Secret) : record.EncryptedSecret,
            IssuerRef = registration.IssuerRef,
            EncryptedRegistrationToken = registration.RegistrationToken is { } t ? secrets.Protect(t) : null,
            State = SiteSsoState.Enabled,
            // A new client (DCR re-registration) must reach Frappe again.
            FrappeConfigured = record.FrappeConfigured && !changedClient,
            UpdatedAt = time.GetUtcNow(),
        }, ct);
        return StepResult.Ok($"{registration.Detail} (client {registration.ClientId}, {provisioner.Mode})");
    }
}

/// <summary>Writes the site's Social Login Key with the recorded client; local Frappe logins stay as the fallback.</summary>
public sealed class ConfigureSiteSsoStep(ISsoProvisioner provisioner, ISiteSsoStore store, ISecretProtector secrets, ISiteRuntime runtime,
    TimeProvider time) : IJobStep
{
    public string Name => StepNames.ConfigureSiteSso;

    public async Task<StepResult> RunAsync(StepContext c, CancellationToken ct)
    {
        var record = await store.GetAsync(c.Site.Id, ct);
        if (!SsoScope.Wanted(c, record)) return StepResult.Skip("single sign-on is not enabled for this site");
        if (provisioner.NotConfiguredReason is { } why) return StepResult.Skip(why);
        if (record is not { State: SiteSsoState.Enabled })
            return StepResult.Permanent($"the site's SSO client is {record?.State.ToString() ?? "not registered"}: retry from {StepNames.RegisterSsoClient}");
        var login = new SocialLogin(await provisioner.EndpointsAsync(ct), record.ClientId, secrets.Unprotect(record.EncryptedSecret));
        var outcome = await runtime.ConfigureSocialLoginAsync(c.Site, login, ct);
        if (outcome.Applied) await store.SaveAsync(record with { FrappeConfigured = true, UpdatedAt = time.GetUtcNow() }, ct);
        return outcome.Applied ? StepResult.Ok(outcome.Message) : StepResult.Skip(outcome.Message);
    }
}

/// <summary>Soft delete: the site's client stops logging anyone in; undelete enables it again.</summary>
public sealed class DisableSsoClientStep(ISsoProvisioner provisioner, ISiteSsoStore store, ISecretProtector secrets, TimeProvider time) : IJobStep
{
    public string Name => StepNames.DisableSsoClient;

    public async Task<StepResult> RunAsync(StepContext c, CancellationToken ct)
    {
        var record = await store.GetAsync(c.Site.Id, ct);
        if (record is null or { State: SiteSsoState.Removed }) return StepResult.Skip("the site has no SSO client");
        if (record.State == SiteSsoState.Disabled) return StepResult.Ok($"client {record.ClientId} already disabled");
        if (provisioner.NotConfiguredReason is { } why)
            return StepResult.Permanent($"the site has SSO client {record.ClientId} but {why}: configure provisioning again, then retry");
        var done = await provisioner.DisableAsync(SiteSsoClient.For(c.Site), record.Registration(secrets), ct);
        await store.SaveAsync(record with { State = SiteSsoState.Disabled, UpdatedAt = time.GetUtcNow() }, ct);
        return StepResult.Ok(done);
    }
}

/// <summary>Purge: the site's client is deleted from the issuer; the row stays (state Removed) for the record.</summary>
public sealed class RemoveSsoClientStep(ISsoProvisioner provisioner, ISiteSsoStore store, ISecretProtector secrets, TimeProvider time) : IJobStep
{
    public string Name => StepNames.RemoveSsoClient;

    public async Task<StepResult> RunAsync(StepContext c, CancellationToken ct)
    {
        var record = await store.GetAsync(c.Site.Id, ct);
        if (record is null) return StepResult.Skip("the site has no SSO client");
        if (record.State == SiteSsoState.Removed) return StepResult.Ok($"client {record.ClientId} already removed");
        if (provisioner.NotConfiguredReason is { } why)
            return StepResult.Permanent($"the site has SSO client {record.ClientId} but {why}: configure provisioning again, then retry");
        var done = await provisioner.RemoveAsync(SiteSsoClient.For(c.Site), record.Registration(secrets), ct);
        await store.SaveAsync(record with { State = SiteSsoState.Removed, FrappeConfigured = false, UpdatedAt = time.GetUtcNow() }, ct);
        return StepResult.Ok(done);
    }
}
