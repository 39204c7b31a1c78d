using System.Net;
using Npgsql;
using Press.Core.Backups;
using Press.Core.Jobs;
using Press.EndToEnd.Tests.Harness;
using Press.Infrastructure.Secrets;

namespace Press.EndToEnd.Tests.Backups;

/// <summary>A manager for the class; each test starts the workers it needs (one that fails on purpose, then a sound one).</summary>
public sealed class MoveFixture : ManagerFixture
{
    public async Task SetCapAsync(int sites)
    {
        using var api = new ApiClient(Manager.BaseUrl, Api.Token);
        var response = await api.SendAsync(HttpMethod.Put, "/api/settings/tenancy.sitesPerDatabase", new { value = sites.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        Assert.True(response.Status == HttpStatusCode.OK, response.ToString());
    }

    /// <summary>A superuser's scalar in one database.</summary>
    public async Task<T> ScalarAsync<T>(string database, string sql, params (string Name, object Value)[] args)
    {
        await using var conn = await Db.OpenAsSuperuserAsync(database);
        await using var cmd = new NpgsqlCommand(sql, conn);
        foreach (var (n, v) in args) cmd.Parameters.AddWithValue(n, v);
        var value = await cmd.ExecuteScalarAsync();
        return value is null or DBNull ? default! : (T)value;
    }

    /// <summary>The schemas of a database whose name starts with the site's identifier.</summary>
    public async Task<List<string>> SchemasAsync(string database, string schema)
    {
        await using var conn = await Db.OpenAsSuperuserAsync(database);
        await using var cmd = new NpgsqlCommand("SELECT nspname FROM pg_namespace WHERE starts_with(nspname, @s) ORDER BY 1", conn);
        cmd.Parameters.AddWithValue("s", schema);
        var list = new List<string>();
        await using var r = await cmd.ExecuteReaderAsync();
        while (await r.ReadAsync()) list.Add(r.GetString(0));
        return list;
    }

    /// <summary>The site's own login (its password as site_config.json holds it) to <paramref name="database"/>.</summary>
    public async Task<NpgsqlConnection> OpenAsSiteAsync(string site, string database)
    {
        await using var meta = await Db.OpenAsSuperuserAsync(Db.MetadataDatabase);
        await using var cmd = new NpgsqlCommand("SELECT role_name, password_enc FROM sites WHERE name = @n AND state <> 'Purged'", meta);
        cmd.Parameters.AddWithValue("n", site);
        await using var r = await cmd.ExecuteReaderAsync();
        Assert.True(await r.ReadAsync(), $"no site {site}");
        var password = new AesGcmSecretProtector(new SecretsOptions { Key = Db.SecretsKey }).Unprotect((byte[])r["password_enc"]);
        var conn = Db.ConnectionAs(r.GetString(0), password, database);
        await conn.OpenAsync();
        return conn;
    }
}

/// <summary>
/// A site moves to another site database (docs/architecture.md §16) through the API with real workers (runtime none,
/// PostgreSQL 17 and its tools, the local-folder store): its rows arrive identical, its role can reach only the
/// database it lives in, what it left is kept for the rollback window and purged with it; backups, restores and a
/// restore as a new site work from where it lives now; a failure before or after the switch leaves the site where and
/// as it was, and the job is retried to success.
/// </summary>
public sealed class SiteMoveTests(MoveFixture stack) : IClassFixture<MoveFixture>, IDisposable
{
    private readonly BackupApi _api = new(stack);
    private readonly ApiClient _admin = new(stack.Manager.BaseUrl, stack.Api.Token);

    public void Dispose()
    {
        _api.Dispose();
        _admin.Dispose();
    }

    private Task<JobView> MoveAsync(string site, string database) =>
        _api.AcceptedAsync(a => a.PostAsync($"/api/sites/{site}/move", new { database }), $"move of {site} to {database}");

    /// <summary>Two sites in two databases (cap 1 sends each create to a database of its own; the other test of the
    /// class may have filled some already), the first filled with data; then room again.</summary>
    private async Task<(string Schema, SortedDictionary<string, string> Rows, string From, string To)> TwoDatabasesAsync(Scene scene, string site, string neighbour)
    {
        await stack.SetCapAsync(1);
        foreach (var name in new[] { site, neighbour })
            await _api.SucceededAsync(await stack.Api.CreateSiteAsync(name), scene.Describe);
        await stack.SetCapAsync(12);
        var (from, to) = ((await stack.Api.GetSiteAsync(site)).Location.Database, (await stack.Api.GetSiteAsync(neighbour)).Location.Database);
        Assert.NotEqual(from, to);
        var schema = (await stack.Api.GetSiteAsync(site)).Location.Schema;
        await SiteData.FillAsync(stack.Db, schema);
        return (schema, await SiteData.FingerprintAsync(stack.Db, schema), from, to);
    }

    private Task<int> CountAsync(string database) =>
        stack.ScalarAsync<int>(stack.Db.MetadataDatabase, "SELECT site_count FROM site_databases WHERE name = @n", ("n", database));

    private Task<bool> CanConnectAsync(string role, string database) =>
        stack.ScalarAsync<bool>("postgres", "SELECT has_database_privilege(@r, @d, 'CONNECT')", ("r", role), ("d", database));

    [Fact]
    public async Task A_site_moves_with_identical_rows_reaches_only_its_new_database_and_backs_up_restores_and_copies_from_there()
    {
        await using var scene = new Scene(stack.Manager);
        await scene.StartWorkerAsync(stack.Db, "worker", PressProcess.FastWorker());
        const string site = "moved.move.test";
        const string neighbour = "neighbour.move.test";
        var (schema, original, from, to) = await TwoDatabasesAsync(scene, site, neighbour);
        var counts = (await CountAsync(from), await CountAsync(to));
        var preMove = await _api.SucceededAsync(await _api.BackupAsync(site), scene.Describe);

        var move = await _api.SucceededAsync(await MoveAsync(site, to), scene.Describe);

        Assert.Equal(Recipes.MoveSite.Steps, move.Steps.Select(s => s.Name));
        Assert.All(move.Steps, s => Assert.True(s.State is "Succeeded" or "Skipped", $"{s.Name} {s.State}: {move.Describe()}"));
        Assert.Equal("Succeeded", move.Step(StepNames.SwitchDatabase).State);
        var moved = await stack.Api.GetSiteAsync(site);
        Assert.Equal((to, schema, "Active"), (moved.Location.Database, moved.Location.Schema, moved.State));
        Assert.Equal(original, await SiteData.FingerprintAsync(stack.Db, schema));
        Assert.Equal([schema], await SiteData.OwnersAsync(stack.Db, schema));
        Assert.Equal("PreMove", (await _api.GetBackupAsync(move.Id)).GetProperty("trigger").GetString());
        Assert.Equal((counts.Item1 - 1, counts.Item2 + 1), (await CountAsync(from), await CountAsync(to)));

        // What it left is kept in the database it left for the rollback window, under the kept name.
        var kept = RestoreNames.PreviousSchema(schema, RestoreNames.RestoreId(move.Id));
        Assert.Equal([kept], await stack.SchemasAsync(from, schema));
        Assert.Equal([schema], await stack.SchemasAsync(to, schema));
        Assert.Equal(original, await SiteData.FingerprintAsync(stack.Db, kept));

        // Isolation: each site role connects only to the database it lives in; the moved one lands in its schema there.
        Assert.False(await CanConnectAsync(schema, from));
        var refused = await Assert.ThrowsAsync<PostgresException>(() => stack.OpenAsSiteAsync(site, from));
        Assert.Equal("42501", refused.SqlState);
        await using (var conn = await stack.OpenAsSiteAsync(site, to))
        await using (var cmd = new NpgsqlCommand("SELECT current_schema() || ':' || (SELECT count(*) FROM \"tabItem\")", conn))
            Assert.Equal($"{schema}:10000", (string)(await cmd.ExecuteScalarAsync())!);
        Assert.Equal("42501", (await Assert.ThrowsAsync<PostgresException>(() => stack.OpenAsSiteAsync(neighbour, from))).SqlState);

        // The move is not a restore to roll back; the same database again, or an unknown one, is refused and queues nothing.
        var rollback = await _admin.PostAsync($"/api/sites/{site}/rollback-restore");
        Assert.True(rollback.Status == HttpStatusCode.Conflict && rollback.Body.Contains("move the site back"), rollback.ToString());
        var same = await _admin.PostAsync($"/api/sites/{site}/move", new { database = to });
        Assert.True(same.Status == HttpStatusCode.Conflict && same.Body.Contains("already in database"), same.ToString());
        var unknown = await _admin.PostAsync($"/api/sites/{site}/move", new { database = "press_sites_nope" });
        Assert.True(unknown.Status == HttpStatusCode.BadRequest && unknown.Body.Contains("is not a site database"), unknown.ToString());

        // From its new database: a backup, restores in place of the backups from before and after the move.
        await SiteData.ChangeAsync(stack.Db, schema);
        var changed = await SiteData.FingerprintAsync(stack.Db, schema);
        var postMove = await _api.SucceededAsync(await _api.BackupAsync(site), scene.Describe);
        Assert.Equal(to, (await _api.GetBackupAsync(postMove.Id)).GetProperty("manifest").GetProperty("database").GetString());
        await _api.SucceededAsync(await _api.RestoreAsync(site, preMove.Id), scene.Describe);
        Assert.Equal(original, await SiteData.FingerprintAsync(stack.Db, schema));
        await _api.SucceededAsync(await _api.RestoreAsync(site, postMove.Id), scene.Describe);
        Assert.Equal(changed, await SiteData.FingerprintAsync(stack.Db, schema));
        Assert.Equal(to, (await stack.Api.GetSiteAsync(site)).Location.Database);

        // As a new site: placement puts the copy in the emptiest database (the move left one with a free place).
        const string copy = "copy.move.test";
        await _api.SucceededAsync(await _api.CreateFromBackupAsync(copy, postMove.Id), scene.Describe);
        var copied = await stack.Api.GetSiteAsync(copy);
        Assert.NotEqual(to, copied.Location.Database);
        Assert.Equal(changed, await SiteData.FingerprintAsync(stack.Db, copied.Location.Schema));

        // Purge finds the kept schema in the database the site left, and the role goes.
        await _api.SucceededAsync(await stack.Api.DeleteSiteAsync(site), scene.Describe);
        await _api.SucceededAsync(await _api.AcceptedAsync(a => a.PostAsync($"/api/sites/{site}/purge"), "purge"), scene.Describe);
        Assert.Empty(await stack.SchemasAsync(from, schema));
        Assert.Empty(await stack.SchemasAsync(to, schema));
        Assert.Equal(0L, await stack.ScalarAsync<long>("postgres", "SELECT count(*) FROM pg_roles WHERE rolname = @r", ("r", schema)));
    }

    [Fact]
    public async Task A_failure_before_or_after_the_switch_leaves_the_site_where_and_as_it_was_and_the_job_is_retried_to_success()
    {
        const string site = "fails.move.test";
        const string neighbour = "fails-neighbour.move.test";
        string schema, from, to;
        SortedDictionary<string, string> original;
        await using (var sound = new Scene(stack.Manager))
        {
            await sound.StartWorkerAsync(stack.Db, "worker", PressProcess.FastWorker());
            (schema, original, from, to) = await TwoDatabasesAsync(sound, site, neighbour);
        }

        async Task AssertUntouchedAsync(JobView job, string step)
        {
            Assert.True(job.State == "Failed" && job.FailedStep == step, $"expected a failure at {step}: {job.Describe()}");
            Assert.Contains("undone", job.Error);
            var now = await stack.Api.GetSiteAsync(site);
            Assert.Equal((from, schema, "Active"), (now.Location.Database, now.Location.Schema, now.State));
            Assert.Equal(original, await SiteData.FingerprintAsync(stack.Db, schema));
            Assert.Equal([schema], await stack.SchemasAsync(from, schema));
            Assert.Empty(await stack.SchemasAsync(to, schema));
            Assert.True(await CanConnectAsync(schema, from));
            Assert.False(await CanConnectAsync(schema, to));
            Assert.True(await stack.ScalarAsync<bool>("postgres", "SELECT rolcanlogin FROM pg_roles WHERE rolname = @r", ("r", schema)));
            Assert.Equal(0L, await stack.ScalarAsync<long>(stack.Db.MetadataDatabase, "SELECT count(*) FROM site_restores WHERE job_id = @j", ("j", job.Id)));
        }

        // Before the switch: the copy is made and checked, then the job fails; the undo drops the copy.
        Guid jobId;
        await using (var failing = new Scene(stack.Manager))
        {
            await failing.StartWorkerAsync(stack.Db, "fails-after-check", PressProcess.FastWorker(failAfterStep: StepNames.CheckRestore));
            var queued = await MoveAsync(site, to);
            jobId = queued.Id;
            await AssertUntouchedAsync(await stack.Api.WaitForJobAsync(jobId, TimeSpan.FromSeconds(120), failing.Describe), StepNames.CheckRestore);
        }

        // After the switch (the site already recorded, served and configured in the target): the undo switches back.
        await using (var failing = new Scene(stack.Manager))
        {
            await failing.StartWorkerAsync(stack.Db, "fails-late", PressProcess.FastWorker(failAfterStep: StepNames.LeaveMaintenance));
            var retried = await _admin.PostAsync($"/api/jobs/{jobId}/retry");
            Assert.True(retried.Status == HttpStatusCode.Accepted, retried.ToString());
            var job = await stack.Api.WaitForJobAsync(jobId, TimeSpan.FromSeconds(120), failing.Describe,
                until: j => j.State == "Failed" && j.FailedStep == StepNames.LeaveMaintenance);
            Assert.Equal("Succeeded", job.Step(StepNames.SwitchDatabase).State);
            await AssertUntouchedAsync(job, StepNames.LeaveMaintenance);
        }

        // A sound worker: the same job, retried, moves the site.
        await using (var sound = new Scene(stack.Manager))
        {
            await sound.StartWorkerAsync(stack.Db, "worker", PressProcess.FastWorker());
            var retried = await _admin.PostAsync($"/api/jobs/{jobId}/retry");
            Assert.True(retried.Status == HttpStatusCode.Accepted, retried.ToString());
            await _api.SucceededAsync(retried.As<JobView>(), sound.Describe);
        }
        Assert.Equal(to, (await stack.Api.GetSiteAsync(site)).Location.Database);
        Assert.Equal(original, await SiteData.FingerprintAsync(stack.Db, schema));
        Assert.False(await CanConnectAsync(schema, from));
    }
}
