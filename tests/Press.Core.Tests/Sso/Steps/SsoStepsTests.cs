using Microsoft.Extensions.Time.Testing;
using Press.Core.Jobs;
using Press.Core.Ports;
using Press.Core.Sites;
using Press.Core.Sso;
using Press.Core.Sso.Steps;
using Press.Core.Tests.Fakes;

namespace Press.Core.Tests.Sso.Steps;

/// <summary>A site's SSO steps (docs/architecture.md §7) against an issuer and a runtime in memory.</summary>
public sealed class SsoStepsTests
{
    private readonly FakeTimeProvider _time = new(TestData.Now);
    private readonly FakeSecretProtector _secrets = new();
    private readonly FakeSiteSsoStore _store = new();
    private readonly FakeSiteRuntime _runtime = new(RuntimeOutcome.Done("ok"));
    private readonly Site _site = TestData.Site("erp.example.com");

    private StepContext Asked(JobRecipe recipe)
    {
        var c = TestData.Context(_site, recipe);
        return c with { Job = c.Job with { Args = new Dictionary<string, string> { [JobArgs.Sso] = "on" } } };
    }

    private RegisterSsoClientStep Register(ISsoProvisioner p) => new(p, _store, _secrets, _time);

    [Fact]
    public void The_client_id_is_stable_and_the_redirect_is_Frappes_custom_provider_callback()
    {
        var client = SiteSsoClient.For(_site);

        Assert.Equal("fcs-press-site-erp.example.com", client.ClientId);
        Assert.Equal(["https://erp.example.com/api/method/frappe.integrations.oauth2_logins.custom/press"], client.RedirectUris);
    }

    [Fact]
    public async Task Register_records_a_sealed_secret_and_a_retry_presents_the_same_one()
    {
        var issuer = new FakeSsoProvisioner();

        var first = await Register(issuer).RunAsync(Asked(Recipes.NewSite), CancellationToken.None);
        var secret = _secrets.Unprotect(_store.Rows[_site.Id].EncryptedSecret);
        var again = await Register(issuer).RunAsync(Asked(Recipes.NewSite), CancellationToken.None);

        Assert.IsType<StepResult.Done>(first);
        Assert.IsType<StepResult.Done>(again);
        var row = _store.Rows[_site.Id];
        Assert.Equal(SiteSsoState.Enabled, row.State);
        Assert.Equal(secret, _secrets.Unprotect(row.EncryptedSecret));
        Assert.Equal(secret, issuer.Clients["fcs-press-site-erp.example.com"].Secret);
        Assert.Equal(40, secret.Length);
        Assert.Equal(["ensure fcs-press-site-erp.example.com existing=False", "ensure fcs-press-site-erp.example.com existing=True"], issuer.Calls);
    }

    [Fact]
    public async Task Steps_skip_when_the_job_did_not_ask_and_the_site_has_no_client()
    {
        var issuer = new FakeSsoProvisioner();
        var plain = TestData.Context(_site, Recipes.NewSite);

        var registered = await Register(issuer).RunAsync(plain, CancellationToken.None);
        var configured = await new ConfigureSiteSsoStep(issuer, _store, _secrets, _runtime, _time).RunAsync(plain, CancellationToken.None);

        Assert.Equal("single sign-on is not enabled for this site", Assert.IsType<StepResult.Skipped>(registered).Reason);
        Assert.IsType<StepResult.Skipped>(configured);
        Assert.Empty(issuer.Calls);
        Assert.Empty(_runtime.Calls);
    }

    [Fact]
    public async Task Without_provisioning_the_steps_say_why_they_skip()
    {
        var off = new FakeSsoProvisioner("none", "Press__Oidc__Provisioning is 'none'");

        var result = await Register(off).RunAsync(Asked(Recipes.EnableSso), CancellationToken.None);

        Assert.Equal("Press__Oidc__Provisioning is 'none'", Assert.IsType<StepResult.Skipped>(result).Reason);
        Assert.Empty(_store.Rows);
    }

    [Fact]
    public async Task Configure_hands_the_runtime_the_issuer_endpoints_and_the_recorded_client()
    {
        var issuer = new FakeSsoProvisioner();
        await Register(issuer).RunAsync(Asked(Recipes.NewSite), CancellationToken.None);
        var runtime = new RecordingRuntime();

        var result = await new ConfigureSiteSsoStep(issuer, _store, _secrets, runtime, _time).RunAsync(Asked(Recipes.NewSite), CancellationToken.None);

        Assert.IsType<StepResult.Done>(result);
        var login = Assert.Single(runtime.Logins);
        Assert.Equal("fcs-press-site-erp.example.com", login.ClientId);
        Assert.Equal(_secrets.Unprotect(_store.Rows[_site.Id].EncryptedSecret), login.ClientSecret);
        Assert.Equal("https://issuer/me", login.Issuer.UserinfoEndpoint);
        Assert.True(_store.Rows[_site.Id].FrappeConfigured);
        Assert.DoesNotContain(login.ClientSecret, login.ToString());
    }

    [Fact]
    public async Task Delete_disables_undelete_enables_purge_removes_and_each_repeats_harmlessly()
    {
        var issuer = new FakeSsoProvisioner();
        await Register(issuer).RunAsync(Asked(Recipes.NewSite), CancellationToken.None);
        var disable = new DisableSsoClientStep(issuer, _store, _secrets, _time);
        var remove = new RemoveSsoClientStep(issuer, _store, _secrets, _time);
        var id = "fcs-press-site-erp.example.com";

        await disable.RunAsync(TestData.Context(_site, Recipes.DeleteSite), CancellationToken.None);
        var twice = await disable.RunAsync(TestData.Context(_site, Recipes.DeleteSite), CancellationToken.None);
        Assert.False(issuer.Clients[id].Enabled);
        Assert.Equal($"client {id} already disabled", Assert.IsType<StepResult.Done>(twice).Output);

        // Undelete's job asks nothing: the recorded (disabled) client is what brings it back.
        await Register(issuer).RunAsync(TestData.Context(_site, Recipes.UndeleteSite), CancellationToken.None);
        Assert.True(issuer.Clients[id].Enabled);
        Assert.Equal(SiteSsoState.Enabled, _store.Rows[_site.Id].State);

        await remove.RunAsync(TestData.Context(_site, Recipes.PurgeSite), CancellationToken.None);
        var again = await remove.RunAsync(TestData.Context(_site, Recipes.PurgeSite), CancellationToken.None);
        Assert.False(issuer.Clients.ContainsKey(id));
        Assert.Equal(SiteSsoState.Removed, _store.Rows[_site.Id].State);
        Assert.Equal($"client {id} already removed", Assert.IsType<StepResult.Done>(again).Output);
        Assert.Equal(1, issuer.Calls.Count(c => c.StartsWith("remove", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_DCR_client_deleted_on_soft_delete_comes_back_as_a_new_client_that_Frappe_must_get_again()
    {
        var issuer = new FakeSsoProvisioner("dcr") { ChoosesSecret = true };
        await Register(issuer).RunAsync(Asked(Recipes.NewSite), CancellationToken.None);
        await new ConfigureSiteSsoStep(issuer, _store, _secrets, new RecordingRuntime(), _time).RunAsync(Asked(Recipes.NewSite), CancellationToken.None);
        Assert.Equal("dcr-1", _store.Rows[_site.Id].ClientId);
        Assert.Equal("issuer-secret-1", _secrets.Unprotect(_store.Rows[_site.Id].EncryptedSecret));

        await new DisableSsoClientStep(issuer, _store, _secrets, _time).RunAsync(TestData.Context(_site, Recipes.DeleteSite), CancellationToken.None);
        await Register(issuer).RunAsync(TestData.Context(_site, Recipes.UndeleteSite), CancellationToken.None);

        var row = _store.Rows[_site.Id];
        Assert.Equal("dcr-2", row.ClientId);
        Assert.Equal("issuer-secret-2", _secrets.Unprotect(row.EncryptedSecret));
        Assert.False(row.FrappeConfigured);
    }

    [Fact]
    public async Task Disabling_a_recorded_client_without_provisioning_fails_rather_than_leaving_it_enabled()
    {
        await Register(new FakeSsoProvisioner()).RunAsync(Asked(Recipes.NewSite), CancellationToken.None);

        var result = await new DisableSsoClientStep(new FakeSsoProvisioner("none", "provisioning is off"), _store, _secrets, _time)
            .RunAsync(TestData.Context(_site, Recipes.DeleteSite), CancellationToken.None);

        Assert.Contains("provisioning is off", Assert.IsType<StepResult.Fail>(result).Error);
    }

    [Fact]
    public void Recipes_place_the_SSO_steps_where_the_site_is_served_and_before_it_is_dropped()
    {
        Assert.Equal([StepNames.RecordVersions, StepNames.RegisterSsoClient, StepNames.ConfigureSiteSso], Recipes.NewSite.Steps.TakeLast(3));
        Assert.Equal([StepNames.RegisterSsoClient, StepNames.ConfigureSiteSso], Recipes.NewSiteFromBackup.Steps.TakeLast(2));
        Assert.Equal([StepNames.DisableSsoClient, StepNames.MarkDeleted], Recipes.DeleteSite.Steps.TakeLast(2));
        Assert.Equal(StepNames.RemoveSsoClient, Recipes.PurgeSite.Steps[0]);
        Assert.Equal([StepNames.RegisterSsoClient, StepNames.ConfigureSiteSso], Recipes.EnableSso.Steps);
        Assert.Null(Recipes.EnableSso.FailureState(StepNames.ConfigureSiteSso));
    }

    /// <summary>Records the Social Login Key it was asked to write.</summary>
    private sealed class RecordingRuntime : ISiteRuntime
    {
        private readonly FakeSiteRuntime _inner = new(RuntimeOutcome.Done("ok"));
        public List<SocialLogin> Logins { get; } = [];
        public string Driver => "fake";
        public Task<RuntimeOutcome> ConfigureSocialLoginAsync(Site site, SocialLogin login, CancellationToken ct)
        {
            Logins.Add(login);
            return Task.FromResult(RuntimeOutcome.Done("wrote the Social Login Key"));
        }
        public Task<RuntimeOutcome> WriteConfigAsync(Site site, SiteSecrets secrets, CancellationToken ct) => _inner.WriteConfigAsync(site, secrets, ct);
        public Task<RuntimeOutcome> StartAsync(Site site, CancellationToken ct) => _inner.StartAsync(site, ct);
        public Task<string?> ReadOwnConfigAsync(Site site, CancellationToken ct) => _inner.ReadOwnConfigAsync(site, ct);
        public Task<string?> SocketIoSocketAsync(string siteName, CancellationToken ct) => _inner.SocketIoSocketAsync(siteName, ct);
        public Task<RuntimeOutcome> EnableSchedulerAsync(Site site, CancellationToken ct) => _inner.EnableSchedulerAsync(site, ct);
        public Task<IReadOnlyDictionary<string, string>> AppVersionsAsync(Site site, CancellationToken ct) => _inner.AppVersionsAsync(site, ct);
        public Task<RuntimeOutcome> InstallAsync(Site site, SiteSecrets secrets, CancellationToken ct) => _inner.InstallAsync(site, secrets, ct);
        public Task<HealthProbe> ProbeAsync(Site site, CancellationToken ct) => _inner.ProbeAsync(site, ct);
        public Task<RuntimeOutcome> StopAsync(Site site, CancellationToken ct) => _inner.StopAsync(site, ct);
        public Task<RuntimeOutcome> RemoveRunnerAsync(Site site, CancellationToken ct) => _inner.RemoveRunnerAsync(site, ct);
        public Task<RuntimeOutcome> RemoveFilesAsync(Site site, CancellationToken ct) => _inner.RemoveFilesAsync(site, ct);
        public Task<RuntimeOutcome> RemoveRedisAsync(Site site, CancellationToken ct) => _inner.RemoveRedisAsync(site, ct);
        public Task<IReadOnlyList<string>> LogsAsync(Site site, int tail, CancellationToken ct) => _inner.LogsAsync(site, tail, ct);
        public RuntimeStatus Describe(Site site) => _inner.Describe(site);
        public Task<RuntimeOutcome> ExportFilesAsync(Site site, Stream destination, CancellationToken ct) => _inner.ExportFilesAsync(site, destination, ct);
        public Task<RuntimeOutcome> StageFilesAsync(Site site, string restoreId, Stream tar, CancellationToken ct) => _inner.StageFilesAsync(site, restoreId, tar, ct);
        public Task<RuntimeOutcome> SwapFilesAsync(Site site, string restoreId, CancellationToken ct) => _inner.SwapFilesAsync(site, restoreId, ct);
        public Task<RuntimeOutcome> UnswapFilesAsync(Site site, string restoreId, CancellationToken ct) => _inner.UnswapFilesAsync(site, restoreId, ct);
        public Task<RuntimeOutcome> DiscardRestoreFilesAsync(Site site, string restoreId, CancellationToken ct) => _inner.DiscardRestoreFilesAsync(site, restoreId, ct);
        public Task<RuntimeOutcome> MigrateAsync(Site site, CancellationToken ct) => _inner.MigrateAsync(site, ct);
        public Task<RuntimeOutcome> SetMaintenanceAsync(Site site, bool on, CancellationToken ct) => _inner.SetMaintenanceAsync(site, on, ct);
    }
}
