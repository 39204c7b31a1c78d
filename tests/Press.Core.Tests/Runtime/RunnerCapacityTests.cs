using Press.Core.Audit;
using Press.Core.Runtime;
using Press.Core.Sites;
using Press.Core.Tenancy;
using Press.Core.Tests.Fakes;

namespace Press.Core.Tests.Runtime;

/// <summary>One runner port per served site: the 1,101st is refused before any job is queued (docs/architecture.md §16).</summary>
public sealed class RunnerCapacityTests
{
    private readonly FakeSiteCommands _commands = new();
    private readonly FakeSiteStore _sites = new();
    private readonly FakeBackupStore _backups = new();
    private static readonly Actor Alice = new("alice", "10.0.0.7");

    private SiteOperations Operations() => new(_commands, new FakeSecretProtector(), new FakeJobSignals(), new TenancyOptions(), _sites,
        _backups, _backups, new PressHost("press.example.net"), new FakeSettingsStore(Settings.PressSettings.Defaults), new FakeSiteSsoStore(), new FakeStandbyPool());

    [Fact]
    public void The_limit_is_the_runner_port_range()
    {
        Assert.Equal(1100, RunnerCapacity.Sites);
        RunnerCapacity.ThrowIfFull(1099, "create 'x'");
        var refused = Assert.Throws<ConflictException>(() => RunnerCapacity.ThrowIfFull(1100, "create 'x'"));
        Assert.Equal("Cannot create 'x': this host already serves 1,100 sites, the most it can — one runner port each in 48600–49699 " +
                     "(1,100 ports; each site's Redis follows its runner). Purge soft-deleted sites (they keep their port until purged) " +
                     "or create the site on another Press host.", refused.Message);
    }

    [Fact]
    public async Task Creating_the_1101st_served_site_is_refused_and_records_nothing()
    {
        _sites.Served = 1100;

        var refused = await Assert.ThrowsAsync<ConflictException>(() =>
            Operations().CreateAsync(new NewSiteRequest("one-too-many.example.com", []), Alice, CancellationToken.None));

        Assert.Contains("1,100", refused.Message);
        Assert.Empty(_commands.Creates);
        _sites.Served = 1099;
        await Operations().CreateAsync(new NewSiteRequest("last.example.com", []), Alice, CancellationToken.None);
        Assert.Equal("press_sites", Assert.Single(_commands.Creates).Site.Placement!.First);
    }

    [Fact]
    public async Task Resume_and_undelete_are_refused_only_for_a_site_that_would_need_a_new_port()
    {
        var withPort = TestData.Site("kept.example.com", SiteState.Suspended) with { RunnerPort = 48600 };
        var without = TestData.Site("none.example.com", SiteState.Deleted);
        _sites.Sites[withPort.Id] = withPort;
        _sites.Sites[without.Id] = without;
        _sites.Served = 1100;

        await Operations().ResumeAsync(withPort.Name, Alice, CancellationToken.None);
        await Assert.ThrowsAsync<ConflictException>(() => Operations().UndeleteAsync(without.Name, Alice, CancellationToken.None));

        Assert.Equal([withPort.Name], _commands.Enqueues.Select(e => e.SiteName));
    }
}
