using Docker.DotNet.Models;
using Press.Core.Sites;
using Press.Core.Tenancy;
using Press.Infrastructure.Runtime.Docker;

namespace Press.Infrastructure.Tests.Runtime;

/// <summary>The reconciler's and doctor's one rule for which containers are strays.</summary>
public sealed class SiteContainersTests
{
    private static Site Make(string name, SiteState state) => new(Guid.NewGuid(), name, state,
        new TenantLocation("press_sites", "t_abcdefghijklmnopqrst"), "t_abcdefghijklmnopqrst", [], [], DateTimeOffset.UnixEpoch,
        DateTimeOffset.UnixEpoch, null, null, null);

    private static ContainerListResponse Named(string name) => new() { ID = "id-" + name, Names = ["/" + name] };

    [Fact]
    public void A_live_site_owns_its_runner_its_Redis_and_every_background_container()
    {
        var site = Make("erp.example.com", SiteState.Active);
        Assert.Equal(
            ["fcs-press-site-erp.example.com", "fcs-press-site-erp.example.com-redis",
             .. BackgroundContainer.Names(site)],
            SiteContainers.Names(site));
        Assert.Empty(SiteContainers.Strays([site], SiteContainers.Names(site).Select(Named)));
    }

    [Fact]
    public void Containers_of_no_site_or_of_a_soft_deleted_site_are_strays_in_name_order()
    {
        var live = Make("a.example.com", SiteState.Suspended);
        var deleted = Make("b.example.com", SiteState.Deleted);
        var managed = new[] { Named("fcs-press-site-z.example.com"), Named(RunnerContainer.Name(deleted)), Named(RunnerContainer.Name(live)) };

        Assert.Equal(["fcs-press-site-b.example.com", "fcs-press-site-z.example.com"], SiteContainers.Strays([live, deleted], managed));
    }
}
