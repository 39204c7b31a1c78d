using Press.Core.Audit;
using Press.Core.Backups;
using Press.Core.Jobs;
using Press.Core.Sites;
using Press.Core.Sso;
using Press.Core.Tenancy;
using Press.Core.Tests.Fakes;

namespace Press.Core.Tests.Sites;

public sealed class SiteOperationsTests
{
    private readonly FakeSiteCommands _commands = new();
    private readonly FakeSecretProtector _secrets = new();
    private readonly FakeJobSignals _signals = new();
    private readonly TenancyOptions _tenancy = new() { SitesDatabase = "press_sites_test" };

    private readonly FakeBackupStore _backups = new();

    private Settings.PressSettings _settings = Settings.PressSettings.Defaults;

    private readonly FakeSiteSsoStore _sso = new();

    private SiteOperations Operations() => new(_commands, _secrets, _signals, _tenancy, new FakeSiteStore(), _backups, _backups,
        new PressHost("press.example.net"), new FakeSettingsStore(_settings), _sso);

    [Fact]
    public async Task A_copy_of_an_SSO_site_gets_its_own_client_even_while_the_setting_is_off()
    {
        var actor = new Actor("alice", "10.0.0.7");
        Guid GoodBackupOf(Guid siteId)
        {
            var id = Guid.NewGuid();
            var manifest = new BackupManifest("press-backup/1", id, "src.example.com", siteId, "press_sites", "t_x", "Manual",
                new ManifestPostgres("17", "17"), [new ManifestApp("frappe", null)], [], null,
                new Dictionary<string, long>(), 0, TestData.Now, TestData.Now.AddDays(30));
            _backups.Backups[id] = new Backup(id, siteId, "src.example.com", BackupTrigger.Manual, BackupState.Good,
                TestData.Now, TestData.Now.AddDays(30), TestData.Now, null, [], null, manifest, null);
            return id;
        }
        var withSso = Guid.NewGuid();
        _sso.Rows[withSso] = new SiteSsoRecord(withSso, "dcr", "c", [1], null, null, SiteSsoState.Enabled, true, TestData.Now);

        await Operations().CreateAsync(new NewSiteRequest("copy1.example.com", [], GoodBackupOf(withSso)), actor, CancellationToken.None);
        await Operations().CreateAsync(new NewSiteRequest("copy2.example.com", [], GoodBackupOf(Guid.NewGuid())), actor, CancellationToken.None);

        Assert.Equal("on", _commands.Creates[0].Args[JobArgs.Sso]);
        Assert.False(_commands.Creates[1].Args.ContainsKey(JobArgs.Sso));
        Assert.All(_commands.Creates, c => Assert.True(c.Args.ContainsKey(JobArgs.BackupId)));
    }

    [Fact]
    public async Task Create_asks_for_single_sign_on_only_while_the_setting_is_on()
    {
        var actor = new Actor("alice", "10.0.0.7");
        await Operations().CreateAsync(new NewSiteRequest("off.example.com", []), actor, CancellationToken.None);
        _settings = _settings with { SsoForNewSites = true };
        await Operations().CreateAsync(new NewSiteRequest("on.example.com", []), actor, CancellationToken.None);

        Assert.False(_commands.Creates[0].Args.ContainsKey(JobArgs.Sso));
        Assert.Equal("on", _commands.Creates[1].Args[JobArgs.Sso]);
    }

    [Fact]
    public async Task Create_stores_a_sealed_Administrator_password_different_from_the_database_password()
    {
        var job = await Operations().CreateAsync(new NewSiteRequest("erp.example.com", ["erpnext"]), new Actor("alice", "10.0.0.7"), CancellationToken.None);

        var created = Assert.Single(_commands.Creates);
        var record = created.Site;
        var databasePassword = _secrets.Unprotect(record.EncryptedPassword);
        var adminPassword = _secrets.Unprotect(record.EncryptedAdminPassword);

        Assert.True(SitePassword.IsWellFormed(databasePassword));
        Assert.True(SitePassword.IsWellFormed(adminPassword));
        Assert.NotEqual(databasePassword, adminPassword);
        Assert.NotEqual(record.EncryptedPassword, record.EncryptedAdminPassword);
        // Stored sealed, never as plain text.
        Assert.NotEqual(System.Text.Encoding.UTF8.GetBytes(adminPassword), record.EncryptedAdminPassword);
        Assert.NotEqual(System.Text.Encoding.UTF8.GetBytes(databasePassword), record.EncryptedPassword);

        Assert.Equal(JobKind.NewSite, job.Kind);
        Assert.Equal(record.Id, job.SiteId);
    }

    [Fact]
    public async Task Create_records_the_site_in_the_sites_database_with_one_opaque_identifier_and_wakes_the_workers()
    {
        await Operations().CreateAsync(new NewSiteRequest("erp.example.com", ["erpnext", "hrms"]), new Actor("alice", "10.0.0.7"), CancellationToken.None);

        var (record, _, audit) = Assert.Single(_commands.Creates);
        Assert.Equal("erp.example.com", record.Name);
        Assert.Equal("press_sites_test", record.Database);
        Assert.True(TenantIdentifier.IsValid(record.Schema));
        Assert.Equal(record.Schema, record.RoleName);
        Assert.Equal(["erpnext", "hrms"], record.Apps);
        Assert.Equal(new AuditEntry("alice", "site.create", "erp.example.com", null,
            audit.Details, "10.0.0.7"), audit);
        Assert.Equal("erpnext,hrms", audit.Details?["apps"]);
        Assert.Equal(1, _signals.Wakes);
    }

    [Fact]
    public async Task Every_create_gets_fresh_passwords()
    {
        var actor = new Actor("alice", null);
        await Operations().CreateAsync(new NewSiteRequest("a.example.com", []), actor, CancellationToken.None);
        await Operations().CreateAsync(new NewSiteRequest("b.example.com", []), actor, CancellationToken.None);

        var passwords = _commands.Creates
            .SelectMany(c => new[] { c.Site.EncryptedPassword, c.Site.EncryptedAdminPassword })
            .Select(_secrets.Unprotect)
            .ToList();
        Assert.Equal(4, passwords.Distinct().Count());
    }
}
