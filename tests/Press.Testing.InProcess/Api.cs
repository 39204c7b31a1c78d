using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Press.Testing.InProcess;

/// <summary>Small helpers over the REST API, as a client would use it.</summary>
public static class Api
{
    public static async Task<JsonElement> Json(this HttpResponseMessage response, HttpStatusCode expected)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"expected {(int)expected}, got {(int)response.StatusCode}: {body}");
        return body.Length == 0 ? default : JsonDocument.Parse(body).RootElement.Clone();
    }

    public static async Task<JsonElement> CreateSiteAsync(this HttpClient client, string name, params string[] apps) =>
        await (await client.PostAsJsonAsync("/api/sites", new { name, apps })).Json(HttpStatusCode.Accepted);

    public static async Task<JsonElement> PostAsync(this HttpClient client, string path, HttpStatusCode expected) =>
        await (await client.PostAsync(path, null)).Json(expected);

    public static async Task<JsonElement> GetJsonAsync(this HttpClient client, string path) =>
        await (await client.GetAsync(path)).Json(HttpStatusCode.OK);

    public static Guid JobId(this JsonElement job) => job.GetProperty("id").GetGuid();

    /// <summary>Polls the job until it ends (bounded), returning its final JSON.</summary>
    public static async Task<JsonElement> WaitForJobAsync(this HttpClient client, Guid jobId, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        var delay = TimeSpan.FromMilliseconds(20);
        while (true)
        {
            var job = await client.GetJsonAsync($"/api/jobs/{jobId}");
            var state = job.GetProperty("state").GetString();
            if (state is "Succeeded" or "Failed" or "Cancelled") return job;
            if (DateTime.UtcNow > deadline) Assert.Fail($"job {jobId} still {state} after the timeout: {job}");
            await Task.Delay(delay);
            delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 250));
        }
    }

    public static async Task<JsonElement> RunAsync(this HttpClient client, Task<JsonElement> enqueue, string expectedState = "Succeeded")
    {
        var job = await client.WaitForJobAsync((await enqueue).JobId());
        Assert.True(job.GetProperty("state").GetString() == expectedState, $"job ended {job.GetProperty("state")}, expected {expectedState}: {job}");
        return job;
    }

    public static string State(this JsonElement e) => e.GetProperty("state").GetString()!;
}
