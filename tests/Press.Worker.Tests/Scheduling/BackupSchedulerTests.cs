using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Press.Core.Backups;
using Press.Infrastructure.ObjectStore;
using Press.Testing.InProcess;
using Press.Worker.Scheduling;

namespace Press.Worker.Tests.Scheduling;

/// <summary>The worker's backup scheduler against the real PostgreSQL and Redis, time moved by the shared fake clock.
/// The tests of this class share one installation and one clock (which only moves forward): each computes its times
/// from the clock's current time and asserts on its own sites only.</summary>
public sealed class BackupSchedulerTests(PressApp app) : IClassFixture<PressApp>
{
    private BackupScheduler NewScheduler() => ActivatorUtilities.CreateInstance<BackupScheduler>(app.WorkerServices);

    [Fact]
    public async Task A_scheduled_backup_is_enqueued_once_per_day_at_the_sites_time()
    {
        var scheduler = NewScheduler();
        var site = await CreateActiveSiteAsync("sched-daily.example.com");
        var cron = NextCronMinute(TimeSpan.FromHours(2));
        await SetAsync("backups.schedule", $"{cron.Minute} {cron.Hour} * * *");
        await SetAsync("backups.spreadMinutes", "30");
        var due = cron + BackupSchedule.Offset(site, 30);

        Assert.DoesNotContain("sched-daily.example.com", (await scheduler.RunOnceAsync(CancellationToken.None)).BackupsEnqueued);
        app.Time.Advance(due - TimeSpan.FromSeconds(1) - app.Time.GetUtcNow());
        Assert.DoesNotContain("sched-daily.example.com", (await scheduler.RunOnceAsync(CancellationToken.None)).BackupsEnqueued);
        Assert.Empty(await JobsAsync(site, "BackupSite"));

        app.Time.Advance(TimeSpan.FromSeconds(1));
        Assert.Contains("sched-daily.example.com", (await scheduler.RunOnceAsync(CancellationToken.None)).BackupsEnqueued);
        var job = Assert.Single(await JobsAsync(site, "BackupSite"));
        Assert.Equal("Scheduled", job.Trigger);
        Assert.Equal("system:scheduler", job.CreatedBy);
        await WaitIdleAsync(site);

        Assert.DoesNotContain("sched-daily.example.com", (await scheduler.RunOnceAsync(CancellationToken.None)).BackupsEnqueued);
        app.Time.Advance(TimeSpan.FromHours(23));
        Assert.DoesNotContain("sched-daily.example.com", (await scheduler.RunOnceAsync(CancellationToken.None)).BackupsEnqueued);
        await WaitIdleAsync(site); // that pass may have enqueued the verification of the first backup
        Assert.Single(await JobsAsync(site, "BackupSite"));

        app.Time.Advance(TimeSpan.FromHours(1));
        Assert.Contains("sched-daily.example.com", (await scheduler.RunOnceAsync(CancellationToken.None)).BackupsEnqueued);
        var jobs = await JobsAsync(site, "BackupSite");
        Assert.Equal(2, jobs.Count);
        Assert.All(jobs, j => Assert.Equal("Scheduled", j.Trigger));
        await WaitIdleAsync(site);
        Assert.Contains(app.Logs.Lines, m => m.Contains("scheduled backup of sched-daily.example.com enqueued"));
    }

    [Fact]
    public async Task Sites_start_at_their_own_offset_inside_the_spread_window_and_at_the_cron_time_without_one()
    {
        var scheduler = NewScheduler();
        var one = await CreateActiveSiteAsync("sched-spread-1.example.com");
        var two = await CreateActiveSiteAsync("sched-spread-2.example.com");
        var offsets = new[] { (Name: "sched-spread-1.example.com", Offset: BackupSchedule.Offset(one, 120)),
                              (Name: "sched-spread-2.example.com", Offset: BackupSchedule.Offset(two, 120)) }.OrderBy(o => o.Offset).ToArray();
        Assert.NotEqual(offsets[0].Offset, offsets[1].Offset);
        Assert.All(offsets, o => Assert.InRange(o.Offset, TimeSpan.Zero, TimeSpan.FromMinutes(120) - TimeSpan.FromSeconds(1)));
        Assert.Equal(BackupSchedule.Offset(one, 120), BackupSchedule.Offset(one, 120)); // stable
        Assert.Equal(TimeSpan.Zero, BackupSchedule.Offset(one, 0));

        var cron = NextCronMinute(TimeSpan.FromHours(1));
        await SetAsync("backups.schedule", $"{cron.Minute} {cron.Hour} * * *");
        await SetAsync("backups.spreadMinutes", "120");
        app.Time.Advance(cron + offsets[0].Offset - app.Time.GetUtcNow());
        var first = (await scheduler.RunOnceAsync(CancellationToken.None)).BackupsEnqueued;
        Assert.Contains(offsets[0].Name, first);
        Assert.DoesNotContain(offsets[1].Name, first);
        app.Time.Advance(offsets[1].Offset - offsets[0].Offset - TimeSpan.FromSeconds(1));
        Assert.DoesNotContain(offsets[1].Name, (await scheduler.RunOnceAsync(CancellationToken.None)).BackupsEnqueued);
        app.Time.Advance(TimeSpan.FromSeconds(1));
        Assert.Contains(offsets[1].Name, (await scheduler.RunOnceAsync(CancellationToken.None)).BackupsEnqueued);
        await WaitIdleAsync(one);
        await WaitIdleAsync(two);

        // Without a spread window every site starts at the cron time itself.
        var three = await CreateActiveSiteAsync("sched-nospread-1.example.com");
        var four = await CreateActiveSiteAsync("sched-nospread-2.example.com");
        var cron2 = NextCronMinute(TimeSpan.FromHours(1));
        await SetAsync("backups.schedule", $"{cron2.Minute} {cron2.Hour} * * *");
        await SetAsync("backups.spreadMinutes", "0");
        app.Time.Advance(cron2 - TimeSpan.FromSeconds(1) - app.Time.GetUtcNow());
        var before = (await scheduler.RunOnceAsync(CancellationToken.None)).BackupsEnqueued;
        Assert.DoesNotContain("sched-nospread-1.example.com", before);
        Assert.DoesNotContain("sched-nospread-2.example.com", before);
        app.Time.Advance(TimeSpan.FromSeconds(1));
        var at = (await scheduler.RunOnceAsync(CancellationToken.None)).BackupsEnqueued;
        Assert.Contains("sched-nospread-1.example.com", at);
        Assert.Contains("sched-nospread-2.example.com", at);
        await WaitIdleAsync(three);
        await WaitIdleAsync(four);
    }

    [Fact]
    public async Task Expired_backups_are_pruned_except_each_sites_newest_good_one_and_a_deleted_sites()
    {
        var scheduler = NewScheduler();
        var store = new LocalFolderObjectStore(new LocalFolderOptions { Folder = app.Db.ObjectStoreFolder });
        var now = app.Time.GetUtcNow();
        var busy = await CreateActiveSiteAsync("prune-busy.example.com");
        var lonely = await CreateActiveSiteAsync("prune-lonely.example.com");
        var gone = await CreateActiveSiteAsync("prune-deleted.example.com");

        var old1 = await InsertBackupAsync(store, busy, now - TimeSpan.FromDays(32), good: true);
        var old2 = await InsertBackupAsync(store, busy, now - TimeSpan.FromDays(31), good: true);
        var oldFailed = await InsertBackupAsync(store, busy, now - TimeSpan.FromDays(31), good: false);
        var fresh = await InsertBackupAsync(store, busy, now - TimeSpan.FromDays(1), good: true);
        var onlyOne = await InsertBackupAsync(store, lonely, now - TimeSpan.FromDays(40), good: true);
        var deletedOld = await InsertBackupAsync(store, gone, now - TimeSpan.FromDays(31), good: true);
        var deletedNew = await InsertBackupAsync(store, gone, now - TimeSpan.FromDays(1), good: true);
        await SqlAsync("UPDATE sites SET state = 'Deleted', deleted_at = @now, purge_after = @later WHERE id = @id",
            ("now", now), ("later", now + TimeSpan.FromDays(30)), ("id", gone));

        var pass = await scheduler.RunOnceAsync(CancellationToken.None);
        Assert.Equal(new[] { old1, old2, oldFailed }.Order(), pass.Pruned.Where(id => id == old1 || id == old2 || id == oldFailed).Order());
        Assert.DoesNotContain(fresh, pass.Pruned);
        Assert.DoesNotContain(onlyOne, pass.Pruned);
        Assert.DoesNotContain(deletedOld, pass.Pruned);
        Assert.DoesNotContain(deletedNew, pass.Pruned);

        foreach (var (id, site) in new[] { (old1, busy), (old2, busy), (oldFailed, busy) })
        {
            Assert.NotNull(await PrunedAtAsync(id));
            foreach (var part in BackupParts.All)
                Assert.Null(await store.StatAsync(BackupParts.Key(site, id, part), CancellationToken.None));
        }
        foreach (var (id, site) in new[] { (fresh, busy), (onlyOne, lonely), (deletedOld, gone), (deletedNew, gone) })
        {
            Assert.Null(await PrunedAtAsync(id));
            foreach (var part in BackupParts.All)
                Assert.NotNull(await store.StatAsync(BackupParts.Key(site, id, part), CancellationToken.None));
        }
        var again = (await scheduler.RunOnceAsync(CancellationToken.None)).Pruned;
        Assert.DoesNotContain(old1, again);
        Assert.DoesNotContain(old2, again);
        await WaitIdleAsync(busy);
        await WaitIdleAsync(lonely);
    }

    [Fact]
    public async Task The_newest_good_backup_is_verified_once_settled_and_not_again_until_its_time()
    {
        var scheduler = NewScheduler();
        var store = new LocalFolderObjectStore(new LocalFolderOptions { Folder = app.Db.ObjectStoreFolder });
        await SetAsync("backups.verifyEveryDays", "7");
        var now = app.Time.GetUtcNow();
        var settled = await CreateActiveSiteAsync("verify-settled.example.com");
        var fresh = await CreateActiveSiteAsync("verify-fresh.example.com");
        var recent = await CreateActiveSiteAsync("verify-recent.example.com");
        await InsertBackupAsync(store, settled, now - TimeSpan.FromHours(3), good: true);
        await InsertBackupAsync(store, fresh, now - TimeSpan.FromMinutes(20), good: true);
        var verified = await InsertBackupAsync(store, recent, now - TimeSpan.FromDays(2), good: true);
        await SqlAsync("UPDATE backups SET verified_at = @at, verify_ok = true WHERE id = @id", ("at", now - TimeSpan.FromDays(1)), ("id", verified));

        var pass = await scheduler.RunOnceAsync(CancellationToken.None);
        Assert.Contains("verify-settled.example.com", pass.VerificationsEnqueued);
        Assert.DoesNotContain("verify-fresh.example.com", pass.VerificationsEnqueued);
        Assert.DoesNotContain("verify-recent.example.com", pass.VerificationsEnqueued);
        Assert.Equal("system:scheduler", Assert.Single(await JobsAsync(settled, "VerifyBackup")).CreatedBy);
        Assert.Empty(await JobsAsync(recent, "VerifyBackup"));
        await WaitIdleAsync(settled);
        // Enqueued once: not again on the next pass, whatever its job recorded.
        Assert.DoesNotContain("verify-settled.example.com", (await scheduler.RunOnceAsync(CancellationToken.None)).VerificationsEnqueued);
        await WaitIdleAsync(fresh);
        await WaitIdleAsync(recent);
    }

    [Fact]
    public async Task A_restore_whose_rollback_window_ended_gets_its_data_discarded()
    {
        var scheduler = NewScheduler();
        var store = new LocalFolderObjectStore(new LocalFolderOptions { Folder = app.Db.ObjectStoreFolder });
        var now = app.Time.GetUtcNow();
        var site = await CreateActiveSiteAsync("rollback-ended.example.com");
        var open = await CreateActiveSiteAsync("rollback-open.example.com");
        var expired = await InsertRestoreAsync(store, site, now - TimeSpan.FromMinutes(1));
        var stillOpen = await InsertRestoreAsync(store, open, now + TimeSpan.FromHours(2));

        var pass = await scheduler.RunOnceAsync(CancellationToken.None);
        Assert.Contains(expired, pass.DiscardsEnqueued);
        Assert.DoesNotContain(stillOpen, pass.DiscardsEnqueued);
        var job = Assert.Single(await JobsAsync(site, "DiscardRestore"));
        Assert.Equal("system:scheduler", job.CreatedBy);
        Assert.Equal(expired.ToString(), job.Args.GetProperty("restoreId").GetString());
        Assert.Empty(await JobsAsync(open, "DiscardRestore"));
        await WaitIdleAsync(site);
        await WaitIdleAsync(open);
    }

    // ------------------------------------------------------------------------------------------------ helpers ----

    private sealed record JobRow(Guid Id, string State, string CreatedBy, string? Trigger, JsonElement Args);

    /// <summary>The next whole minute at least <paramref name="ahead"/> from the clock's time.</summary>
    private DateTimeOffset NextCronMinute(TimeSpan ahead)
    {
        var t = app.Time.GetUtcNow() + ahead;
        return new DateTimeOffset(t.Year, t.Month, t.Day, t.Hour, t.Minute, 0, TimeSpan.Zero).AddMinutes(1);
    }

    private async Task SetAsync(string key, string value) =>
        await (await app.Admin.PutAsJsonAsync($"/api/settings/{key}", new { value })).Json(HttpStatusCode.OK);

    private async Task<Guid> CreateActiveSiteAsync(string name)
    {
        await app.Admin.RunAsync(app.Admin.CreateSiteAsync(name));
        await using var conn = await app.Db.OpenAsSuperuserAsync(app.Db.MetadataDatabase);
        await using var cmd = new NpgsqlCommand("SELECT id FROM sites WHERE name = @n AND state = 'Active'", conn);
        cmd.Parameters.AddWithValue("n", name);
        return (Guid)(await cmd.ExecuteScalarAsync() ?? throw new InvalidOperationException($"{name} is not Active"));
    }

    private async Task<List<JobRow>> JobsAsync(Guid siteId, string kind)
    {
        await using var conn = await app.Db.OpenAsSuperuserAsync(app.Db.MetadataDatabase);
        await using var cmd = new NpgsqlCommand(
            "SELECT id, state, created_by, args->>'trigger', args::text FROM jobs WHERE site_id = @s AND kind = @k ORDER BY created_at", conn);
        cmd.Parameters.AddWithValue("s", siteId);
        cmd.Parameters.AddWithValue("k", kind);
        await using var r = await cmd.ExecuteReaderAsync();
        var list = new List<JobRow>();
        while (await r.ReadAsync())
            list.Add(new JobRow(r.GetGuid(0), r.GetString(1), r.GetString(2), r.IsDBNull(3) ? null : r.GetString(3),
                JsonDocument.Parse(r.GetString(4)).RootElement.Clone()));
        return list;
    }

    /// <summary>Waits until the worker finished every job of the site (a busy site refuses the next enqueue).</summary>
    private async Task WaitIdleAsync(Guid siteId)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            await using var conn = await app.Db.OpenAsSuperuserAsync(app.Db.MetadataDatabase);
            await using var cmd = new NpgsqlCommand(
                "SELECT count(*) FROM jobs WHERE site_id = @s AND state IN ('Queued', 'Running', 'Waiting')", conn);
            cmd.Parameters.AddWithValue("s", siteId);
            if ((long)(await cmd.ExecuteScalarAsync())! == 0) return;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"jobs of site {siteId} still active after 60 s");
            await Task.Delay(100);
        }
    }

    private async Task SqlAsync(string sql, params (string Name, object Value)[] args)
    {
        await using var conn = await app.Db.OpenAsSuperuserAsync(app.Db.MetadataDatabase);
        await using var cmd = new NpgsqlCommand(sql, conn);
        foreach (var (name, value) in args) cmd.Parameters.AddWithValue(name, value);
        await cmd.ExecuteNonQueryAsync();
    }

    private async Task<DateTimeOffset?> PrunedAtAsync(Guid backupId)
    {
        await using var conn = await app.Db.OpenAsSuperuserAsync(app.Db.MetadataDatabase);
        await using var cmd = new NpgsqlCommand("SELECT pruned_at FROM backups WHERE id = @id", conn);
        cmd.Parameters.AddWithValue("id", backupId);
        return await cmd.ExecuteScalarAsync() is DateTime t ? new DateTimeOffset(t, TimeSpan.Zero) : null;
    }

    /// <summary>A backup row (and its job, same id) created at <paramref name="createdAt"/>, expiring 30 days later,
    /// with all three objects in the store (the files part is left out of the row's parts on purpose: pruning deletes
    /// every part key anyway).</summary>
    private async Task<Guid> InsertBackupAsync(LocalFolderObjectStore store, Guid siteId, DateTimeOffset createdAt, bool good)
    {
        var id = Guid.CreateVersion7();
        var parts = new List<BackupPart>();
        foreach (var part in BackupParts.All)
        {
            var uploaded = await store.PutAsync(BackupParts.Key(siteId, id, part), new MemoryStream(Encoding.UTF8.GetBytes($"{part} of {id}")), CancellationToken.None);
            if (part != BackupParts.Files) parts.Add(new BackupPart(part, uploaded.Key, uploaded.Size, uploaded.Sha256));
        }
        await SqlAsync("""
            INSERT INTO jobs (id, site_id, kind, state, created_by, created_at, started_at, finished_at, run_after, args)
            VALUES (@id, @site, 'BackupSite', @state, 'test', @at, @at, @at, @at, '{"trigger":"Manual"}');
            INSERT INTO backups (id, site_id, trigger, created_at, expires_at, parts, good_at)
            VALUES (@id, @site, 'Manual', @at, @expires, @parts::jsonb, CASE WHEN @good THEN @at END);
            """, ("id", id), ("site", siteId), ("state", good ? "Succeeded" : "Failed"), ("at", createdAt),
            ("expires", createdAt + TimeSpan.FromDays(30)), ("parts", JsonSerializer.Serialize(parts, JsonSerializerOptions.Web)), ("good", good));
        return id;
    }

    /// <summary>A swapped in-place restore of the site (its restore job succeeded) whose rollback window ends at
    /// <paramref name="rollbackUntil"/>; returns the restore job's id.</summary>
    private async Task<Guid> InsertRestoreAsync(LocalFolderObjectStore store, Guid siteId, DateTimeOffset rollbackUntil)
    {
        var backup = await InsertBackupAsync(store, siteId, app.Time.GetUtcNow() - TimeSpan.FromMinutes(30), good: true);
        var job = Guid.CreateVersion7();
        var swapped = rollbackUntil - TimeSpan.FromHours(24);
        await SqlAsync("""
            INSERT INTO jobs (id, site_id, kind, state, created_by, created_at, started_at, finished_at, run_after, args)
            VALUES (@id, @site, 'RestoreSite', 'Succeeded', 'test', @at, @at, @at, @at, jsonb_build_object('backupId', @backup::text));
            INSERT INTO site_restores (job_id, site_id, backup_id, restore_id, previous_schema, swapped_at, rollback_until)
            VALUES (@id, @site, @backup, @rid, 'nothing_here_p' || @rid, @at, @until);
            """, ("id", job), ("site", siteId), ("backup", backup), ("rid", RestoreNames.RestoreId(job)), ("at", swapped), ("until", rollbackUntil));
        return job;
    }
}
