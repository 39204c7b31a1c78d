using System.Diagnostics;
using Npgsql;
using Press.Core.Backups;
using Press.Core.Jobs;
using Press.EndToEnd.Tests.Harness;

namespace Press.EndToEnd.Tests.Backups;

/// <summary>
/// A site whose first restored table has a CHECK constraint that waits on an advisory lock the test can hold: the
/// restore then stops in the middle of its rows, where the test wants it.
/// </summary>
public sealed class GatedRestoreFixture : ManagerFixture
{
    public const long GateKey = 7_340_033;
    public const string Site = "orphan.restore.test";
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
        await SiteData.FillAsync(Db, Schema, rows: 20_000);
        await using (var conn = await Db.OpenAsSuperuserAsync())
        await using (var cmd = new NpgsqlCommand($$"""
            SET ROLE "{{Schema}}";
            CREATE FUNCTION "{{Schema}}".gate() RETURNS boolean LANGUAGE plpgsql AS $$
            BEGIN PERFORM pg_catalog.pg_advisory_lock_shared({{GateKey}}); PERFORM pg_catalog.pg_advisory_unlock_shared({{GateKey}}); RETURN true; END $$;
            CREATE TABLE "{{Schema}}"."aGated" (id int CHECK ("{{Schema}}".gate()));
            INSERT INTO "{{Schema}}"."aGated" SELECT generate_series(1, 10);
            """, conn))
            await cmd.ExecuteNonQueryAsync();
        BackupId = (await api.SucceededAsync(await api.BackupAsync(Site), scene.Describe)).Id;
        BackedUp = await SiteData.FingerprintAsync(Db, Schema);
    }
}

/// <summary>
/// The worker process alone is killed (an OOM kill, say) while psql loads rows: psql and pg_restore outlive it and psql
/// reads the end of its input early. That must commit nothing — <c>psql --single-transaction</c> would COMMIT at the
/// end of input — and the next worker restores completely.
/// </summary>
public sealed class RestoreOrphanTests(GatedRestoreFixture stack) : IClassFixture<GatedRestoreFixture>
{
    [Fact]
    public async Task A_worker_killed_alone_mid_restore_commits_nothing_and_the_next_worker_restores_completely()
    {
        await using var scene = new Scene(stack.Manager);
        await SiteData.ChangeAsync(stack.Db, stack.Schema);
        var before = await SiteData.FingerprintAsync(stack.Db, stack.Schema);

        Guid jobId;
        await using (var gate = await stack.Db.OpenAsSuperuserAsync())
        {
            await using (var cmd = new NpgsqlCommand($"SELECT pg_advisory_lock({GatedRestoreFixture.GateKey})", gate))
                await cmd.ExecuteNonQueryAsync();
            var a = await scene.StartWorkerAsync(stack.Db, "worker-A", PressProcess.FastWorker());
            using var api = new BackupApi(stack);
            jobId = (await api.RestoreAsync(GatedRestoreFixture.Site, stack.BackupId)).Id;
            await Eventually.Until(() => WaitingRestoresAsync(), n => n >= 1, Crash.JobTimeout,
                "the restore's psql to wait at the gate inside its rows", scene.Describe);

            // Only the worker: its psql and pg_restore live on, as after an OOM kill of the worker's own process.
            Process.GetProcessById(a.Process.Pid).Kill(entireProcessTree: false);
            await Eventually.Until(() => Task.FromResult(a.Process.HasExited), exited => exited, Crash.JobTimeout, "worker-A to die", scene.Describe);
            await using (var cmd = new NpgsqlCommand($"SELECT pg_advisory_unlock({GatedRestoreFixture.GateKey})", gate))
                await cmd.ExecuteNonQueryAsync();
        }
        await Eventually.Until(() => RestoreSessionsAsync(), n => n == 0, Crash.JobTimeout, "the orphaned psql to end", scene.Describe);

        // Nothing the orphan did is committed: the live data is as it was, and no schema holds restored rows.
        Assert.Equal(before, await SiteData.FingerprintAsync(stack.Db, stack.Schema));
        var fresh = RestoreNames.FreshSchema(stack.Schema, RestoreNames.RestoreId(jobId));
        foreach (var schema in await SiteData.SchemasAsync(stack.Db, stack.Schema))
            Assert.True(schema == stack.Schema || (schema == fresh && (await SiteData.FingerprintAsync(stack.Db, schema)).Count == 0),
                $"schema {schema} was left with restored data");

        await scene.StartWorkerAsync(stack.Db, "worker-B", PressProcess.FastWorker());
        var job = await stack.Api.WaitForJobAsync(jobId, Crash.JobTimeout, scene.Describe);
        Crash.AssertResumedAt(job, StepNames.RestoreDatabase, scene.Describe);
        Assert.Equal(stack.BackedUp, await SiteData.FingerprintAsync(stack.Db, stack.Schema));
        Assert.Equal(before, await SiteData.FingerprintAsync(stack.Db, RestoreNames.PreviousSchema(stack.Schema, RestoreNames.RestoreId(jobId))));
    }

    private async Task<long> WaitingRestoresAsync()
    {
        await using var conn = await stack.Db.OpenAsSuperuserAsync();
        await using var cmd = new NpgsqlCommand("""
            SELECT count(*) FROM pg_stat_activity
            WHERE datname = current_database() AND application_name = 'press-psql' AND wait_event = 'advisory'
            """, conn);
        return (long)(await cmd.ExecuteScalarAsync())!;
    }

    private async Task<long> RestoreSessionsAsync()
    {
        await using var conn = await stack.Db.OpenAsSuperuserAsync();
        await using var cmd = new NpgsqlCommand(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'press-psql'", conn);
        return (long)(await cmd.ExecuteScalarAsync())!;
    }
}
