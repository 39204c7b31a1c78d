namespace Press.Infrastructure.Tests.Deployment;

/// <summary>
/// Secrets reach services only as files (compose <c>secrets:</c> + <c>*_FILE</c> settings). Required of the
/// production file; the development file follows the same rule with its committed dev-only files.
/// </summary>
public sealed class ComposeSecretsTests
{
    private static readonly string[] SecretWords = ["PASSWORD", "SECRET", "TOKEN", "KEY"];

    [Theory]
    [InlineData(ComposeFile.DevelopmentName)]
    [InlineData(ComposeFile.ProductionName)]
    public void Every_secret_setting_names_a_file_never_a_value(string file)
    {
        foreach (var service in ComposeFile.Get(file).Services.Values)
            foreach (var key in service.Environment.Keys)
                if (SecretWords.Any(w => key.Contains(w, StringComparison.OrdinalIgnoreCase)))
                    Assert.True(key.EndsWith("_FILE", StringComparison.Ordinal), $"{service.Name}: {key} holds a secret value; use {key}_FILE");
    }

    [Theory]
    [InlineData(ComposeFile.DevelopmentName)]
    [InlineData(ComposeFile.ProductionName)]
    public void No_password_is_written_into_a_connection_string_or_command(string file)
    {
        foreach (var service in ComposeFile.Get(file).Services.Values)
        {
            var texts = service.Environment.Values.Concat(service.Command).Concat(service.Entrypoint).Concat(service.HealthTest);
            foreach (var text in texts)
                Assert.DoesNotContain("password=", text ?? "", StringComparison.OrdinalIgnoreCase);
        }
    }

    [Theory]
    [InlineData(ComposeFile.DevelopmentName)]
    [InlineData(ComposeFile.ProductionName)]
    public void Every_file_setting_points_at_a_secret_the_service_mounts(string file)
    {
        var compose = ComposeFile.Get(file);
        foreach (var service in compose.Services.Values)
        {
            foreach (var (key, value) in service.Environment.Where(e => e.Key.EndsWith("_FILE", StringComparison.Ordinal)))
            {
                Assert.StartsWith("/run/secrets/", value);
                var secret = value!["/run/secrets/".Length..];
                Assert.True(service.Secrets.Contains(secret), $"{service.Name}: {key} reads secret '{secret}', which it does not mount");
            }
            foreach (var secret in service.Secrets)
                Assert.True(compose.Secrets.ContainsKey(secret), $"{service.Name} mounts undeclared secret '{secret}'");
        }
        var used = compose.Services.Values.SelectMany(s => s.Secrets).ToHashSet();
        Assert.DoesNotContain(compose.Secrets.Keys, s => !used.Contains(s));
    }

    [Fact]
    public void Production_secrets_are_files_in_the_ignored_secrets_folder()
    {
        foreach (var (name, definition) in ComposeFile.Production.Secrets)
        {
            Assert.Equal(["file"], definition.Properties().Select(p => p.Name));
            Assert.Equal($"./secrets/{name}", (string?)definition["file"]);
        }
        Assert.Contains("secrets/", DeploymentPaths.ReadDocker(".gitignore").Split('\n'));
    }

    [Fact]
    public void Development_secrets_are_the_committed_dev_only_files()
    {
        foreach (var (name, definition) in ComposeFile.Development.Secrets)
        {
            Assert.Equal(["file"], definition.Properties().Select(p => p.Name));
            Assert.Equal($"./dev-secrets/{name}", (string?)definition["file"]);
            Assert.True(File.Exists(DeploymentPaths.InDocker($"dev-secrets/{name}")), $"dev-secrets/{name} is missing");
        }
    }

    [Fact]
    public void The_ingress_secret_is_one_file_shared_by_Press_and_Traefik()
    {
        foreach (var compose in new[] { ComposeFile.Development, ComposeFile.Production })
        {
            Assert.Equal("/run/secrets/traefik_ingress_secret", compose["press-manager"].Environment["Press__Ingress__TraefikSecret_FILE"]);
            Assert.Equal("/run/secrets/traefik_ingress_secret", compose["traefik"].Environment["PRESS_INGRESS_SECRET_FILE"]);
        }
    }
}
