namespace Press.Infrastructure.Tests.Deployment;

/// <summary>What holds for both compose files: names, host networking, ports, health checks, dependencies.</summary>
public sealed class ComposeConventionsTests
{
    /// <summary>docs/architecture.md §1's services and container names, plus the one-shot bootstrap.</summary>
    private static readonly Dictionary<string, string> ContainerNames = new()
    {
        ["postgres"] = "fcs-press-postgres",
        ["redis"] = "fcs-press-redis",
        ["minio"] = "fcs-press-minio",
        ["keycloak"] = "fcs-press-keycloak",
        ["traefik"] = "fcs-press-traefik",
        ["press-manager"] = "fcs-press-manager",
        ["press-worker"] = "fcs-press-worker",
        ["press-bootstrap"] = "fcs-press-bootstrap",
        ["prometheus"] = "fcs-press-prometheus",
        ["alertmanager"] = "fcs-press-alertmanager",
    };

    /// <summary>Every port the compose files name (Traefik's entry points are in traefik.yml, see TraefikConfigTests).</summary>
    private static readonly int[] ArchitecturePorts = [48511, 48520, 48521, 48532, 48550, 48551, 48590, 48591, 48595, 48596];

    [Theory]
    [InlineData(ComposeFile.DevelopmentName)]
    [InlineData(ComposeFile.ProductionName)]
    public void Has_exactly_the_platform_services_with_their_container_names(string file)
    {
        var services = ComposeFile.Get(file).Services;
        Assert.Equal(ContainerNames.Keys.Order(), services.Keys.Order());
        foreach (var (name, service) in services)
        {
            Assert.StartsWith("fcs-press-", service.Str("container_name"));
            Assert.Equal(ContainerNames[name], service.Str("container_name"));
        }
    }

    [Theory]
    [InlineData(ComposeFile.DevelopmentName)]
    [InlineData(ComposeFile.ProductionName)]
    public void Every_service_uses_the_host_network_and_publishes_no_ports(string file)
    {
        foreach (var service in ComposeFile.Get(file).Services.Values)
        {
            Assert.True(service.Str("network_mode") == "host", $"{service.Name}: network_mode must be host");
            // Published ports are discarded with host networking; networks cannot be joined.
            Assert.Null(service.Node["ports"]);
            Assert.Null(service.Node["networks"]);
        }
        Assert.Null(ComposeFile.Get(file).Root["networks"]);
    }

    [Theory]
    [InlineData(ComposeFile.DevelopmentName)]
    [InlineData(ComposeFile.ProductionName)]
    public void Every_port_named_is_an_architecture_port_inside_48510_to_49800(string file)
    {
        var ports = ComposeFile.Get(file).Services.Values.SelectMany(ComposeScan.Ports).ToList();

        var outside = ports.Where(p => p.Number is < 48510 or > 49800).ToList();
        Assert.True(outside.Count == 0, "outside 48510–49800: " + string.Join(", ", outside));
        Assert.Equal(ArchitecturePorts, ports.Select(p => p.Number).Distinct().Order());
    }

    [Fact]
    public void The_port_scan_finds_ports_in_every_form_the_files_use()
    {
        Assert.Equal([48532], ComposeScan.InText("postgres -c listen_addresses=127.0.0.1 -c port=48532"));
        Assert.Equal([48532], ComposeScan.InText("pg_isready --host=127.0.0.1 --port=48532"));
        Assert.Equal([48511], ComposeScan.InText("redis-cli -h 127.0.0.1 -p 48511 ping"));
        Assert.Equal([48596], ComposeScan.InText("exec 3<>/dev/tcp/127.0.0.1/48596 && printf 'Host: 127.0.0.1'"));
        Assert.Equal([48532], ComposeScan.InText("Host=127.0.0.1;Port=48532;Username=press"));
        Assert.Equal([48532], ComposeScan.InText("jdbc:postgresql://127.0.0.1:48532/keycloak"));
        Assert.Equal([80], ComposeScan.InText("server /data --address :80"));
        Assert.Empty(ComposeScan.InText("redis-server --databases 1101 --save ''"));
    }

    [Theory]
    [InlineData(ComposeFile.DevelopmentName)]
    [InlineData(ComposeFile.ProductionName)]
    public void Every_long_running_service_has_a_health_check_and_only_bootstrap_runs_once(string file)
    {
        foreach (var service in ComposeFile.Get(file).Services.Values)
        {
            if (service.Name == "press-bootstrap")
            {
                Assert.Equal("no", service.Str("restart"));
                Assert.True(service.HealthcheckDisabled, "press-bootstrap exits: its image's HEALTHCHECK must be off");
                continue;
            }
            Assert.True(service.HasHealthcheck, $"{service.Name} has no health check");
            Assert.NotEqual("no", service.Str("restart"));
        }
    }

    [Theory]
    [InlineData(ComposeFile.DevelopmentName)]
    [InlineData(ComposeFile.ProductionName)]
    public void Every_dependency_waits_for_health_or_for_bootstrap_to_succeed(string file)
    {
        var compose = ComposeFile.Get(file);
        foreach (var service in compose.Services.Values)
            foreach (var (dependency, condition) in service.DependsOn)
            {
                var expected = dependency == "press-bootstrap" ? "service_completed_successfully" : "service_healthy";
                Assert.True(condition == expected, $"{service.Name} → {dependency}: condition {condition ?? "(none)"}, expected {expected}");
                Assert.True(expected != "service_healthy" || compose[dependency].HasHealthcheck,
                    $"{service.Name} waits for {dependency} to be healthy, which has no health check");
            }
        foreach (var app in new[] { "press-manager", "press-worker" })
        {
            Assert.Equal("service_completed_successfully", compose[app].DependsOn["press-bootstrap"]);
            Assert.Equal("service_healthy", compose[app].DependsOn["postgres"]);
            Assert.Equal("service_healthy", compose[app].DependsOn["redis"]);
        }
        Assert.Equal("service_healthy", compose["press-bootstrap"].DependsOn["postgres"]);
    }

    [Theory]
    [InlineData(ComposeFile.DevelopmentName)]
    [InlineData(ComposeFile.ProductionName)]
    public void Every_image_is_pinned_to_a_tag(string file)
    {
        foreach (var service in ComposeFile.Get(file).Services.Values)
        {
            var image = service.Str("image");
            Assert.False(string.IsNullOrEmpty(image), $"{service.Name} has no image");
            var tag = image![(image.LastIndexOf('/') + 1)..].Split(':', 2);
            Assert.True(tag.Length == 2 && tag[1] != "latest", $"{service.Name}: image {image} has no pinned tag");
        }
    }

    [Theory]
    [InlineData(ComposeFile.DevelopmentName)]
    [InlineData(ComposeFile.ProductionName)]
    public void Every_service_rotates_its_logs(string file)
    {
        foreach (var service in ComposeFile.Get(file).Services.Values)
        {
            var logging = service.Node["logging"];
            Assert.True((string?)logging?["driver"] == "json-file", $"{service.Name}: logging driver must be json-file");
            Assert.Equal("20m", (string?)logging?["options"]?["max-size"]);
            Assert.Equal("5", (string?)logging?["options"]?["max-file"]);
        }
    }
}
