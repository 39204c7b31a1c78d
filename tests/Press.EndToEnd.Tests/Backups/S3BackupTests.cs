using Press.Core.Jobs;
using Press.EndToEnd.Tests.Harness;
using Press.Testing;

namespace Press.EndToEnd.Tests.Backups;

/// <summary>Backups to the real S3 store (Ceph radosgw, credentials enforced), each test with its own worker.</summary>
public sealed class S3BackupTests(ManagerFixture stack) : IClassFixture<ManagerFixture>
{
    private Dictionary<string, string?> S3Worker(string url, string? secret = null, string bucket = "press-e2e-backups")
    {
        var s3 = S3TestServices.S3;
        var settings = PressProcess.FastWorker();
        settings["Press:S3:ServiceUrl"] = url;
        settings["Press:S3:AccessKey"] = s3.AccessKey;
        settings["Press:S3:SecretKey"] = secret ?? s3.SecretKey;
        settings["Press:S3:Bucket"] = bucket + "-" + stack.Db.Suffix;
        return settings;
    }

    private async Task<string> SiteAsync(Scene scene, string name)
    {
        using var api = new BackupApi(stack);
        await api.SucceededAsync(await stack.Api.CreateSiteAsync(name), scene.Describe);
        var schema = (await stack.Api.GetSiteAsync(name)).Location.Schema;
        await SiteData.FillAsync(stack.Db, schema);
        return schema;
    }

    [Fact]
    public async Task Wrong_credentials_fail_the_backup_with_a_clear_error_and_nothing_is_good()
    {
        await using var scene = new Scene(stack.Manager);
        await scene.StartWorkerAsync(stack.Db, "worker(wrong S3 secret)", S3Worker(S3TestServices.S3.Url, secret: "not-the-secret-key-at-all"));
        const string site = "creds.s3.backup.test";
        await SiteAsync(scene, site);
        using var api = new BackupApi(stack);
        var queued = await api.BackupAsync(site);
        var job = await stack.Api.WaitForJobAsync(queued.Id, Crash.JobTimeout, scene.Describe);

        Assert.True(job.State == "Failed" && job.FailedStep == StepNames.BackupDatabase, $"expected a failure at backup-database: {job.Describe()}");
        Assert.Equal(1, job.Step(StepNames.BackupDatabase).Attempts); // refused credentials are not retried
        Assert.Matches("(?i)credential|signature|access denied|forbidden", job.Error);
        Assert.DoesNotContain("not-the-secret-key-at-all", job.Error);
        var backup = await api.GetBackupAsync(queued.Id);
        Assert.Equal("Failed", backup.GetProperty("state").GetString());
        Assert.Equal("Active", (await stack.Api.GetSiteAsync(site)).State);
    }

    [Fact]
    public async Task The_store_going_away_mid_upload_is_retried_and_the_backup_is_good_only_after_it_came_back()
    {
        var upstream = new Uri(S3TestServices.S3.Url);
        await using var proxy = new FaultyTcpProxy(upstream.Port);
        await using var scene = new Scene(stack.Manager);
        await scene.StartWorkerAsync(stack.Db, "worker(S3 through a faulty proxy)", S3Worker($"http://127.0.0.1:{proxy.Port}", bucket: "press-e2e-cut"));
        const string site = "cut.s3.backup.test";
        await SiteAsync(scene, site);
        using var api = new BackupApi(stack);

        proxy.CutAfter(256 * 1024);
        var queued = await api.BackupAsync(site);
        var waiting = await stack.Api.WaitForJobAsync(queued.Id, Crash.JobTimeout, scene.Describe,
            until: j => j.Step(StepNames.BackupDatabase) is { Attempts: >= 1, Error: not null } || j.IsTerminal);
        Assert.True(proxy.Cuts >= 1, $"the upload was never cut: {waiting.Describe()}");
        Assert.True(waiting.State is "Waiting" or "Running" or "Queued", $"a cut upload must be retried, not fail the job: {waiting.Describe()}");
        Assert.Equal("Running", (await api.GetBackupAsync(queued.Id)).GetProperty("state").GetString());

        proxy.Heal();
        var job = await api.SucceededAsync(queued, scene.Describe);
        Assert.True(job.Step(StepNames.BackupDatabase).Attempts >= 2, job.Describe());
        var backup = await api.GetBackupAsync(queued.Id);
        Assert.Equal("Good", backup.GetProperty("state").GetString());
        Assert.Equal(10_000, backup.GetProperty("manifest").GetProperty("tables").GetProperty("tabItem").GetInt64());
    }
}
