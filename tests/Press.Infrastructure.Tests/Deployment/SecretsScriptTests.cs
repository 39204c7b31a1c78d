using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Press.Infrastructure.Tests.Deployment;

/// <summary>
/// docker/make-secrets.sh writes every secret the production file declares, consistently (the same password where
/// two files must agree), and docker/dev-secrets/ obeys the same rules.
/// </summary>
public sealed class SecretsScriptTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "press-secrets-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (!Directory.Exists(_dir)) return;
        foreach (var file in Directory.EnumerateFiles(_dir)) File.SetAttributes(file, FileAttributes.Normal);
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public void Writes_every_production_secret_and_keeps_existing_ones_on_a_second_run()
    {
        RunScript();
        var written = Directory.EnumerateFiles(_dir).Select(f => Path.GetFileName(f)).Order().ToList();
        Assert.Equal(ComposeFile.Production.Secrets.Keys.Order(), written);
        foreach (var name in written.Where(n => n is not ("acme_dns_api_token" or "prometheus_press_token")))
            Assert.True(Read(name).Length >= 8, $"{name} is empty or short");
        Assert.Equal("", Read("acme_dns_api_token")); // the operator's DNS token: nothing to generate
        Assert.Equal("", Read("prometheus_press_token")); // a Press token exists only once the manager runs

        var before = written.ToDictionary(n => n, Read);
        RunScript();
        Assert.Equal(before, written.ToDictionary(n => n, Read));
    }

    [Fact]
    public void Secret_files_are_readable_by_containers_and_the_folder_by_no_one_else()
    {
        if (OperatingSystem.IsWindows()) return;
        RunScript();
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(_dir));
        foreach (var file in Directory.EnumerateFiles(_dir))
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead, File.GetUnixFileMode(file));
    }

    [Fact]
    public void Generated_values_agree_where_two_files_must()
    {
        RunScript();
        AssertConsistent(Read);
    }

    [Fact]
    public void The_committed_development_secrets_agree_the_same_way()
    {
        AssertConsistent(name => File.ReadAllText(DeploymentPaths.InDocker($"dev-secrets/{name}")).TrimEnd('\n'));
    }

    private static void AssertConsistent(Func<string, string> read)
    {
        Assert.Equal($"Host=127.0.0.1;Port=48532;Username=postgres;Password={read("postgres_password")};Database=postgres",
            read("postgres_superuser_connection"));
        Assert.Equal(32, Convert.FromBase64String(read("press_secrets_key")).Length);
        Assert.True(read("press_admin_password").Length >= 12, "Press refuses an admin password under 12 characters");
        // traefik/entrypoint.sh accepts only these characters.
        Assert.Matches(new Regex("^[A-Za-z0-9_-]+$"), read("traefik_ingress_secret"));
    }

    private string Read(string name) => File.ReadAllText(Path.Combine(_dir, name)).TrimEnd('\n');

    private void RunScript()
    {
        var start = new ProcessStartInfo("bash", [DeploymentPaths.InDocker("make-secrets.sh"), _dir])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEnd();
        Assert.True(process.WaitForExit(30_000), "make-secrets.sh did not finish in 30 s");
        Assert.True(process.ExitCode == 0, $"make-secrets.sh exited {process.ExitCode}: {error}{output.Result}");
    }
}
