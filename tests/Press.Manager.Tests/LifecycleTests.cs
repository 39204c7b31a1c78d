using Npgsql;
using Press.Manager.Tests.Harness;

namespace Press.Manager.Tests;

/// <summary>The whole life of a site through the REST API, with a real worker, Postgres 16 and Redis.</summary>
public sealed class LifecycleTests(PressApp app) : IClassFixture<PressApp>
{
    [Fact]
    public async Task Create_suspend_resume_delete_undelete_purge()
    {
        var api = app.Admin;
        const string name = "life.example.com";

        var created = await api.RunAsync(api.CreateSiteAsync(name, "erpnext"));
        Assert.Equal(Press.Core.Jobs.Recipes.NewSite.Steps,
            created.GetProperty("steps").EnumerateArray().Select(s => s.GetProperty("name").GetString()));
        var runtimeStep = created.GetProperty("steps").EnumerateArray().Single(s => s.GetProperty("name").GetString() == "start-runtime");
        Assert.Equal("Skipped", runtimeStep.State());
        Assert.Contains("Press:Runtime:Driver=none", runtimeStep.GetProperty("output").GetString());

        var site = await api.GetJsonAsync($"/api/sites/{name}");
        Assert.Equal("Active", site.State());
        Assert.Equal("press_sites_" + app.Db.Suffix, site.GetProperty("location").GetProperty("database").GetString());
        Assert.Matches("^t_[a-z2-7]{20}$", site.GetProperty("location").GetProperty("schema").GetString());
        Assert.False(site.GetProperty("runtime").GetProperty("served").GetBoolean());
        Assert.Equal(["erpnext"], site.GetProperty("apps").EnumerateArray().Select(a => a.GetString()));
        var facts = await app.Db.InspectAsync(name);
        Assert.True(facts is { RoleExists: true, CanLogin: true, SchemaExists: true });

        await api.RunAsync(api.PostAsync($"/api/sites/{name}/suspend", System.Net.HttpStatusCode.Accepted));
        Assert.Equal("Suspended", (await api.GetJsonAsync($"/api/sites/{name}")).State());
        Assert.False((await app.Db.InspectAsync(name)).CanLogin);

        await api.RunAsync(api.PostAsync($"/api/sites/{name}/resume", System.Net.HttpStatusCode.Accepted));
        Assert.Equal("Active", (await api.GetJsonAsync($"/api/sites/{name}")).State());
        Assert.True((await app.Db.InspectAsync(name)).CanLogin);

        var deleted = await api.RunAsync(Delete(name));
        site = await api.GetJsonAsync($"/api/sites/{name}");
        Assert.Equal("Deleted", site.State());
        Assert.Equal(TimeSpan.FromDays(30), site.GetProperty("purgeAfter").GetDateTimeOffset() - site.GetProperty("deletedAt").GetDateTimeOffset());
        Assert.True((await app.Db.InspectAsync(name)) is { CanLogin: false, SchemaExists: true });
        Assert.Equal("DeleteSite", deleted.GetProperty("kind").GetString());

        await api.RunAsync(api.PostAsync($"/api/sites/{name}/undelete", System.Net.HttpStatusCode.Accepted));
        site = await api.GetJsonAsync($"/api/sites/{name}");
        Assert.Equal("Active", site.State());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, site.GetProperty("deletedAt").ValueKind);

        await api.RunAsync(Delete(name));
        await api.RunAsync(api.PostAsync($"/api/sites/{name}/purge", System.Net.HttpStatusCode.Accepted));
        site = await api.GetJsonAsync($"/api/sites/{name}");
        Assert.Equal("Purged", site.State());
        Assert.True((await app.Db.InspectAsync(name)) is { RoleExists: false, SchemaExists: false });

        // The record stays for audit, and the name is free again.
        await api.RunAsync(api.CreateSiteAsync(name));
        Assert.Equal("Active", (await api.GetJsonAsync($"/api/sites/{name}")).State());
    }

    [Fact]
    public async Task Undelete_restores_data_written_before_deletion()
    {
        var api = app.Admin;
        const string name = "keep.example.com";
        await api.RunAsync(api.CreateSiteAsync(name));
        await using (var conn = await app.Db.ConnectAsSiteAsync(name))
        {
            await Exec(conn, "CREATE TABLE \"tabNote\" (name text PRIMARY KEY, body jsonb, at timestamptz)");
            await Exec(conn, "INSERT INTO \"tabNote\" SELECT 'n' || g, jsonb_build_object('g', g), now() FROM generate_series(1, 500) g");
        }

        await api.RunAsync(Delete(name));
        // Deleted: the site role may not log in at all.
        var refused = await Assert.ThrowsAsync<PostgresException>(() => app.Db.ConnectAsSiteAsync(name));
        Assert.Equal("28000", refused.SqlState);

        await api.RunAsync(api.PostAsync($"/api/sites/{name}/undelete", System.Net.HttpStatusCode.Accepted));
        await using (var conn = await app.Db.ConnectAsSiteAsync(name))
        await using (var cmd = new NpgsqlCommand("SELECT count(*), sum((body->>'g')::int) FROM \"tabNote\"", conn))
        await using (var r = await cmd.ExecuteReaderAsync())
        {
            await r.ReadAsync();
            Assert.Equal(500, r.GetInt64(0));
            Assert.Equal(125250, r.GetInt64(1));
        }
    }

    [Fact]
    public async Task A_second_operation_while_a_job_runs_is_refused_naming_the_job()
    {
        var api = app.Admin;
        const string name = "busy.example.com";
        await api.RunAsync(api.CreateSiteAsync(name));
        var first = await api.PostAsync($"/api/sites/{name}/suspend", System.Net.HttpStatusCode.Accepted);
        var second = await api.PostAsync($"/api/sites/{name}/suspend", System.Net.HttpStatusCode.Conflict);
        // Either the first job is still active (409 names it) or it already finished (409: wrong state).
        var detail = second.GetProperty("detail").GetString()!;
        if (second.TryGetProperty("jobId", out var jobId)) Assert.Equal(first.JobId(), jobId.GetGuid());
        else Assert.Contains("is Suspended", detail);
        await api.WaitForJobAsync(first.JobId());
    }

    private Task<System.Text.Json.JsonElement> Delete(string name) =>
        app.Admin.DeleteAsync($"/api/sites/{name}").ContinueWith(t => t.Result.Json(System.Net.HttpStatusCode.Accepted)).Unwrap();

    private static async Task Exec(NpgsqlConnection conn, string sql)
    {
        await using var cmd = new NpgsqlCommand(sql, conn);
        await cmd.ExecuteNonQueryAsync();
    }
}
