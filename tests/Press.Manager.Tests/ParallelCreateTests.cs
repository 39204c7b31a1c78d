using Press.Manager.Tests.Harness;

namespace Press.Manager.Tests;

public sealed class ParallelCreateTests(PressApp app) : IClassFixture<PressApp>
{
    [Fact]
    public async Task Twelve_sites_created_in_parallel_all_become_active()
    {
        var names = Enumerable.Range(1, 12).Select(i => $"p{i:00}.example.com").ToList();
        var jobs = await Task.WhenAll(names.Select(n => app.Admin.CreateSiteAsync(n)));
        var finished = await Task.WhenAll(jobs.Select(j => app.Admin.WaitForJobAsync(j.JobId(), TimeSpan.FromSeconds(60))));
        Assert.All(finished, j => Assert.Equal("Succeeded", j.State()));

        var page = await app.Admin.GetJsonAsync("/api/sites?state=Active&pageSize=100");
        Assert.Equal(names, page.GetProperty("items").EnumerateArray().Select(s => s.GetProperty("name").GetString()));
        var schemas = page.GetProperty("items").EnumerateArray().Select(s => s.GetProperty("location").GetProperty("schema").GetString()).ToHashSet();
        Assert.Equal(12, schemas.Count);
        foreach (var name in names) Assert.True((await app.Db.InspectAsync(name)) is { RoleExists: true, CanLogin: true, SchemaExists: true });

        var second = await app.Admin.GetJsonAsync("/api/sites?state=Active&page=2&pageSize=5");
        Assert.Equal(names.Skip(5).Take(5), second.GetProperty("items").EnumerateArray().Select(s => s.GetProperty("name").GetString()));
        Assert.Equal(12, second.GetProperty("total").GetInt64());
    }
}
