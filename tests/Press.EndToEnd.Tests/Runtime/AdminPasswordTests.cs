using System.Collections.Concurrent;
using System.Net;
using Npgsql;
using Press.Core.Jobs;
using Press.EndToEnd.Tests.Harness;

namespace Press.EndToEnd.Tests.Runtime;

/// <summary>
/// The Frappe Administrator password never travels on a command line: not in any process's /proc/PID/cmdline while the
/// site is installed, not in the Docker engine's exec events. It reaches bench on stdin (Frappe's getpass prompt), and
/// it is the password that works.
/// </summary>
public static class AdminPasswordProof
{
    public static async Task RunAsync(RuntimeStack stack, string label)
    {
        var name = stack.SiteName(label);
        var since = DateTimeOffset.UtcNow.AddSeconds(-1);
        var seen = new ConcurrentDictionary<string, byte>();
        using var stop = new CancellationTokenSource();
        var sampler = Task.Run(() => SampleCommandLines(seen, stop.Token));
        JobView created;
        try
        {
            created = await stack.CreateSiteAsync(name);
        }
        finally
        {
            await stop.CancelAsync();
            await sampler;
        }
        stack.AssertAllStepsSucceeded(created, Recipes.NewSite);

        var shown = await stack.Admin.PostAsync($"/api/sites/{name}/admin-password");
        Assert.True(shown.Status == HttpStatusCode.OK, shown.ToString());
        var password = shown.Json.GetProperty("password").GetString()!;

        // The sampler saw bench new-site run, so its silence about the password means something.
        Assert.True(seen.Keys.Any(c => c.Contains("new-site", StringComparison.Ordinal)),
            $"the sampler never saw bench new-site running ({seen.Count} command lines seen)");
        var leaking = seen.Keys.Where(c => c.Contains(password, StringComparison.Ordinal)).ToList();
        Assert.True(leaking.Count == 0, "the Administrator password was on a command line: " + string.Join(" | ", leaking.Select(l => l.Replace(password, "<PASSWORD>"))));

        if (stack.Driver == "docker")
        {
            var events = await TestEngine.RunOkAsync("events", "--since", since.ToUnixTimeSeconds().ToString(), "--until",
                DateTimeOffset.UtcNow.AddSeconds(1).ToUnixTimeSeconds().ToString(), "--filter", "event=exec_create",
                "--filter", $"container={RuntimeStack.ContainerOf(name)}", "--format", "{{.Action}}");
            Assert.Contains("new-site", events);
            Assert.False(events.Contains(password, StringComparison.Ordinal), "the Administrator password is in a Docker exec event: "
                + events.Replace(password, "<PASSWORD>"));
        }

        // …and it is the password bench stored for Administrator (the double hashes it as Frappe does).
        var site = await stack.GetSiteAsync(name);
        await using var conn = await stack.Db.OpenAsSuperuserAsync();
        await using var cmd = new NpgsqlCommand(
            $"SELECT password FROM \"{site.Location.Schema}\".\"__Auth\" WHERE doctype = 'User' AND name = 'Administrator' AND fieldname = 'password'", conn);
        var hash = (string?)await cmd.ExecuteScalarAsync() ?? throw new Xunit.Sdk.XunitException("no Administrator password stored");
        Assert.True(Pbkdf2Matches(password, hash), "the stored Administrator password is not the one Press generated");
    }

    /// <summary>passlib's <c>$pbkdf2-sha256$ROUNDS$SALT$HASH</c> (adapted base64), the format Frappe and the double store.</summary>
    private static bool Pbkdf2Matches(string password, string stored)
    {
        var parts = stored.Split('$');
        if (parts.Length != 5 || parts[1] != "pbkdf2-sha256") return false;
        static byte[] Ab64(string s) => Convert.FromBase64String(s.Replace('.', '+') + new string('=', (4 - s.Length % 4) % 4));
        var expected = Ab64(parts[4]);
        var actual = System.Security.Cryptography.Rfc2898DeriveBytes.Pbkdf2(System.Text.Encoding.UTF8.GetBytes(password), Ab64(parts[3]),
            int.Parse(parts[2]), System.Security.Cryptography.HashAlgorithmName.SHA256, expected.Length);
        return System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(actual, expected);
    }

    /// <summary>Every distinct command line on this host (container processes included: one kernel), read every few ms.</summary>
    private static void SampleCommandLines(ConcurrentDictionary<string, byte> seen, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            foreach (var dir in Directory.EnumerateDirectories("/proc"))
            {
                if (!char.IsAsciiDigit(Path.GetFileName(dir)[0])) continue;
                try
                {
                    var line = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ').Trim();
                    if (line.Length > 0) seen.TryAdd(line, 0);
                }
                catch (IOException) { }
                catch (UnauthorizedAccessException) { }
            }
            Thread.Sleep(5);
        }
    }
}

[Collection(SiteRuntimeCollection.Name)]
public sealed class DockerAdminPasswordTests(DockerStackFixture fixture) : IClassFixture<DockerStackFixture>
{
    [Fact]
    public Task The_Administrator_password_is_on_no_command_line_and_in_no_exec_event_and_it_works() =>
        AdminPasswordProof.RunAsync(fixture.Stack, "adminpw");
}

[Collection(SiteRuntimeCollection.Name)]
public sealed class ProcessAdminPasswordTests(ProcessStackFixture fixture) : IClassFixture<ProcessStackFixture>
{
    [Fact]
    public Task The_Administrator_password_is_on_no_command_line_and_it_works() =>
        AdminPasswordProof.RunAsync(fixture.Stack, "adminpw");
}

/// <summary>The double asks for the password as Frappe does, and fails as Frappe does when nobody answers.</summary>
public sealed class DoubleAdminPasswordPromptTests
{
    [Fact]
    public async Task New_site_without_the_password_on_its_command_line_or_stdin_fails_with_EOFError()
    {
        var bench = Directory.CreateTempSubdirectory("press-e2e-prompt-").FullName;
        try
        {
            var site = Path.Combine(bench, "sites", "prompt.example.com");
            Directory.CreateDirectory(site);
            await File.WriteAllTextAsync(Path.Combine(bench, "sites", "apps.txt"), "frappe\n");
            await File.WriteAllTextAsync(Path.Combine(site, "site_config.json"), """
                {"db_type": "postgres", "db_host": "127.0.0.1", "db_port": 1, "db_name": "x", "db_user": "x", "db_password": "x",
                 "db_schema": "x", "redis_cache": "unix:///nonexistent.sock?db=0", "redis_queue": "unix:///nonexistent.sock?db=1"}
                """);
            var start = new System.Diagnostics.ProcessStartInfo(RuntimeStack.DoubleExecutable)
            {
                WorkingDirectory = bench, RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true,
            };
            foreach (var a in new[] { "new-site", "prompt.example.com", "--force", "--no-setup-db", "--db-type", "postgres" }) start.ArgumentList.Add(a);
            using var process = System.Diagnostics.Process.Start(start)!;
            // One answer only: the second prompt ("Re-enter Administrator password") meets the end of stdin.
            await process.StandardInput.WriteAsync("only-once\n");
            process.StandardInput.Close();
            var stderr = await process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));

            Assert.Equal(1, process.ExitCode);
            Assert.Contains("Set Administrator password: ", stderr);
            Assert.Contains("Re-enter Administrator password: ", stderr);
            Assert.Contains("EOFError", stderr);
        }
        finally
        {
            Directory.Delete(bench, recursive: true);
        }
    }
}
