using System.Net;
using Press.Core.Jobs;
using Press.EndToEnd.Tests.Harness;

namespace Press.EndToEnd.Tests.Runtime;

/// <summary>
/// Backups and restores through a real runtime (the process driver with the Frappe test double as bench): the files
/// part travels with the database, maintenance and migrate run, and the restored site answers its health check.
/// </summary>
[Collection(SiteRuntimeCollection.Name)]
public sealed class ProcessBackupTests(ProcessStackFixture fixture) : IClassFixture<ProcessStackFixture>
{
    private RuntimeStack Stack => fixture.Stack;

    private string SiteFolder(string site) => Path.Combine(Stack.BenchFolder!, "sites", site);

    private static SortedDictionary<string, string> FilesOf(string siteFolder)
    {
        var files = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var area in new[] { "public/files", "private/files" })
        {
            var root = Path.Combine(siteFolder, area);
            if (!Directory.Exists(root)) continue;
            foreach (var file in Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories))
                files[Path.GetRelativePath(siteFolder, file)] = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(file)));
        }
        return files;
    }

    private async Task<JobView> Succeeded(HttpMethod method, string path, object? body = null)
    {
        var response = await Stack.Admin.SendAsync(method, path, body);
        Assert.True(response.Status == HttpStatusCode.Accepted, $"{method} {path}: {response}");
        var job = await Stack.Api.WaitForJobAsync(response.As<JobView>().Id, RuntimeStack.JobTimeout, Stack.Describe);
        Assert.True(job.State == "Succeeded", $"{job.Describe()}{Stack.Describe()}");
        return job;
    }

    [Fact]
    public async Task Files_are_backed_up_and_restored_in_place_and_into_a_new_site_that_is_served()
    {
        var site = Stack.SiteName("pbackup");
        Stack.AssertAllStepsSucceeded(await Stack.CreateSiteAsync(site), Recipes.NewSite);
        var folder = SiteFolder(site);
        Directory.CreateDirectory(Path.Combine(folder, "public/files/nested"));
        await File.WriteAllTextAsync(Path.Combine(folder, "public/files/logo ü.txt"), "public bytes");
        await File.WriteAllBytesAsync(Path.Combine(folder, "public/files/nested/big.bin"), System.Security.Cryptography.RandomNumberGenerator.GetBytes(3 << 20));
        await File.WriteAllTextAsync(Path.Combine(folder, "private/files/contract.pdf"), "private bytes");
        var backedUp = FilesOf(folder);
        Assert.Equal(3, backedUp.Count);

        var backup = await Succeeded(HttpMethod.Post, $"/api/sites/{site}/backups");
        Assert.Equal("Succeeded", backup.Step(StepNames.BackupFiles).State);
        Assert.Contains("exported 3 files", backup.Step(StepNames.BackupFiles).Output);

        File.Delete(Path.Combine(folder, "public/files/logo ü.txt"));
        await File.WriteAllTextAsync(Path.Combine(folder, "private/files/after.txt"), "written after the backup");
        var changed = FilesOf(folder);

        var restore = await Succeeded(HttpMethod.Post, $"/api/sites/{site}/restore", new { backupId = backup.Id });
        foreach (var step in new[] { StepNames.StageFiles, StepNames.SwapFiles, StepNames.EnterMaintenance, StepNames.Migrate, StepNames.LeaveMaintenance, StepNames.WaitHealthy })
            Assert.True(restore.Step(step).State == "Succeeded", $"{step}: {restore.Describe()}");
        Assert.Equal(backedUp, FilesOf(folder));
        Assert.Equal("Active", (await Stack.GetSiteAsync(site)).State);

        await Succeeded(HttpMethod.Post, $"/api/sites/{site}/rollback-restore");
        Assert.Equal(changed, FilesOf(folder));

        var copy = Stack.SiteName("pbackup-copy");
        var created = await Succeeded(HttpMethod.Post, "/api/sites", new { name = copy, fromBackup = backup.Id });
        Assert.Equal("Succeeded", created.Step(StepNames.WaitHealthy).State);
        Assert.Equal(backedUp, FilesOf(SiteFolder(copy)));
    }
}
