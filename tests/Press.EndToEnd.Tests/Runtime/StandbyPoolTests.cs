using System.Net;
using Press.Core.Jobs;
using Press.EndToEnd.Tests.Harness;

namespace Press.EndToEnd.Tests.Runtime;

/// <summary>
/// The standby pool (docs/architecture.md §17) on the process driver with the Frappe test double: one stack (manager
/// with the embedded proxy, a worker refilling every second) shared by every test here; each starts from a ready standby.
/// </summary>
[Collection(SiteRuntimeCollection.Name)]
public sealed class StandbyPoolTests(StandbyPoolTests.Fixture fixture) : IClassFixture<StandbyPoolTests.Fixture>
{
    public sealed class Fixture : IAsyncLifetime
    {
        private RuntimeStack? _stack;
        public RuntimeStack Stack => _stack ?? throw new InvalidOperationException("fixture not initialised");

        public async Task InitializeAsync()
        {
            _stack = await RuntimeStack.StartProcessAsync(proxy: true, extra: new Dictionary<string, string?>
            {
                ["Press:Worker:StandbyRefillInterval"] = "00:00:01",
                ["Press:Worker:RetentionInterval"] = "00:00:02",
            });
            var set = await _stack.Admin.SendAsync(HttpMethod.Put, "/api/settings/standby.size", new { value = "1" });
            Assert.True(set.Status == HttpStatusCode.OK, set.ToString());
        }

        public async Task DisposeAsync()
        {
            if (_stack is { } stack) await stack.DisposeAsync();
        }
    }

    private static readonly TimeSpan PoolTimeout = TimeSpan.FromSeconds(90);
    private RuntimeStack Stack => fixture.Stack;
    private int Proxy => Stack.ProxyPort ?? throw new InvalidOperationException("the stack runs no proxy");

    private sealed record AppSetView(string Apps, int Target, int Ready, int Creating, int Broken);
    private sealed record StandbySiteView(string Name, string Apps, string State, string PoolState);
    private sealed record PoolView(int Target, bool Enabled, string? Reason, List<AppSetView> AppSets, List<StandbySiteView> Sites);

    private async Task<PoolView> PoolAsync()
    {
        var response = await Stack.Admin.GetAsync("/api/standby");
        Assert.True(response.Status == HttpStatusCode.OK, response.ToString());
        return response.As<PoolView>();
    }

    /// <summary>The pool has a ready standby of frappe alone; returns its name.</summary>
    private async Task<string> ReadyStandbyAsync()
    {
        var pool = await Eventually.Until(PoolAsync, p => p.Sites.Any(s => s.PoolState == "ready"), PoolTimeout,
            "a ready standby", Stack.Describe);
        return pool.Sites.First(s => s.PoolState == "ready").Name;
    }

    private async Task<JobView> ClaimAsync(string name)
    {
        var queued = await Stack.Api.CreateSiteAsync(name);
        Assert.True(queued.Kind == nameof(JobKind.ClaimStandby), $"expected a claim: {queued.Describe()}");
        return queued;
    }

    [Fact]
    public async Task A_claimed_standby_answers_under_the_new_name_through_the_proxy_and_the_pool_refills()
    {
        var standby = await ReadyStandbyAsync();
        var pool = await PoolAsync();
        Assert.True(pool.Enabled, pool.ToString());
        Assert.Equal(new AppSetView("frappe", 1, 1, 0, 0), pool.AppSets.Single());
        Assert.EndsWith(".invalid", standby, StringComparison.Ordinal);

        // Never a customer's: not listed, not routed (the proxy answers an unknown host), not in the metrics' site names.
        var list = await Stack.Admin.GetAsync("/api/sites?pageSize=100");
        Assert.DoesNotContain(standby, list.Body, StringComparison.Ordinal);
        Assert.Equal(404, (await FrappeProbe.PingAsync(standby, Proxy)).Status);
        var (_, metrics) = await Stack.Manager.GetAsync("/metrics");
        Assert.Contains("press_standby_sites{apps=\"frappe\",state=\"ready\"} 1", metrics, StringComparison.Ordinal);

        var name = Stack.SiteName("claimed");
        var claim = await Stack.Api.WaitForJobAsync((await ClaimAsync(name)).Id, RuntimeStack.JobTimeout, Stack.Describe);
        Stack.AssertAllStepsSucceeded(claim, Recipes.ClaimStandby);
        var ping = await FrappeProbe.UntilPongAsync(name, Proxy, TimeSpan.FromSeconds(10), Stack.Describe);
        Assert.True(ping.IsPong, ping.ToString());
        var bench = Stack.BenchFolder!;
        Assert.True(File.Exists(Path.Combine(ProcessRunners.SiteFolder(bench, name), "site_config.json")), "no site folder under the new name");
        Assert.False(Directory.Exists(ProcessRunners.SiteFolder(bench, standby)), $"the standby's folder {standby} is still there");
        Assert.Contains($"\"host_name\": \"http://{name}", await File.ReadAllTextAsync(Path.Combine(ProcessRunners.SiteFolder(bench, name), "site_config.json")),
            StringComparison.Ordinal);
        var site = await Stack.GetSiteAsync(name);
        Assert.Equal("Active", site.State);

        // The new Administrator password is shown once, like a new site's.
        var admin = await Stack.Admin.SendAsync(HttpMethod.Post, $"/api/sites/{name}/admin-password");
        Assert.True(admin.Status == HttpStatusCode.OK, admin.ToString());

        // The pool refills through an ordinary NewSite job, under a new opaque name.
        var refilled = await Eventually.Until(PoolAsync, p => p.Sites.Any(s => s.PoolState == "ready"), PoolTimeout, "the pool to refill", Stack.Describe);
        Assert.DoesNotContain(refilled.Sites, s => s.Name == standby);
    }

    [Fact]
    public async Task A_failing_claim_falls_back_to_a_cold_create_and_discards_the_standby()
    {
        var standby = await ReadyStandbyAsync();
        var bench = Stack.BenchFolder!;
        // The double's test hook: set-admin-password fails in this site folder (it moves with the rename).
        await File.WriteAllTextAsync(Path.Combine(ProcessRunners.SiteFolder(bench, standby), "frappe-test-double-fail-set-admin-password"), "");

        var name = Stack.SiteName("fallback");
        var claim = await Stack.Api.WaitForJobAsync((await ClaimAsync(name)).Id, RuntimeStack.JobTimeout, Stack.Describe);
        Assert.True(claim.State == "Failed" && claim.FailedStep == StepNames.RotateAdminPassword, claim.Describe());
        Assert.Contains("created cold by job", claim.Error, StringComparison.Ordinal);

        var cold = (await Stack.Api.ListJobsAsync(name)).Single(j => j.Kind == nameof(JobKind.NewSite));
        Stack.AssertAllStepsSucceeded(await Stack.Api.WaitForJobAsync(cold.Id, RuntimeStack.JobTimeout, Stack.Describe), Recipes.NewSite);
        Assert.True((await FrappeProbe.UntilPongAsync(name, Proxy, TimeSpan.FromSeconds(10), Stack.Describe)).IsPong);
        Assert.False(File.Exists(Path.Combine(ProcessRunners.SiteFolder(bench, name), "frappe-test-double-fail-set-admin-password")),
            "the cold site got the standby's folder");
        Assert.False(Directory.Exists(ProcessRunners.SiteFolder(bench, standby)), "the standby's folder is still there");
        // The discarded standby is purged by the retention scheduler (its schema and role dropped).
        await Eventually.Until(async () => (await Stack.Admin.GetAsync("/api/jobs?kind=PurgeSite&state=Succeeded&limit=50")).Body,
            body => body.Contains("\"discarded-", StringComparison.Ordinal), PoolTimeout, "the discarded standby to be purged", Stack.Describe);
    }

    [Fact]
    public async Task A_claim_whose_worker_is_killed_mid_rename_is_resumed_by_another_worker()
    {
        await ReadyStandbyAsync();
        await Stack.Worker.KillAsync();
        var pausing = await Stack.StartWorkerAsync(PressProcess.FastWorker(pauseAfterStep: StepNames.RenameSite, lease: TimeSpan.FromSeconds(3)));
        var name = Stack.SiteName("killed");
        var queued = await ClaimAsync(name);
        await Crash.WaitForPauseAsync(pausing, queued.Id, StepNames.RenameSite, Stack.Scene);
        await pausing.KillAsync(); // SIGKILL after the folder moved, before the step's success was recorded

        await Stack.StartWorkerAsync();
        var job = await Stack.Api.WaitForJobAsync(queued.Id, RuntimeStack.JobTimeout, Stack.Describe);
        Crash.AssertResumedAt(job, StepNames.RenameSite, Stack.Describe);
        Assert.StartsWith("already renamed", job.Step(StepNames.RenameSite).Output, StringComparison.Ordinal);
        Assert.True((await FrappeProbe.UntilPongAsync(name, Proxy, TimeSpan.FromSeconds(10), Stack.Describe)).IsPong);
    }
}
