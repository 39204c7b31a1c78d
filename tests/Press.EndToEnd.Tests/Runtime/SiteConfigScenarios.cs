using System.Net;
using System.Text.Json.Nodes;
using Npgsql;
using Press.Core.Jobs;
using Press.EndToEnd.Tests.Harness;

namespace Press.EndToEnd.Tests.Runtime;

/// <summary>
/// The scenarios of issue 10 (docs/frappe.md §7) against a real runtime and the Frappe test double, written once and
/// run by the process and the Docker test classes: a Password field survives every lifecycle operation, an install
/// killed half-way is retried to a good site, a restore under write load writes nothing to the old schema after the
/// swap, a migrate longer than the site role's statement_timeout completes.
/// </summary>
public sealed class SiteConfigScenarios(RuntimeStack stack)
{
    private const string Secret = "smtp-secret-é-1";

    private async Task<JobView> Succeeded(HttpMethod method, string path, object? body = null)
    {
        var response = await stack.Admin.SendAsync(method, path, body);
        Assert.True(response.Status == HttpStatusCode.Accepted, $"{method} {path}: {response}");
        var job = await stack.Api.WaitForJobAsync(response.As<JobView>().Id, RuntimeStack.JobTimeout, stack.Describe);
        Assert.True(job.State == "Succeeded", $"{job.Describe()}{RuntimeStack.StepDetails(job)}{stack.Describe()}");
        return job;
    }

    private async Task<int> CreateAsync(string site)
    {
        var job = await stack.CreateSiteAsync(site);
        stack.AssertAllStepsSucceeded(job, Recipes.NewSite);
        return RuntimeStack.AllocatedPort(job);
    }

    private async Task AssertDecryptsAsync(string site, int port, string when)
    {
        await FrappeProbe.UntilPongAsync(site, port, TimeSpan.FromSeconds(30), stack.Describe);
        var read = await FrappeSiteClient.GetPasswordAsync(site, port, "Email Account", "Support", "password");
        Assert.True(read.Message == Secret, $"{when}: the Password field of {site} does not decrypt: {read}\nsite_config: {await ConfigAsync(site)}");
    }

    public Task<JsonObject> ConfigAsync(string site) => stack.Driver == "docker"
        ? SiteFiles.ReadConfigInContainerAsync(site).ContinueWith(t => (JsonObject)JsonNode.Parse(t.Result.GetRawText())!)
        : File.ReadAllTextAsync(Path.Combine(ProcessRunners.SiteFolder(stack.BenchFolder!, site), "site_config.json"))
            .ContinueWith(t => (JsonObject)JsonNode.Parse(t.Result)!);

    public async Task A_password_field_decrypts_after_suspend_resume_delete_undelete_restore_and_restore_as_a_new_site()
    {
        var site = stack.SiteName("pw");
        var port = await CreateAsync(site);
        var set = await FrappeSiteClient.SetPasswordAsync(site, port, "Email Account", "Support", "password", Secret);
        Assert.True(set.Status == 200, $"set_password: {set}");
        var config = await ConfigAsync(site);
        var key = (string?)config["encryption_key"] ?? throw new Xunit.Sdk.XunitException($"no encryption_key written on first use: {config}");
        Assert.StartsWith($"http://{site}", (string?)config["host_name"]);
        await AssertDecryptsAsync(site, port, "right after writing it");

        stack.AssertAllStepsSucceeded(await stack.SuspendAsync(site), Recipes.SuspendSite);
        stack.AssertAllStepsSucceeded(await stack.ResumeAsync(site), Recipes.ResumeSite);
        await AssertDecryptsAsync(site, port, "after suspend and resume");

        Assert.Equal("Succeeded", (await stack.DeleteAsync(site)).State);
        Assert.Equal("Succeeded", (await stack.UndeleteAsync(site)).State);
        await AssertDecryptsAsync(site, port, "after delete and undelete");
        Assert.Equal(key, (string?)(await ConfigAsync(site))["encryption_key"]);

        var backup = await Succeeded(HttpMethod.Post, $"/api/sites/{site}/backups");
        Assert.Equal("Succeeded", backup.Step(StepNames.BackupConfig).State);
        var shown = await stack.Admin.GetAsync($"/api/backups/{backup.Id}");
        Assert.True(shown.Status == HttpStatusCode.OK, shown.ToString());
        var manifest = shown.Json.GetProperty("manifest");
        Assert.Contains(manifest.GetProperty("parts").EnumerateArray(), p => p.GetProperty("name").GetString() == "config");
        Assert.DoesNotContain(key, shown.Body);
        var frappe = manifest.GetProperty("apps").EnumerateArray().Single(a => a.GetProperty("name").GetString() == "frappe");
        Assert.Equal("16.0.0", frappe.GetProperty("version").GetString());
        Assert.Equal(new Dictionary<string, string> { ["frappe"] = "16.0.0" }, (await stack.GetSiteAsync(site)).AppVersions);

        await Succeeded(HttpMethod.Post, $"/api/sites/{site}/restore", new { backupId = backup.Id });
        await AssertDecryptsAsync(site, port, "after a restore in place");

        var copy = stack.SiteName("pw-copy");
        var created = await Succeeded(HttpMethod.Post, "/api/sites", new { name = copy, fromBackup = backup.Id });
        Assert.Equal("Succeeded", created.Step(StepNames.RestoreConfig).State);
        var copyConfig = await ConfigAsync(copy);
        Assert.Equal(key, (string?)copyConfig["encryption_key"]);
        Assert.NotEqual((string?)config["db_user"], (string?)copyConfig["db_user"]);
        Assert.StartsWith($"http://{copy}", (string?)copyConfig["host_name"]);
        await AssertDecryptsAsync(copy, RuntimeStack.AllocatedPort(created), "in a new site restored from the backup");
    }

    /// <summary>Writes a key of the site's own into its site_config.json, as <c>bench set-config</c> would.</summary>
    public async Task SetOwnKeyAsync(string site, string key, JsonNode? value)
    {
        var path = Path.Combine(ProcessRunners.SiteFolder(stack.BenchFolder!, site), "site_config.json");
        var config = (JsonObject)JsonNode.Parse(await File.ReadAllTextAsync(path))!;
        if (value is null) config.Remove(key);
        else config[key] = value;
        await File.WriteAllTextAsync(path, config.ToJsonString());
    }

    public async Task An_install_killed_half_way_is_retried_on_an_emptied_schema_and_a_later_install_step_loses_no_data()
    {
        var site = stack.SiteName("half");
        // The double dies after framework_postgres.sql's tables, as a killed bench would (README).
        var folder = ProcessRunners.SiteFolder(stack.BenchFolder!, site);
        Directory.CreateDirectory(folder);
        await File.WriteAllTextAsync(Path.Combine(folder, "site_config.json"), """{"frappe_test_double_crash_new_site": "after-framework"}""");

        var failed = await stack.CreateSiteAsync(site);
        Assert.True(failed is { State: "Failed", FailedStep: StepNames.InstallSite }, $"{failed.Describe()}{RuntimeStack.StepDetails(failed)}");
        var schema = (await stack.GetSiteAsync(site)).Location.Schema;
        var left = await SiteFiles.TablesAsync(stack.Db, schema);
        Assert.Contains("tabDocType", left);
        Assert.DoesNotContain("tabInstalled Application", left);

        await SetOwnKeyAsync(site, "frappe_test_double_crash_new_site", null);
        var retry = await stack.Admin.PostAsync($"/api/jobs/{failed.Id}/retry");
        Assert.True(retry.Status == HttpStatusCode.Accepted, retry.ToString());
        var job = await stack.Api.WaitForJobAsync(failed.Id, RuntimeStack.JobTimeout, stack.Describe);
        Assert.True(job.State == "Succeeded", $"{job.Describe()}{RuntimeStack.StepDetails(job)}{stack.Describe()}");
        var install = job.Step(StepNames.InstallSite).Output ?? "";
        Assert.Contains("left by an interrupted install", install);
        Assert.Contains($"emptied schema {schema} as the site", install);
        var port = RuntimeStack.AllocatedPort(job);
        Assert.True((await FrappeProbe.PingAsync(site, port)).IsPong);
        Assert.Equal(SiteFiles.FrappeTables.Order(), (await SiteFiles.TablesAsync(stack.Db, schema)).Order());

        // Data written after the install, then every step that installs runs again (the marker file an older Press
        // trusted is gone, as when a worker died between new-site and writing it): nothing is installed over it.
        Assert.Equal(200, (await FrappeSiteClient.SetPasswordAsync(site, port, "Email Account", "Support", "password", Secret)).Status);
        File.Delete(Path.Combine(folder, ".press-installed"));
        stack.AssertAllStepsSucceeded(await stack.SuspendAsync(site), Recipes.SuspendSite);
        var resumed = await stack.ResumeAsync(site);
        stack.AssertAllStepsSucceeded(resumed, Recipes.ResumeSite);
        Assert.StartsWith("already installed", resumed.Step(StepNames.InstallSite).Output);
        await AssertDecryptsAsync(site, port, "after the install step ran again");
    }

    public async Task A_restore_under_constant_writes_loses_no_write_and_no_new_session_writes_to_the_old_schema()
    {
        var site = stack.SiteName("load");
        var port = await CreateAsync(site);
        for (var i = 0; i < 3; i++) Assert.Equal(200, (await FrappeSiteClient.InsertNoteAsync(site, port, $"before-{i}")).Status);
        var backup = await Succeeded(HttpMethod.Post, $"/api/sites/{site}/backups");

        using var stop = new CancellationTokenSource();
        var acked = new System.Collections.Concurrent.ConcurrentBag<(string Title, DateTimeOffset At)>();
        var writers = Enumerable.Range(0, 16).Select(w => Task.Run(async () =>
        {
            for (var n = 0; !stop.IsCancellationRequested; n++)
            {
                var title = $"w{w}-{n}";
                if ((await FrappeSiteClient.InsertNoteAsync(site, port, title)).Status == 200) acked.Add((title, DateTimeOffset.UtcNow));
                else await Task.Delay(20);
            }
        })).ToList();
        await Task.Delay(500);
        var restore = await Succeeded(HttpMethod.Post, $"/api/sites/{site}/restore", new { backupId = backup.Id });
        var finished = DateTimeOffset.UtcNow;
        await Task.Delay(1500);
        stop.Cancel();
        await Task.WhenAll(writers);

        var live = (await stack.GetSiteAsync(site)).Location.Schema;
        var previous = $"{live}_p{Press.Core.Backups.RestoreNames.RestoreId(restore.Id)}";
        var inLive = await NotesAsync(live);
        var inPrevious = await NotesAsync(previous);
        Assert.True(inPrevious.Count > 3, $"the writers wrote nothing before the swap: {inPrevious.Count} notes in {previous}");

        var lost = acked.Where(a => !inLive.ContainsKey(a.Title) && !inPrevious.ContainsKey(a.Title)).ToList();
        Assert.True(lost.Count == 0, $"{lost.Count} acknowledged writes are in neither schema: {string.Join(", ", lost.Take(10))}");
        var lateButOld = acked.Where(a => a.At > finished && !inLive.ContainsKey(a.Title)).ToList();
        Assert.True(lateButOld.Count == 0, $"writes acknowledged after the restore are not in the live schema: {string.Join(", ", lateButOld.Take(10))}");
        Assert.True(acked.Count(a => a.At > finished) > 0, "no write was acknowledged after the restore");
        // Every session alive when the site's sessions were ended was ended (its write rolled back); none could start
        // again until the swap was done. So no row in the old schema was written after terminate-connections.
        var ended = restore.Step(StepNames.TerminateConnections).FinishedAt ?? throw new Xunit.Sdk.XunitException("terminate-connections has no finish time");
        var afterEnd = inPrevious.Where(p => p.Value > ended).ToList();
        Assert.True(afterEnd.Count == 0,
            $"{afterEnd.Count} row(s) reached the old schema {previous} from sessions opened after terminate-connections ({ended:O}): " +
            string.Join(", ", afterEnd.Take(10).Select(p => $"{p.Key}@{p.Value:O}")) + RuntimeStack.StepDetails(restore));
        Assert.True(inLive.ContainsKey("before-0"), "the restored data is not live");
    }

    private async Task<Dictionary<string, DateTimeOffset>> NotesAsync(string schema)
    {
        await using var conn = await stack.Db.OpenAsSuperuserAsync(stack.Db.SitesDatabase);
        await using var cmd = new NpgsqlCommand($"SELECT title, written_at FROM \"{schema}\".\"tabNote\"", conn);
        await using var r = await cmd.ExecuteReaderAsync();
        var notes = new Dictionary<string, DateTimeOffset>();
        while (await r.ReadAsync()) notes[r.GetString(0)] = r.GetFieldValue<DateTimeOffset>(1);
        return notes;
    }

    public async Task A_migrate_longer_than_the_site_roles_statement_timeout_completes()
    {
        var site = stack.SiteName("slow");
        await CreateAsync(site);
        var role = (await stack.GetSiteAsync(site)).Location.Schema;
        await using (var conn = await stack.Db.OpenAsSuperuserAsync(stack.Db.SitesDatabase))
        await using (var cmd = new NpgsqlCommand($"ALTER ROLE \"{role}\" SET statement_timeout = '1s'", conn))
            await cmd.ExecuteNonQueryAsync();
        var backup = await Succeeded(HttpMethod.Post, $"/api/sites/{site}/backups");
        await SetOwnKeyAsync(site, "frappe_test_double_migrate_seconds", 3);

        var restore = await Succeeded(HttpMethod.Post, $"/api/sites/{site}/restore", new { backupId = backup.Id });

        Assert.StartsWith($"bench --site {site} migrate: ", restore.Step(StepNames.Migrate).Output);
    }
}
