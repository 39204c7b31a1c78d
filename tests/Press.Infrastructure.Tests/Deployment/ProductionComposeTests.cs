namespace Press.Infrastructure.Tests.Deployment;

/// <summary>What only the production file must have: restarts, limits, log rotation, named data volumes.</summary>
public sealed class ProductionComposeTests
{
    private static ComposeFile Production => ComposeFile.Production;

    private static IEnumerable<ComposeService> LongRunning =>
        Production.Services.Values.Where(s => s.Name != "press-bootstrap");

    [Fact]
    public void Every_long_running_service_restarts_unless_stopped()
    {
        foreach (var service in LongRunning)
            Assert.True(service.Str("restart") == "unless-stopped", $"{service.Name}: restart is {service.Str("restart") ?? "(unset)"}");
    }

    [Fact]
    public void Every_service_has_cpu_and_memory_limits()
    {
        foreach (var service in Production.Services.Values)
        {
            var limits = service.Node["deploy"]?["resources"]?["limits"];
            Assert.True(limits?["cpus"] is not null && limits["memory"] is not null, $"{service.Name} has no cpu/memory limits");
            Assert.True(double.Parse((string)limits!["cpus"]!, System.Globalization.CultureInfo.InvariantCulture) > 0);
            Assert.Matches(@"^\d+[mg]$", (string)limits["memory"]!);
        }
    }

    [Theory]
    [InlineData("postgres", "postgres-data:/var/lib/postgresql/data")]
    [InlineData("redis", "redis-data:/data")]
    [InlineData("minio", "minio-data:/data")]
    [InlineData("traefik", "traefik-acme:/var/lib/traefik")]
    public void Data_lives_in_named_volumes(string service, string mount)
    {
        Assert.Contains(mount, Production[service].Volumes);
        var volume = mount.Split(':')[0];
        Assert.Equal($"fcs-press-{volume}", (string?)Production.Volumes[volume]["name"]);
    }

    [Fact]
    public void Development_and_production_volumes_never_share_a_name()
    {
        var dev = ComposeFile.Development.Volumes.Values.Select(v => (string?)v["name"]).ToHashSet();
        Assert.All(Production.Volumes.Values, v => Assert.DoesNotContain((string?)v["name"], dev));
        Assert.All(dev, name => Assert.StartsWith("fcs-press-dev-", name));
    }

    [Fact]
    public void The_public_urls_must_be_given_not_defaulted()
    {
        var keycloak = Production["keycloak"].Environment;
        Assert.StartsWith("${PRESS_SSO_URL:?", keycloak["KC_HOSTNAME"]);
        Assert.StartsWith("${PRESS_PUBLIC_URL:?", keycloak["PRESS_PUBLIC_URL"]);
        Assert.StartsWith("${PRESS_DOCKER_GID:?", (string?)Production["press-worker"].Node["group_add"]![0]);
    }
}
