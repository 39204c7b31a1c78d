using System.Security.Cryptography;
using Press.Core.Backups;
using Press.Core.Jobs;
using Press.EndToEnd.Tests.Harness;

namespace Press.EndToEnd.Tests.Backups;

/// <summary>A manager and one ordinary worker for the class (real PostgreSQL 17 with matching pg_dump/pg_restore/psql,
/// the local-folder object store).</summary>
public sealed class BackupFixture : ManagerFixture
{
    public Scene Scene { get; private set; } = null!;

    protected override async Task SetUpAsync()
    {
        Scene = new Scene(Manager);
        await Scene.StartWorkerAsync(Db, "worker", PressProcess.FastWorker());
    }

    public async Task<string> CreateSiteWithDataAsync(string name)
    {
        using var api = new BackupApi(this);
        await api.SucceededAsync(await Api.CreateSiteAsync(name), Scene.Describe);
        var schema = (await Api.GetSiteAsync(name)).Location.Schema;
        await SiteData.FillAsync(Db, schema);
        return schema;
    }

    protected override async Task TearDownAsync()
    {
        if (Scene is not null) await Scene.DisposeAsync();
    }
}

public sealed class BackupRestoreTests(BackupFixture stack) : IClassFixture<BackupFixture>, IDisposable
{
    private readonly BackupApi _api = new(stack);

    public void Dispose() => _api.Dispose();

    private string ObjectPath(string key) => Path.Combine(stack.Db.ObjectStoreFolder, key);

    [Fact]
    public async Task A_backup_restores_byte_identical_in_place_and_as_a_new_site_and_rolls_back()
    {
        const string site = "round-trip.backup.test";
        var schema = await stack.CreateSiteWithDataAsync(site);
        var original = await SiteData.FingerprintAsync(stack.Db, schema);
        Assert.StartsWith("10000:", original["tabItem"]);

        var backupJob = await _api.SucceededAsync(await _api.BackupAsync(site), stack.Scene.Describe);
        var backup = await _api.GetBackupAsync(backupJob.Id);
        Assert.Equal("Good", backup.GetProperty("state").GetString());
        Assert.Equal("Manual", backup.GetProperty("trigger").GetString());
        var manifest = backup.GetProperty("manifest");
        Assert.Equal(10_000, manifest.GetProperty("tables").GetProperty("tabItem").GetInt64());
        Assert.Equal(2_000, manifest.GetProperty("tables").GetProperty("tabComment").GetInt64());
        Assert.StartsWith("17.", manifest.GetProperty("postgres").GetProperty("server").GetString());
        Assert.Contains("(PostgreSQL) 17.", manifest.GetProperty("postgres").GetProperty("pgDump").GetString());
        var dump = manifest.GetProperty("parts").EnumerateArray().Single(p => p.GetProperty("name").GetString() == "database");
        var dumpFile = ObjectPath(dump.GetProperty("key").GetString()!);
        Assert.Equal(dump.GetProperty("sha256").GetString(), Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(dumpFile))));
        Assert.Equal(dump.GetProperty("size").GetInt64(), new FileInfo(dumpFile).Length);
        Assert.True(File.Exists(ObjectPath(BackupParts.Key(ParseSiteId(manifest), backupJob.Id, BackupParts.Manifest))), "manifest.json not in the store");
        Assert.Equal("PGDMP", System.Text.Encoding.ASCII.GetString(File.ReadAllBytes(dumpFile), 0, 5));

        await SiteData.ChangeAsync(stack.Db, schema);
        var changed = await SiteData.FingerprintAsync(stack.Db, schema);
        Assert.NotEqual(original, changed);

        // As a new site: the backup's data, owned by the new site's own role.
        const string copy = "copy.round-trip.backup.test";
        await _api.SucceededAsync(await _api.CreateFromBackupAsync(copy, backupJob.Id), stack.Scene.Describe);
        var copySchema = (await stack.Api.GetSiteAsync(copy)).Location.Schema;
        Assert.Equal(original, await SiteData.FingerprintAsync(stack.Db, copySchema));
        Assert.Equal([copySchema], await SiteData.OwnersAsync(stack.Db, copySchema));
        Assert.Equal(changed, await SiteData.FingerprintAsync(stack.Db, schema)); // the source is untouched

        // In place: the live schema holds the backup again; the replaced data is kept for the rollback window.
        var restore = await _api.SucceededAsync(await _api.RestoreAsync(site, backupJob.Id), stack.Scene.Describe);
        Assert.Equal(original, await SiteData.FingerprintAsync(stack.Db, schema));
        Assert.Equal([schema], await SiteData.OwnersAsync(stack.Db, schema));
        var previous = RestoreNames.PreviousSchema(schema, RestoreNames.RestoreId(restore.Id));
        Assert.Equal([schema, previous], await SiteData.SchemasAsync(stack.Db, schema));
        Assert.Equal(changed, await SiteData.FingerprintAsync(stack.Db, previous));
        Assert.Equal("Active", (await stack.Api.GetSiteAsync(site)).State);
        var list = await _api.ListAsync(site);
        Assert.Contains(list.GetProperty("items").EnumerateArray(),
            b => b.GetProperty("id").GetGuid() == restore.Id && b.GetProperty("trigger").GetString() == "PreRestore" && b.GetProperty("state").GetString() == "Good");

        // Rollback: the data from before the restore is live again, and nothing is left beside it.
        await _api.SucceededAsync(await _api.RollbackAsync(site), stack.Scene.Describe);
        Assert.Equal(changed, await SiteData.FingerprintAsync(stack.Db, schema));
        Assert.Equal([schema], await SiteData.SchemasAsync(stack.Db, schema));
    }

    [Fact]
    public async Task A_corrupted_backup_is_refused_and_the_live_site_is_untouched()
    {
        const string site = "corrupt.backup.test";
        var schema = await stack.CreateSiteWithDataAsync(site);
        var backupJob = await _api.SucceededAsync(await _api.BackupAsync(site), stack.Scene.Describe);
        await SiteData.ChangeAsync(stack.Db, schema);
        var live = await SiteData.FingerprintAsync(stack.Db, schema);

        var manifest = (await _api.GetBackupAsync(backupJob.Id)).GetProperty("manifest");
        var key = manifest.GetProperty("parts").EnumerateArray().Single(p => p.GetProperty("name").GetString() == "database").GetProperty("key").GetString()!;
        var bytes = File.ReadAllBytes(ObjectPath(key));
        bytes[bytes.Length / 2] ^= 0x5A;
        File.WriteAllBytes(ObjectPath(key), bytes);

        var queued = await _api.RestoreAsync(site, backupJob.Id);
        var job = await stack.Api.WaitForJobAsync(queued.Id, TimeSpan.FromSeconds(90), stack.Scene.Describe);
        Assert.True(job.State == "Failed" && job.FailedStep == StepNames.CheckBackup, $"expected a refusal at check-backup: {job.Describe()}");
        Assert.Contains("corrupt", job.Error);
        Assert.Equal(live, await SiteData.FingerprintAsync(stack.Db, schema));
        Assert.Equal([schema], await SiteData.SchemasAsync(stack.Db, schema));
        Assert.Equal("Active", (await stack.Api.GetSiteAsync(site)).State);
        Assert.All(job.Steps.Where(s => s.Name != StepNames.CheckBackup), s => Assert.Equal("Pending", s.State));
    }

    [Fact]
    public async Task A_soft_deleted_site_keeps_its_backups_restores_as_a_new_site_and_its_purge_deletes_them()
    {
        const string site = "deleted.backup.test";
        var schema = await stack.CreateSiteWithDataAsync(site);
        var original = await SiteData.FingerprintAsync(stack.Db, schema);
        var delete = await _api.SucceededAsync(await stack.Api.DeleteSiteAsync(site), stack.Scene.Describe);
        Assert.All(StepNames.TakeBackup.Where(s => s is not (StepNames.BackupFiles or StepNames.BackupConfig)), s => Assert.Equal("Succeeded", delete.Step(s).State));
        var backup = await _api.GetBackupAsync(delete.Id);
        Assert.Equal("PreDelete", backup.GetProperty("trigger").GetString());
        Assert.Equal("Good", backup.GetProperty("state").GetString());
        var siteId = ParseSiteId(backup.GetProperty("manifest"));

        const string revived = "revived.deleted.backup.test";
        await _api.SucceededAsync(await _api.CreateFromBackupAsync(revived, delete.Id), stack.Scene.Describe);
        Assert.Equal(original, await SiteData.FingerprintAsync(stack.Db, (await stack.Api.GetSiteAsync(revived)).Location.Schema));

        var purge = await _api.AcceptedAsync(a => a.PostAsync($"/api/sites/{site}/purge"), "purge");
        await _api.SucceededAsync(purge, stack.Scene.Describe);
        Assert.False(Directory.Exists(Path.Combine(stack.Db.ObjectStoreFolder, BackupParts.SitePrefix(siteId).TrimEnd('/')))
                     && Directory.EnumerateFiles(Path.Combine(stack.Db.ObjectStoreFolder, BackupParts.SitePrefix(siteId).TrimEnd('/')), "*", SearchOption.AllDirectories).Any(),
            "the purged site's backup objects are still in the store");
        Assert.Equal("Pruned", (await _api.GetBackupAsync(delete.Id)).GetProperty("state").GetString());
    }

    [Fact]
    public async Task Verification_restores_the_newest_good_backup_into_a_scratch_schema_and_records_the_result()
    {
        const string site = "verify.backup.test";
        var schema = await stack.CreateSiteWithDataAsync(site);
        var backupJob = await _api.SucceededAsync(await _api.BackupAsync(site), stack.Scene.Describe);

        var verify = await _api.SucceededAsync(
            await _api.AcceptedAsync(a => a.PostAsync($"/api/sites/{site}/backups/verify"), "verify"), stack.Scene.Describe);
        Assert.Contains("match the manifest", verify.Step(StepNames.VerifyRestore).Output);
        var verification = (await _api.GetBackupAsync(backupJob.Id)).GetProperty("verification");
        Assert.True(verification.GetProperty("ok").GetBoolean(), verification.ToString());
        Assert.Equal([schema], await SiteData.SchemasAsync(stack.Db, schema)); // the scratch schema is gone

        // A backup whose dump no longer matches is recorded as failed, and the job says so.
        var manifest = (await _api.GetBackupAsync(backupJob.Id)).GetProperty("manifest");
        var key = manifest.GetProperty("parts").EnumerateArray().Single(p => p.GetProperty("name").GetString() == "database").GetProperty("key").GetString()!;
        File.WriteAllBytes(ObjectPath(key), [.. File.ReadAllBytes(ObjectPath(key)).Take(1000)]);
        var failed = await stack.Api.WaitForJobAsync(
            (await _api.AcceptedAsync(a => a.PostAsync($"/api/sites/{site}/backups/verify"), "verify")).Id, TimeSpan.FromSeconds(90), stack.Scene.Describe);
        Assert.True(failed.State == "Failed" && failed.FailedStep == StepNames.VerifyRestore, failed.Describe());
        verification = (await _api.GetBackupAsync(backupJob.Id)).GetProperty("verification");
        Assert.False(verification.GetProperty("ok").GetBoolean(), verification.ToString());
        Assert.Contains("corrupt", verification.GetProperty("detail").GetString());
        Assert.Equal([schema], await SiteData.SchemasAsync(stack.Db, schema));
        Assert.Equal("Active", (await stack.Api.GetSiteAsync(site)).State);
    }

    [Fact]
    public async Task A_site_without_a_schema_can_still_be_deleted_and_its_backup_says_nothing_was_taken()
    {
        const string site = "no-schema.backup.test";
        var schema = await stack.CreateSiteWithDataAsync(site);
        await using (var conn = await stack.Db.OpenAsSuperuserAsync())
        await using (var cmd = new Npgsql.NpgsqlCommand($"DROP SCHEMA \"{schema}\" CASCADE", conn))
            await cmd.ExecuteNonQueryAsync();

        var delete = await _api.SucceededAsync(await stack.Api.DeleteSiteAsync(site), stack.Scene.Describe);
        Assert.Equal("Skipped", delete.Step(StepNames.BackupDatabase).State);
        var backup = await _api.GetBackupAsync(delete.Id);
        Assert.Equal("Failed", backup.GetProperty("state").GetString());
        Assert.Contains("no schema", backup.GetProperty("error").GetString());
    }

    private static Guid ParseSiteId(System.Text.Json.JsonElement manifest) => manifest.GetProperty("siteId").GetGuid();
}
