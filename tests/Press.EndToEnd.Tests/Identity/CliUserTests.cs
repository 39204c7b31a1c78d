using System.Text.Json;
using Press.EndToEnd.Tests.Harness;

namespace Press.EndToEnd.Tests.Identity;

/// <summary>The real <c>press</c> CLI managing accounts and sessions against the real manager.</summary>
public sealed class CliUserTests(ManagerFixture stack) : IClassFixture<ManagerFixture>, IDisposable
{
    private readonly string _home = Directory.CreateTempSubdirectory("press-e2e-cli-user-").FullName;

    [Fact]
    public async Task An_admin_creates_lists_disables_enables_and_resets_users_and_ends_sessions_with_the_CLI()
    {
        var cli = new PressCli(_home);
        Assert.Equal(0, (await cli.RunAsync("login", "--url", stack.Manager.BaseUrl.ToString(), "--token", stack.Api.Token)).ExitCode);

        var create = await cli.RunAsync("user", "create", "olga", "--role", "operator", "--break-glass");
        Assert.True(create.ExitCode == 0, cli.Transcript);
        var password = create.Stdout.TrimEnd().Split('\n')[^1].Trim();
        Assert.Equal(24, password.Length);
        Assert.Matches("Break-glass +yes", create.Stdout);

        using var browser = new LocalLoginClient(stack.Manager.BaseUrl);
        Assert.Equal(System.Net.HttpStatusCode.Redirect, (await browser.LoginAsync("olga", password)).Status);

        var list = await cli.RunAsync("user", "list", "--json");
        using (var doc = JsonDocument.Parse(list.Stdout))
        {
            var olga = doc.RootElement.GetProperty("items").EnumerateArray().Single(u => u.GetProperty("name").GetString() == "olga");
            Assert.Equal(("operator", true, false), (olga.GetProperty("role").GetString(), olga.GetProperty("breakGlass").GetBoolean(), olga.GetProperty("disabled").GetBoolean()));
        }
        var sessions = await cli.RunAsync("session", "list");
        Assert.Contains("olga", sessions.Stdout);

        var disable = await cli.RunAsync("user", "disable", "olga");
        Assert.True(disable.ExitCode == 0, cli.Transcript);
        Assert.Contains("Disabled olga; 1 session(s) ended.", disable.Stdout);
        Assert.Contains("No live sessions.", (await cli.RunAsync("session", "list")).Stdout);
        Assert.Equal(0, (await cli.RunAsync("user", "enable", "olga")).ExitCode);

        var reset = await cli.RunAsync("user", "reset-password", "olga");
        var newPassword = reset.Stdout.TrimEnd().Split('\n')[^1].Trim();
        Assert.NotEqual(password, newPassword);
        Assert.Equal(System.Net.HttpStatusCode.Redirect, (await new LocalLoginClient(stack.Manager.BaseUrl).LoginAsync("olga", newPassword)).Status);
        var id = JsonDocument.Parse((await cli.RunAsync("session", "list", "--json")).Stdout).RootElement.GetProperty("items")[0].GetProperty("id").GetString()!;
        Assert.Contains($"Ended session {id}.", (await cli.RunAsync("session", "end", id)).Stdout);

        var bad = await cli.RunAsync("user", "create", "Not Valid");
        Assert.NotEqual(0, bad.ExitCode);
        Assert.Contains("'name'", bad.Stderr + bad.Stdout);
        foreach (var line in stack.Manager.Log.Lines)
            Assert.False(line.Contains(password, StringComparison.Ordinal) || line.Contains(newPassword, StringComparison.Ordinal), line);
    }

    public void Dispose() => Directory.Delete(_home, recursive: true);
}
