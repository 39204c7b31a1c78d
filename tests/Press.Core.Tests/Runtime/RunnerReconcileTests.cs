using Press.Core.Jobs;
using Press.Core.Runtime;
using Press.Core.Sites;
using Press.Core.Tests.Fakes;

namespace Press.Core.Tests.Runtime;

public sealed class RunnerReconcileTests
{
    private static readonly Site Active = TestData.Site() with { State = SiteState.Active, RunnerPort = 48600 };

    [Theory]
    [InlineData(JobKind.SuspendSite)]
    [InlineData(JobKind.DeleteSite)]
    [InlineData(JobKind.PurgeSite)]
    public void A_stopped_runner_of_a_site_whose_suspend_delete_or_purge_is_in_progress_is_left_stopped(JobKind kind)
    {
        Assert.Equal($"a {kind} job is in progress", RunnerReconcile.WhyNotStart(Active, kind));
    }

    [Theory]
    [InlineData(null)]
    [InlineData(JobKind.BackupSite)]
    [InlineData(JobKind.VerifyBackup)]
    [InlineData(JobKind.RestoreSite)]
    public void An_active_sites_stopped_runner_is_started_otherwise(JobKind? kind)
    {
        Assert.Null(RunnerReconcile.WhyNotStart(Active, kind));
    }

    [Fact]
    public void Only_active_sites_with_a_port_are_started()
    {
        Assert.Equal("the site is Suspended", RunnerReconcile.WhyNotStart(Active with { State = SiteState.Suspended }, null));
        Assert.Equal("the site has no runner port", RunnerReconcile.WhyNotStart(Active with { RunnerPort = null }, null));
    }
}
