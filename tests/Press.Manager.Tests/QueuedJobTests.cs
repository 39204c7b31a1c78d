using System.Net;
using System.Text.Json;
using Press.Manager.Tests.Harness;

namespace Press.Manager.Tests;

/// <summary>With no worker running, jobs stay Queued: conflicts and live progress can be observed deterministically.</summary>
public sealed class QueuedJobTests(PressAppWithoutWorker fixture) : IClassFixture<PressAppWithoutWorker>
{
    private PressApp App => fixture.App;

    [Fact]
    public async Task Conflict_names_the_running_job_then_events_stream_every_step_until_the_job_ends()
    {
        var api = App.Admin;
        var create = await api.CreateSiteAsync("queued.example.com");
        Assert.Equal("Queued", create.State());
        Assert.All(create.GetProperty("steps").EnumerateArray(), s => Assert.Equal("Pending", s.State()));

        var conflict = await (await api.DeleteAsync("/api/sites/queued.example.com")).Json(HttpStatusCode.Conflict);
        Assert.Equal(create.JobId(), conflict.GetProperty("jobId").GetGuid());
        Assert.Contains(create.JobId().ToString(), conflict.GetProperty("detail").GetString());
        var duplicate = await (await api.PostAsync("/api/sites", JsonContent("queued.example.com"))).Json(HttpStatusCode.Conflict);
        Assert.Contains("already exists", duplicate.GetProperty("detail").GetString());

        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/jobs/{create.JobId()}/events");
        using var response = await api.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        await App.StartWorkerAsync();

        var events = await ReadEventsAsync(await response.Content.ReadAsStreamAsync());
        var last = events[^1];
        Assert.Equal("job", last.Name);
        Assert.Equal("Succeeded", last.Data.State());
        var finalSteps = events.Where(e => e.Name == "step").GroupBy(e => e.Data.GetProperty("name").GetString())
            .ToDictionary(g => g.Key!, g => g.Last().Data.State());
        Assert.Equal(new Dictionary<string, string>
        {
            ["create-role"] = "Succeeded", ["create-site-database"] = "Succeeded", ["create-schema"] = "Succeeded", ["configure-role"] = "Succeeded",
            ["verify-login"] = "Succeeded", ["allocate-runner"] = "Skipped", ["write-site-config"] = "Skipped",
            ["start-runtime"] = "Skipped", ["install-site"] = "Skipped", ["enable-scheduler"] = "Skipped", ["wait-healthy"] = "Skipped",
            ["save-site-config"] = "Skipped", ["record-versions"] = "Skipped",
            ["register-sso-client"] = "Skipped", ["configure-site-sso"] = "Skipped",
        }, finalSteps);
        Assert.Contains(events, e => e.Name == "job" && e.Data.State() == "Queued");
    }

    private static StringContent JsonContent(string name) =>
        new(JsonSerializer.Serialize(new { name }), System.Text.Encoding.UTF8, "application/json");

    private static async Task<List<(string Name, JsonElement Data)>> ReadEventsAsync(Stream stream)
    {
        using var reader = new StreamReader(stream);
        var events = new List<(string, JsonElement)>();
        string? name = null;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (await reader.ReadLineAsync(timeout.Token) is { } line)
        {
            if (line.StartsWith("event: ", StringComparison.Ordinal)) name = line[7..];
            else if (line.StartsWith("data: ", StringComparison.Ordinal))
                events.Add((name!, JsonDocument.Parse(line[6..]).RootElement.Clone()));
        }
        return events;
    }
}
