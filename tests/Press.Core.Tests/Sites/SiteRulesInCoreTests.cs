using Press.Core.Audit;
using Press.Core.Backups;
using Press.Core.Jobs;
using Press.Core.Ports;
using Press.Core.Sites;
using Press.Core.Tenancy;
using Press.Core.Tests.Fakes;

namespace Press.Core.Tests.Sites;

/// <summary>Issue 11 item 2: the rules of sites and domains live in Core, one rule with one answer.</summary>
public sealed class SiteRulesInCoreTests
{
    private static readonly PressHost Press = new("press.example.net");
    private static readonly Actor Alice = new("alice", "203.0.113.9");
    private readonly FakeSiteCommands _commands = new();
    private readonly RecordingDomainStore _domains = new();

    private SiteOperations Sites() => new(_commands, new FakeSecretProtector(), new FakeJobSignals(),
        new TenancyOptions { SitesDatabase = "press_sites_test" }, new FakeSiteStore(), new FakeBackupStore(), new FakeBackupStore(), Press,
        new FakeSettingsStore(Core.Settings.PressSettings.Defaults), new FakeSiteSsoStore());

    private DomainOperations Domains() => new(_domains, Press);

    [Fact]
    public async Task Presss_own_host_is_refused_the_same_way_for_a_site_and_for_a_domain()
    {
        var site = await Assert.ThrowsAsync<ValidationException>(() => Sites().CreateAsync(new NewSiteRequest("PRESS.example.net".ToLowerInvariant(), []), Alice, default));
        var domain = await Assert.ThrowsAsync<ValidationException>(() => Domains().AddAsync("erp.example.com", "press.example.net", Alice, default));

        Assert.Equal(["'press.example.net' is Press's own host name (Press:Ingress:PressHost): choose another name."], site.Problems["name"]);
        Assert.Equal(["'press.example.net' is Press's own host name (Press:Ingress:PressHost): choose another domain."], domain.Problems["domain"]);
        Assert.Empty(_commands.Creates);
        Assert.Empty(_domains.Added);
    }

    [Fact]
    public async Task Every_problem_of_a_create_request_is_reported_at_once_and_nothing_is_written()
    {
        var ex = await Assert.ThrowsAsync<ValidationException>(() =>
            Sites().CreateAsync(new NewSiteRequest("Bad_Name", ["ERPNext"], Guid.NewGuid()), Alice, default));

        Assert.Equal(2, ex.Problems["name"].Count); // uppercase, underscore
        Assert.Contains(ex.Problems["apps"], p => p.Contains("cannot be given with 'fromBackup'", StringComparison.Ordinal));
        Assert.Contains(ex.Problems["apps"], p => p.Contains("is not an app name", StringComparison.Ordinal));
        Assert.Empty(_commands.Creates);
    }

    [Fact]
    public async Task A_domain_follows_the_host_name_rules_with_its_own_noun()
    {
        var ex = await Assert.ThrowsAsync<ValidationException>(() => Domains().AddAsync("erp.example.com", "Shop.example.org", Alice, default));
        Assert.Equal(["The domain has uppercase letters: use lowercase ('shop.example.org')."], ex.Problems["domain"]);

        Assert.Equal(["shop.example.org"], await Domains().AddAsync("erp.example.com", "shop.example.org", Alice, default));
        Assert.Equal(("erp.example.com", "shop.example.org", "site.domain.add", "alice"), _domains.Added.Single());
    }

    [Fact]
    public async Task Core_chooses_the_recipe_and_the_backup_trigger()
    {
        var ops = Sites();
        await ops.CreateAsync(new NewSiteRequest("erp.example.com", ["erpnext"]), Alice, default);
        await ops.DeleteAsync("erp.example.com", Alice, default);
        await ops.BackupAsync("erp.example.com", Alice, default, BackupTrigger.Scheduled);
        await ops.SuspendAsync("erp.example.com", Alice, default);

        Assert.Same(Recipes.NewSite, _commands.Creates.Single().Recipe);
        Assert.Equal([BackupTrigger.PreDelete, BackupTrigger.Scheduled, null], _commands.Enqueues.Select(e => e.Backup));
        Assert.Null(BackupTriggers.For(Recipes.ResumeSite));
        Assert.Equal(BackupTrigger.PreRestore, BackupTriggers.For(Recipes.RestoreSite, BackupTrigger.Manual));
    }

    [Fact]
    public void A_new_site_record_has_two_different_sealed_passwords_and_one_identifier_for_schema_and_role()
    {
        var record = NewSiteRecord.For("erp.example.com", ["erpnext"], "press_sites_test", new FakeSecretProtector());
        Assert.Equal(record.Schema, record.RoleName);
        Assert.NotEqual(record.EncryptedPassword, record.EncryptedAdminPassword);
        Assert.Equal(("erp.example.com", "press_sites_test"), (record.Name, record.Database));
    }

    private sealed class RecordingDomainStore : IDomainStore
    {
        public List<(string Site, string Domain, string Action, string Actor)> Added { get; } = [];

        public Task<IReadOnlyList<string>> AddAsync(string siteName, string domain, AuditEntry audit, CancellationToken ct)
        {
            Added.Add((siteName, domain, audit.Action, audit.Actor));
            return Task.FromResult<IReadOnlyList<string>>([domain]);
        }

        public Task RemoveAsync(string siteName, string domain, AuditEntry audit, CancellationToken ct) => Task.CompletedTask;
    }
}
