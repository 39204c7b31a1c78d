using Newtonsoft.Json.Linq;

namespace Press.Infrastructure.Tests.Deployment;

/// <summary>docker/traefik: the static configuration and the development TLS file, against Traefik's published schemas.</summary>
public sealed class TraefikConfigTests
{
    private static readonly Lazy<JObject> Static = new(() => (JObject)YamlJson.Load(DeploymentPaths.InDocker("traefik/traefik.yml")));
    private static readonly Lazy<JObject> DevTls = new(() => (JObject)YamlJson.Load(DeploymentPaths.InDocker("traefik/dynamic/dev-tls.yml")));

    [Fact]
    public void The_static_configuration_validates_against_traefik_v3() =>
        JsonSchemas.AssertValid(JsonSchemas.TraefikStatic, Static.Value, "docker/traefik/traefik.yml");

    [Fact]
    public void The_development_tls_file_validates_against_the_file_provider_schema() =>
        JsonSchemas.AssertValid(JsonSchemas.TraefikFileProvider, DevTls.Value, "docker/traefik/dynamic/dev-tls.yml");

    [Fact]
    public void Keycloaks_route_validates_and_exposes_only_realms_and_resources_on_the_sso_host()
    {
        var keycloak = (JObject)YamlJson.Load(DeploymentPaths.InDocker("traefik/dynamic/keycloak.yml"));
        JsonSchemas.AssertValid(JsonSchemas.TraefikFileProvider, keycloak, "docker/traefik/dynamic/keycloak.yml");
        var router = keycloak["http"]!["routers"]!["keycloak"]!;
        Assert.Equal("Host(`{{ env \"PRESS_SSO_HOST\" | default \"sso.localhost\" }}`) && (PathPrefix(`/realms/`) || PathPrefix(`/resources/`))",
            (string?)router["rule"]);
        Assert.Equal(["websecure"], router["entryPoints"]!.Select(e => (string)e!));
        Assert.Equal("letsencrypt", (string?)router["tls"]!["certResolver"]);
        Assert.Equal("http://127.0.0.1:48595", (string?)keycloak["http"]!["services"]!["keycloak"]!["loadBalancer"]!["servers"]![0]!["url"]);
        // The production stack gives Traefik the host name; it must be set, not defaulted.
        Assert.StartsWith("${PRESS_SSO_HOST:?", ComposeFile.Production["traefik"].Environment["PRESS_SSO_HOST"]);
    }

    [Fact]
    public void The_static_schema_check_catches_a_misspelt_option()
    {
        var broken = (JObject)Static.Value.DeepClone();
        broken["entryPoints"]!["web"]!["adress"] = ":80";
        Assert.Contains(JsonSchemas.Errors(JsonSchemas.TraefikStatic, broken), e => e.Contains("adress"));
    }

    [Fact]
    public void The_ingress_entry_points_are_exactly_48580_and_48543()
    {
        var entryPoints = ((JObject)Static.Value["entryPoints"]!).Properties()
            .ToDictionary(p => p.Name, p => (string?)p.Value["address"]);
        var ingress = entryPoints.Where(e => !e.Value!.StartsWith("127.0.0.1:", StringComparison.Ordinal)).ToDictionary();
        Assert.Equal(new Dictionary<string, string?> { ["web"] = ":48580", ["websecure"] = ":48543" }, ingress);
        // The only other one: ping and metrics, on loopback, inside Press's port range (not Traefik's default :8080).
        Assert.Equal(new Dictionary<string, string?> { ["traefik"] = "127.0.0.1:48582" }, entryPoints.Except(ingress).ToDictionary());
    }

    [Fact]
    public void Ping_and_prometheus_metrics_are_on_the_loopback_entry_point_and_the_dashboard_is_off()
    {
        Assert.Equal("traefik", (string?)Static.Value["ping"]!["entryPoint"]);
        Assert.Equal("traefik", (string?)Static.Value["metrics"]!["prometheus"]!["entryPoint"]);
        Assert.Null(Static.Value["api"]);
    }

    [Fact]
    public void Routes_come_from_Press_with_the_shared_secret_header()
    {
        var http = Static.Value["providers"]!["http"]!;
        Assert.Equal("http://127.0.0.1:48550/api/ingress/traefik", (string?)http["endpoint"]);
        var headers = ((JObject)http["headers"]!).Properties().ToDictionary(p => p.Name, p => (string?)p.Value);
        Assert.Equal(new Dictionary<string, string?> { ["X-Press-Ingress-Secret"] = "__PRESS_INGRESS_SECRET__" }, headers);
        // entrypoint.sh replaces exactly that placeholder with the secret file's content.
        Assert.Contains("placeholder=__PRESS_INGRESS_SECRET__", DeploymentPaths.ReadDocker("traefik/entrypoint.sh"));
    }

    [Fact]
    public void Acme_uses_the_dns_challenge_only_and_stores_in_the_volume()
    {
        var acme = Static.Value["certificatesResolvers"]!["letsencrypt"]!["acme"]!;
        Assert.False(string.IsNullOrEmpty((string?)acme["dnsChallenge"]!["provider"]));
        Assert.Null(acme["httpChallenge"]);
        Assert.Null(acme["tlsChallenge"]);
        Assert.Equal("/var/lib/traefik/acme.json", (string?)acme["storage"]);
        Assert.Contains("traefik-acme:/var/lib/traefik", ComposeFile.Production["traefik"].Volumes);
    }

    [Fact]
    public void The_file_provider_reads_the_mounted_dynamic_folder_and_serves_the_dev_certificate_by_default()
    {
        Assert.Equal("/etc/traefik/dynamic", (string?)Static.Value["providers"]!["file"]!["directory"]);
        var tls = DevTls.Value["tls"]!;
        var certificate = tls["certificates"]![0]!;
        Assert.Equal("/etc/traefik/certs/dev.crt", (string?)certificate["certFile"]);
        Assert.Equal("/etc/traefik/certs/dev.key", (string?)certificate["keyFile"]);
        Assert.Equal(certificate.ToString(), tls["stores"]!["default"]!["defaultCertificate"]!.ToString());
        Assert.Contains("traefik/certs/", DeploymentPaths.ReadDocker(".gitignore").Split('\n'));
    }
}
