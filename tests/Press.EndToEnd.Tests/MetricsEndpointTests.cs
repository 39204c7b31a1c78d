using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Press.EndToEnd.Tests.Harness;
using Press.Testing;

namespace Press.EndToEnd.Tests;

/// <summary>
/// The live /metrics of a manager and a worker process (docs/architecture.md §13): each passes
/// <c>promtool check metrics</c>; the worker, which ran the job, times and counts it and its steps and reports the
/// backup store and its disks; the worker's JSON log lines (<c>Press__Logging__Format=json</c>) carry the job's scopes.
/// </summary>
public sealed class MetricsEndpointTests
{
    [Fact]
    public async Task Manager_and_worker_serve_valid_prometheus_metrics_and_the_worker_records_what_it_ran()
    {
        await using var db = await PressDatabase.CreateAsync();
        await using var scene = new Scene();
        var manager = await scene.StartManagerAsync(db);
        var worker = await scene.StartWorkerAsync(db, "worker-metrics", new Dictionary<string, string?>
        {
            ["Press:Logging:Format"] = "json",
            ["Press:Worker:Disks:tmp"] = Path.GetTempPath(),
        });
        using var api = await PressApi.LoginAsync(manager.BaseUrl, db.AdminPassword);
        var created = await api.CreateSiteAsync("metrics.e2e.test");
        var job = await api.WaitForJobAsync(created.Id, TimeSpan.FromSeconds(60), scene.Describe);
        Assert.True(job.State == "Succeeded", job.Describe() + scene.Describe());

        var (managerStatus, managerText) = await manager.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, managerStatus);
        AssertPromtoolAccepts(managerText, "manager");
        Assert.Matches(@"(?m)^press_sites\{state=""Active""\} 1$", managerText);

        var (workerStatus, workerText) = await worker.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, workerStatus);
        AssertPromtoolAccepts(workerText, "worker");
        Assert.Matches(@"(?m)^press_job_duration_seconds_bucket\{kind=""NewSite"",state=""Succeeded"",le=""\+Inf""\} 1$", workerText);
        Assert.Matches(@"(?m)^press_step_duration_seconds_count\{kind=""NewSite"",state=""Succeeded"",step=""create-role""\} 1$", workerText);
        Assert.Matches(@"(?m)^press_step_duration_seconds_count\{kind=""NewSite"",state=""Skipped"",step=""start-runtime""\} 1$", workerText);
        Assert.Matches(@"(?m)^press_jobs_finished_total\{kind=""NewSite"",state=""Succeeded""\} 1$", workerText);
        Assert.Matches(@"(?m)^press_jobs_finished_total\{kind=""BackupSite"",state=""Failed""\} 0$", workerText);
        Assert.Equal("1", Exposition.Value(workerText, "press_object_store_up"));
        var free = Regex.Match(workerText, @"(?m)^press_disk_free_bytes\{volume=""tmp""\} (\d+)$");
        var size = Regex.Match(workerText, @"(?m)^press_disk_size_bytes\{volume=""tmp""\} (\d+)$");
        Assert.True(free.Success && size.Success, "no press_disk_*_bytes{volume=\"tmp\"}:\n" + workerText);
        Assert.InRange(long.Parse(free.Groups[1].Value), 1, long.Parse(size.Groups[1].Value));
        Assert.Contains("# TYPE db_client_operation_duration_seconds histogram", workerText); // Npgsql's instrumentation

        // Every line the worker logged while running a step carries the job, its kind, the site and the step.
        var stepLine = worker.Log.Lines.Select(TryParse).FirstOrDefault(l => l is not null
            && Scopes(l.Value).TryGetValue("JobId", out var id) && id == job.Id.ToString() && Scopes(l.Value).ContainsKey("Step"));
        Assert.True(stepLine is not null, "no JSON log line with the job's scopes:\n" + worker.Log.Tail());
        var scopes = Scopes(stepLine.Value);
        Assert.Equal("metrics.e2e.test", scopes["SiteName"]);
        Assert.Equal("NewSite", scopes["JobKind"]);
    }

    /// <summary>
    /// promtool parses the exposition (exit 1 on a format error) and lints it (exit 3 on naming problems). Press's own
    /// series must lint clean. OpenTelemetry's semantic-convention names for the .NET runtime and Npgsql
    /// (<c>dotnet.assembly.count</c> → <c>dotnet_assembly_count</c>, a gauge) trip one naming rule of Prometheus's and
    /// are kept as the field publishes them, so that rule alone is allowed for them.
    /// </summary>
    private static void AssertPromtoolAccepts(string exposition, string who)
    {
        var result = PrometheusTools.Promtool(exposition, "check", "metrics");
        if (result.ExitCode == 0) return;
        Assert.True(result.ExitCode == 3, $"promtool check metrics could not read the {who}'s /metrics: {result}");
        var problems = result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var press = problems.Where(p => p.StartsWith("press_", StringComparison.Ordinal)).ToList();
        Assert.True(press.Count == 0, $"Press's own series on the {who}'s /metrics fail promtool's lint: {result}");
        var other = problems.Where(p => !(Regex.IsMatch(p, @"^(dotnet|db_client)_\w+_count ") && p.EndsWith("should not have \"_count\" suffix", StringComparison.Ordinal))).ToList();
        Assert.True(other.Count == 0, $"promtool check metrics on the {who}'s /metrics: {string.Join("\n", other)}");
    }

    private static JsonElement? TryParse(string line)
    {
        if (!line.StartsWith('{')) return null;
        try { return JsonDocument.Parse(line).RootElement; }
        catch (JsonException) { return null; }
    }

    private static Dictionary<string, string> Scopes(JsonElement line) =>
        line.TryGetProperty("Scopes", out var scopes)
            ? scopes.EnumerateArray().Where(s => s.ValueKind == JsonValueKind.Object)
                .SelectMany(s => s.EnumerateObject()).Where(p => p.Name != "Message")
                .GroupBy(p => p.Name).ToDictionary(g => g.Key, g => g.Last().Value.ToString())
            : [];
}
