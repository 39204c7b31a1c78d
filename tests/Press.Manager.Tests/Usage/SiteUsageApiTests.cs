using System.Net;
using System.Net.Http.Json;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Press.Core.Usage;

namespace Press.Manager.Tests.Usage;

/// <summary>GET /api/sites/{name}/usage and PUT /api/sites/{name}/limits through the REST API, with a real worker,
/// PostgreSQL and Redis (runtime none: the runner's measures say why they are missing).</summary>
public sealed class SiteUsageApiTests(PressApp app) : IClassFixture<PressApp>
{
    private async Task<string> ActiveSiteAsync()
    {
        var name = $"usage-{Guid.NewGuid():N}"[..18] + ".example.com";
        await app.Admin.RunAsync(app.Admin.CreateSiteAsync(name));
        return name;
    }

    [Fact]
    public async Task Usage_reads_the_workers_sample_database_size_and_the_reasons_for_what_is_not_measured()
    {
        var name = await ActiveSiteAsync();
        await app.WorkerServices.GetRequiredService<UsageSampler>().SampleAsync(CancellationToken.None);

        var usage = await app.Admin.GetJsonAsync($"/api/sites/{name}/usage");

        Assert.Equal(name, usage.GetProperty("site").GetString());
        Assert.Equal(0, usage.GetProperty("databaseBytes").GetInt64()); // runtime none: an empty schema
        Assert.Equal("the none runtime runs no runner", usage.GetProperty("runnerReason").GetString());
        Assert.Equal("the none runtime keeps no site files", usage.GetProperty("filesReason").GetString());
        Assert.Equal(0, usage.GetProperty("requests").GetInt64());
        Assert.False(usage.GetProperty("databaseOverCap").GetBoolean());
        Assert.NotEqual(System.Text.Json.JsonValueKind.Null, usage.GetProperty("sampledAt").ValueKind);

        var missing = await app.Admin.GetAsync("/api/sites/nobody.example.com/usage");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("application/problem+json", missing.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Limits_out_of_bounds_or_of_the_wrong_shape_are_all_listed_and_change_nothing()
    {
        var name = await ActiveSiteAsync();
        var before = await FootprintAsync();
        using var body = new StringContent("""{"memoryMb": 64, "cpus": "two", "databaseCapMb": 0, "disk": 5}""", Encoding.UTF8, "application/json");

        var problem = await (await app.Admin.PutAsync($"/api/sites/{name}/limits", body)).Json(HttpStatusCode.BadRequest);

        var errors = problem.GetProperty("errors");
        Assert.Equal(["cpus", "databaseCapMb", "disk", "memoryMb"], errors.EnumerateObject().Select(e => e.Name).Order());
        Assert.Contains("between 256 and 262144", errors.GetProperty("memoryMb")[0].GetString());
        Assert.Contains("must be a number", errors.GetProperty("cpus")[0].GetString());
        Assert.Equal(before, await FootprintAsync());
    }

    [Fact]
    public async Task Limits_run_the_ChangeLimits_job_are_audited_and_show_in_usage_with_the_cap()
    {
        var name = await ActiveSiteAsync();

        var job = await app.Admin.RunAsync(PutAsync($"/api/sites/{name}/limits", new { memoryMb = 1024, cpus = 1.5, databaseCapMb = 100 }));

        Assert.Equal("ChangeLimits", job.GetProperty("kind").GetString());
        Assert.Equal(["save-limits", "remove-runner", "start-runtime", "wait-healthy"],
            job.GetProperty("steps").EnumerateArray().Select(s => s.GetProperty("name").GetString()));
        var usage = await app.Admin.GetJsonAsync($"/api/sites/{name}/usage");
        var limits = usage.GetProperty("limits");
        Assert.Equal(1024, limits.GetProperty("memoryMb").GetInt32());
        Assert.Equal(1.5, limits.GetProperty("cpus").GetDouble());
        Assert.Equal(100L * 1024 * 1024, usage.GetProperty("databaseCapBytes").GetInt64());
        Assert.Equal(1, await app.Db.CountAsync(
            $"SELECT count(*) FROM audit_events WHERE action = 'site.limits' AND site_name = '{name}' AND details->>'cpus' = '1.5'",
            app.Db.MetadataDatabase));

        // Back to the defaults: an empty body.
        await app.Admin.RunAsync(PutAsync($"/api/sites/{name}/limits", new { }));
        Assert.Equal(System.Text.Json.JsonValueKind.Null, (await app.Admin.GetJsonAsync($"/api/sites/{name}/usage")).GetProperty("limits").GetProperty("memoryMb").ValueKind);
    }

    [Fact]
    public async Task An_operator_may_read_usage_but_not_set_limits()
    {
        var name = await ActiveSiteAsync();
        var operatorClient = await app.ClientWithTokenAsync("operator");

        Assert.Equal(HttpStatusCode.OK, (await operatorClient.GetAsync($"/api/sites/{name}/usage")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await operatorClient.PutAsJsonAsync($"/api/sites/{name}/limits", new { cpus = 2 })).StatusCode);
    }

    private async Task<System.Text.Json.JsonElement> PutAsync(string path, object body) =>
        await (await app.Admin.PutAsJsonAsync(path, body)).Json(HttpStatusCode.Accepted);

    private async Task<string> FootprintAsync() => string.Join(",",
        await app.Db.CountAsync("SELECT count(*) FROM jobs", app.Db.MetadataDatabase),
        await app.Db.CountAsync("SELECT count(*) FROM audit_events", app.Db.MetadataDatabase),
        await app.Db.CountAsync("SELECT count(*) FROM site_limits", app.Db.MetadataDatabase));
}
