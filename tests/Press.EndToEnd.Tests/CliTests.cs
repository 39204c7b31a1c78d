using System.Text.Json;
using System.Text.RegularExpressions;
using Press.Core.Jobs;
using Press.EndToEnd.Tests.Harness;

namespace Press.EndToEnd.Tests;

/// <summary>The real <c>press</c> CLI against the real manager and worker: a site's whole lifecycle, and its exit codes.</summary>
public sealed partial class CliTests(ManagerFixture stack) : IClassFixture<ManagerFixture>, IDisposable
{
    private readonly string _home = Directory.CreateTempSubdirectory("press-e2e-cli-").FullName;

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")] // the config file's mode 600 is a Unix property
    public async Task A_site_goes_through_its_whole_lifecycle_with_the_press_CLI()
    {
        await using var scene = new Scene(stack.Manager);
        await scene.StartWorkerAsync(stack.Db, "worker", PressProcess.FastWorker(lease: TimeSpan.FromSeconds(30)));
        var cli = new PressCli(_home);
        string Context() => cli.Transcript + scene.Describe();
        const string site = "cli.e2e.test";

        var login = await cli.RunAsync("login", "--url", stack.Manager.BaseUrl.ToString(), "--token", stack.Api.Token);
        Assert.True(login.ExitCode == 0, Context());
        Assert.True(File.Exists(cli.ConfigPath), Context());
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(cli.ConfigPath));
        using (var saved = JsonDocument.Parse(await File.ReadAllTextAsync(cli.ConfigPath)))
            Assert.Equal(stack.Api.Token, saved.RootElement.GetProperty("token").GetString());

        // From here on the CLI finds URL and token in the config file written by login.
        var create = await cli.RunAsync("site", "create", site, "--wait");
        Assert.True(create.ExitCode == 0, Context());
        foreach (var step in Recipes.NewSite.Steps)
            Assert.True(create.Stdout.Contains(step), $"`site create --wait` did not print step {step}.{Context()}");
        Assert.Contains($"NewSite {site} succeeded", create.Stdout);
        var jobId = JobHeader().Match(create.Stdout) is { Success: true } m ? Guid.Parse(m.Groups[1].Value)
            : throw new Xunit.Sdk.XunitException("no 'Job <id>:' header in the output." + Context());

        var list = await cli.RunAsync("site", "list", "--json");
        Assert.True(list.ExitCode == 0, Context());
        using (var doc = JsonDocument.Parse(list.Stdout))
            Assert.Contains(doc.RootElement.GetProperty("items").EnumerateArray(),
                s => s.GetProperty("name").GetString() == site && s.GetProperty("state").GetString() == "Active");

        var show = await cli.RunAsync("site", "show", site);
        Assert.True(show.ExitCode == 0, Context());
        Assert.Contains(site, show.Stdout);
        Assert.Contains("Active", show.Stdout);

        var job = await cli.RunAsync("job", "show", jobId.ToString(), "--json");
        Assert.True(job.ExitCode == 0, Context());
        var shown = JsonSerializer.Deserialize<JobView>(job.Stdout, PressApi.Json)!;
        Assert.Equal(jobId, shown.Id);
        Assert.Equal("NewSite", shown.Kind);
        Assert.Equal("Succeeded", shown.State);
        Assert.Equal(Recipes.NewSite.Steps, shown.Steps.OrderBy(s => s.Ordinal).Select(s => s.Name));

        foreach (var (verb, state) in new[] { ("suspend", "Suspended"), ("resume", "Active"), ("delete", "Deleted"), ("undelete", "Active"), ("delete", "Deleted") })
        {
            var result = await cli.RunAsync("site", verb, site, "--wait");
            Assert.True(result.ExitCode == 0, $"site {verb} --wait failed.{Context()}");
            Assert.Equal(state, (await stack.Api.GetSiteAsync(site)).State);
        }
        var schema = (await stack.Api.GetSiteAsync(site)).Location.Schema;

        var purge = await cli.RunAsync("site", "purge", site, "--wait");
        Assert.True(purge.ExitCode == 0, Context());
        foreach (var step in Recipes.PurgeSite.Steps) Assert.Contains(step, purge.Stdout);
        var purged = await stack.Api.GetSiteAsync(site);
        Assert.Equal("Purged", purged.State);
        Assert.NotNull(purged.PurgedAt);
        var tenant = await Catalog.InspectAsync(stack.Db, schema);
        Assert.True(tenant.Roles == 0 && tenant.Schemas == 0, $"purge left role/schema behind: {tenant}");

        // Refusals: the server's message, exit 1.
        var bad = await cli.RunAsync("site", "create", "Bad_Name");
        Assert.True(bad.ExitCode == 1, Context());
        Assert.Contains("uppercase", bad.Stderr);
        Assert.Contains("underscore", bad.Stderr);

        var retry = await cli.RunAsync("job", "retry", jobId.ToString());
        Assert.True(retry.ExitCode == 1, Context());
        Assert.Contains("(HTTP 409)", retry.Stderr);
        Assert.Contains($"Job {jobId} is Succeeded; only Failed jobs can be retried.", retry.Stderr);

        // Nobody listens on the suite's reserved closed port: exit 3, "cannot reach Press".
        Assert.False(await Listening(Ports.AlwaysClosed), $"something listens on 127.0.0.1:{Ports.AlwaysClosed}; this check needs it closed");
        var unreachable = await cli.RunAsync("site", "list", "--url", $"http://127.0.0.1:{Ports.AlwaysClosed}");
        Assert.True(unreachable.ExitCode == 3, Context());
        Assert.Contains("is the Press manager running?", unreachable.Stderr);
    }

    private static async Task<bool> Listening(int port)
    {
        using var client = new System.Net.Sockets.TcpClient();
        try
        {
            await client.ConnectAsync("127.0.0.1", port).WaitAsync(TimeSpan.FromSeconds(2));
            return true;
        }
        catch (Exception ex) when (ex is System.Net.Sockets.SocketException or TimeoutException)
        {
            return false;
        }
    }

    [GeneratedRegex(@"^Job ([0-9a-f-]{36}): NewSite", RegexOptions.Multiline)]
    private static partial Regex JobHeader();

    public void Dispose()
    {
        try { Directory.Delete(_home, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
