using System.Net.Http.Json;
using System.Net;
using Press.Testing.InProcess;
using Press.Worker.Scheduling;
using Microsoft.Extensions.DependencyInjection;

namespace Press.Worker.Tests.Scheduling;

/// <summary>Soft-deleted sites are kept for the retention window, then purged by the worker's scheduler.</summary>
public sealed class RetentionTests(PressApp app) : IClassFixture<PressApp>
{
    [Fact]
    public async Task Expired_sites_are_purged_and_cannot_be_undeleted_after_the_window()
    {
        var api = app.Admin;
        var scheduler = app.WorkerServices.GetRequiredService<RetentionScheduler>();
        await api.RunAsync(api.CreateSiteAsync("old.example.com"));
        await api.RunAsync(api.CreateSiteAsync("late.example.com"));
        await api.RunAsync(api.DeleteAsync("/api/sites/old.example.com").ContinueWith(t => t.Result.Json(HttpStatusCode.Accepted)).Unwrap());
        await api.RunAsync(api.DeleteAsync("/api/sites/late.example.com").ContinueWith(t => t.Result.Json(HttpStatusCode.Accepted)).Unwrap());

        Assert.Empty(await scheduler.RunOnceAsync(CancellationToken.None));
        app.Time.Advance(TimeSpan.FromDays(29));
        Assert.Empty(await scheduler.RunOnceAsync(CancellationToken.None));
        Assert.Equal("Deleted", (await api.GetJsonAsync("/api/sites/old.example.com")).State());

        app.Time.Advance(TimeSpan.FromDays(1) + TimeSpan.FromMinutes(1));
        // Past the window an undelete is refused by its first step and the site stays Deleted.
        var undelete = await api.RunAsync(api.PostAsync("/api/sites/late.example.com/undelete", HttpStatusCode.Accepted), "Failed");
        Assert.Equal("check-retention", undelete.GetProperty("failedStep").GetString());
        Assert.Contains("retention window ended", undelete.GetProperty("error").GetString());
        Assert.Equal("Deleted", (await api.GetJsonAsync("/api/sites/late.example.com")).State());

        var purged = await scheduler.RunOnceAsync(CancellationToken.None);
        Assert.Equal(["old.example.com", "late.example.com"], purged.Order().Reverse());
        foreach (var name in purged)
        {
            var jobs = await api.GetJsonAsync($"/api/jobs?site={name}");
            var purge = jobs.GetProperty("items").EnumerateArray().First(j => j.GetProperty("kind").GetString() == "PurgeSite");
            Assert.Equal("system:retention", purge.GetProperty("createdBy").GetString());
            Assert.Equal("Succeeded", (await api.WaitForJobAsync(purge.JobId())).State());
            Assert.Equal("Purged", (await api.GetJsonAsync($"/api/sites/{name}")).State());
            Assert.True((await app.Db.InspectAsync(name)) is { RoleExists: false, SchemaExists: false });
        }
        var audit = await api.GetJsonAsync("/api/audit?actor=system:retention");
        Assert.Equal(2, audit.GetProperty("items").GetArrayLength());
        Assert.Empty(await scheduler.RunOnceAsync(CancellationToken.None));
    }
}

/// <summary>The retention window is a runtime setting. Its own installation: the site it deletes would otherwise be
/// purged by <see cref="RetentionTests"/>, whose assertions name every site it purges (xunit's order of tests within
/// a class follows a hash of their names, so sharing one depends on that order).</summary>
public sealed class RetentionSettingTests(PressApp app) : IClassFixture<PressApp>
{
    [Fact]
    public async Task Retention_follows_the_runtime_setting()
    {
        var api = app.Admin;
        var set = await api.PutAsJsonAsync("/api/settings/sites.softDeleteRetentionDays", new { value = "7" });
        await set.Json(HttpStatusCode.OK);
        await api.RunAsync(api.CreateSiteAsync("week.example.com"));
        await api.RunAsync(api.DeleteAsync("/api/sites/week.example.com").ContinueWith(t => t.Result.Json(HttpStatusCode.Accepted)).Unwrap());
        var site = await api.GetJsonAsync("/api/sites/week.example.com");
        Assert.Equal(TimeSpan.FromDays(7), site.GetProperty("purgeAfter").GetDateTimeOffset() - site.GetProperty("deletedAt").GetDateTimeOffset());

        var bad = await api.PutAsJsonAsync("/api/settings/sites.softDeleteRetentionDays", new { value = "forever" });
        var problem = await bad.Json(HttpStatusCode.BadRequest);
        Assert.Contains("between 1 and 3650", problem.GetProperty("errors").GetProperty("value")[0].GetString());
        await (await api.PutAsJsonAsync("/api/settings/sites.softDeleteRetentionDays", new { value = "30" })).Json(HttpStatusCode.OK);
    }
}
