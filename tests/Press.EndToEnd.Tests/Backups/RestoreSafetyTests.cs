using Npgsql;
using Press.Core.Backups;
using Press.Core.Jobs;
using Press.EndToEnd.Tests.Harness;

namespace Press.EndToEnd.Tests.Backups;

/// <summary>One site with data and one good backup of it; no worker stays running (each test starts its own).</summary>
public class RestoreSiteFixture : ManagerFixture
{
    protected virtual string SiteName => "safety.restore.test";
    public string Site => SiteName;
    public string Schema { get; private set; } = "";
    public Guid BackupId { get; private set; }
    public SortedDictionary<string, string> BackedUp { get; private set; } = [];

    protected override async Task SetUpAsync()
    {
        await using var scene = new Scene(Manager);
        await scene.StartWorkerAsync(Db, "worker-setup", PressProcess.FastWorker());
        using var api = new BackupApi(this);
        await api.SucceededAsync(await Api.CreateSiteAsync(Site), scene.Describe);
        Schema = (await Api.GetSiteAsync(Site)).Location.Schema;
        await SiteData.FillAsync(Db, Schema, rows: 3_000);
        BackupId = (await api.SucceededAsync(await api.BackupAsync(Site), scene.Describe)).Id;
        BackedUp = await SiteData.FingerprintAsync(Db, Schema);
    }

    /// <summary>Makes the live data differ from the backup, uniquely for this test case.</summary>
    public async Task<SortedDictionary<string, string>> DivergeAsync(string marker)
    {
        await using var conn = await Db.OpenAsSuperuserAsync();
        await using (var cmd = new NpgsqlCommand($"SET ROLE \"{Schema}\"; UPDATE \"{Schema}\".\"tabItem\" SET title = @m WHERE idx % 7 = 0", conn))
        {
            cmd.Parameters.AddWithValue("m", "diverged before " + marker);
            await cmd.ExecuteNonQueryAsync();
        }
        var live = await SiteData.FingerprintAsync(Db, Schema);
        Assert.NotEqual(BackedUp, live);
        return live;
    }
}

public sealed class RestoreKillFixture : RestoreSiteFixture
{
    protected override string SiteName => "kill.restore.test";
}

/// <summary>
/// A restore that fails after any of its steps leaves the live site exactly as it was: same data, no schema left
/// beside it, still Active — the failure's undo swaps back whatever was swapped.
/// </summary>
public sealed class RestoreFailureTests(RestoreSiteFixture stack) : IClassFixture<RestoreSiteFixture>
{
    public static TheoryData<string> Steps => new(Recipes.RestoreSite.Steps);

    [Theory]
    [MemberData(nameof(Steps))]
    public async Task A_restore_failing_after_a_step_leaves_the_live_site_as_it_was(string step)
    {
        var before = await stack.DivergeAsync("failure after " + step);
        await using var scene = new Scene(stack.Manager);
        await scene.StartWorkerAsync(stack.Db, $"worker(fail after {step})", PressProcess.FastWorker(failAfterStep: step));
        using var api = new BackupApi(stack);
        var queued = await api.RestoreAsync(stack.Site, stack.BackupId);
        var job = await stack.Api.WaitForJobAsync(queued.Id, Crash.JobTimeout, scene.Describe);

        Assert.True(job.State == "Failed" && job.FailedStep == step, $"expected a failure at {step}: {job.Describe()}");
        Assert.Contains("undone", job.Error);
        Assert.Equal(before, await SiteData.FingerprintAsync(stack.Db, stack.Schema));
        Assert.Equal([stack.Schema], await SiteData.SchemasAsync(stack.Db, stack.Schema));
        Assert.Equal([stack.Schema], await SiteData.OwnersAsync(stack.Db, stack.Schema));
        Assert.Equal("Active", (await stack.Api.GetSiteAsync(stack.Site)).State);
    }
}

/// <summary>
/// SIGKILL of the worker right after the effect of any restore step: another worker finishes the restore, the live
/// schema holds exactly the backup, and the data it replaced is kept whole for the rollback.
/// </summary>
public sealed class RestoreCrashTests(RestoreKillFixture stack) : IClassFixture<RestoreKillFixture>
{
    public static TheoryData<string> Steps => new(Recipes.RestoreSite.Steps);

    [Theory]
    [MemberData(nameof(Steps))]
    public async Task A_worker_killed_after_a_restore_step_is_resumed_and_the_restore_completes(string step)
    {
        var before = await stack.DivergeAsync("kill after " + step);
        await using var scene = new Scene(stack.Manager);
        var a = await scene.StartWorkerAsync(stack.Db, $"worker-A(pause after {step})", PressProcess.FastWorker(step));
        using var api = new BackupApi(stack);
        var queued = await api.RestoreAsync(stack.Site, stack.BackupId);
        await Crash.WaitForPauseAsync(a, queued.Id, step, scene);
        if (Array.IndexOf(Recipes.RestoreSite.Steps.ToArray(), step) < Array.IndexOf(Recipes.RestoreSite.Steps.ToArray(), StepNames.SwapSchema))
            Assert.Equal(before, await SiteData.FingerprintAsync(stack.Db, stack.Schema)); // nothing live touched yet
        await a.KillAsync();

        await scene.StartWorkerAsync(stack.Db, "worker-B", PressProcess.FastWorker());
        var job = await stack.Api.WaitForJobAsync(queued.Id, Crash.JobTimeout, scene.Describe);
        Crash.AssertResumedAt(job, step, scene.Describe);

        Assert.Equal(stack.BackedUp, await SiteData.FingerprintAsync(stack.Db, stack.Schema));
        var previous = RestoreNames.PreviousSchema(stack.Schema, RestoreNames.RestoreId(job.Id));
        Assert.Equal(before, await SiteData.FingerprintAsync(stack.Db, previous));
        Assert.DoesNotContain(RestoreNames.FreshSchema(stack.Schema, RestoreNames.RestoreId(job.Id)), await SiteData.SchemasAsync(stack.Db, stack.Schema));
        Assert.Equal("Active", (await stack.Api.GetSiteAsync(stack.Site)).State);
    }
}
