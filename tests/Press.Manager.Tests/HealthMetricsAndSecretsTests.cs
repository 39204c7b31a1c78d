using System.Net;
using Press.Manager.Tests.Harness;

namespace Press.Manager.Tests;

/// <summary>Health, readiness and Prometheus metrics; and no secret ever reaches an API response or a log line.</summary>
public sealed class HealthMetricsAndSecretsTests(PressApp app) : IClassFixture<PressApp>
{
    [Fact]
    public async Task Health_and_readiness_report_postgres_redis_and_the_runtime()
    {
        await (await app.Anonymous.GetAsync("/healthz")).Json(HttpStatusCode.OK);
        var ready = await (await app.Admin.GetAsync("/readyz")).Json(HttpStatusCode.OK);
        Assert.Equal("Healthy", ready.GetProperty("status").GetString());
        var checks = ready.GetProperty("checks");
        Assert.StartsWith("PostgreSQL 17.", checks.GetProperty("postgres").GetProperty("detail").GetString());
        Assert.StartsWith("Redis reachable", checks.GetProperty("redis").GetProperty("detail").GetString());
        Assert.Contains("runtime 'none'", checks.GetProperty("runtime").GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Metrics_count_sites_and_unfinished_jobs_and_leave_finished_ones_to_the_worker()
    {
        await app.Admin.RunAsync(app.Admin.CreateSiteAsync("metrics.example.com"));
        var response = await app.Admin.GetAsync("/metrics");
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        var text = await response.Content.ReadAsStringAsync();
        Assert.Contains("# TYPE press_sites gauge", text);
        Assert.Matches(@"(?m)^press_sites\{state=""Active""\} [1-9]\d*$", text);
        // press_jobs holds unfinished jobs only; finished ones are timed and counted by the process that ran them (the
        // worker: MetricsEndpointTests in the end-to-end tests), never by re-reading the job history (docs/architecture.md §13).
        Assert.DoesNotMatch(@"(?m)^press_jobs\{kind=""NewSite"",state=""Succeeded""\}", text);
        Assert.DoesNotContain("press_job_duration_seconds_bucket", text);
        // The field's instrumentations ride along: ASP.NET Core's request durations and the .NET runtime's.
        Assert.Contains("# TYPE http_server_request_duration_seconds histogram", text);
        Assert.Matches(@"(?m)^dotnet_gc_collections_total\{", text);
    }

    [Fact]
    public async Task Secrets_never_reach_responses_or_logs()
    {
        await app.Admin.RunAsync(app.Admin.CreateSiteAsync("secret.example.com"));
        var site = await (await app.Admin.GetAsync("/api/sites/secret.example.com")).Content.ReadAsStringAsync();
        var jobs = await (await app.Admin.GetAsync("/api/jobs?site=secret.example.com")).Content.ReadAsStringAsync();
        var password = await app.Db.SitePasswordAsync("secret.example.com");
        Assert.True(password.Length >= 32);
        Assert.DoesNotContain(password, site);
        Assert.DoesNotContain(password, jobs);
        Assert.DoesNotContain("password", site, StringComparison.OrdinalIgnoreCase);
        Assert.NotEmpty(app.Logs.Lines);
        Assert.DoesNotContain(app.Logs.Lines, l => l.Contains(password) || l.Contains(app.Db.AdminPassword) || l.Contains(app.Db.SecretsKey));
    }
}
