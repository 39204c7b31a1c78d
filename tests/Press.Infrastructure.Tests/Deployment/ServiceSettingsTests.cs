namespace Press.Infrastructure.Tests.Deployment;

/// <summary>Exact values where a value matters: the settings that bind each service to 127.0.0.1 and its port.</summary>
public sealed class ServiceSettingsTests
{
    [Fact]
    public void Press_Redis_requires_the_password_from_its_secret_never_on_a_command_line_and_persists_only_in_production()
    {
        // Each site has a Redis of its own; Press's serves Press alone, and runners share the host's network.
        // ($$ is compose's escape for a literal $; the shell then reads the secret.)
        const string config = "umask 077 && printf 'requirepass %s\\n' \"$$(cat /run/secrets/redis_password)\" > /tmp/press-redis.conf && exec redis-server /tmp/press-redis.conf --bind 127.0.0.1 --port 48511";
        Assert.Equal(["sh", "-c", config + " --save '' --appendonly no"], ComposeFile.Development["redis"].Command);
        Assert.Equal(["sh", "-c", config + " --appendonly yes --appendfsync everysec"], ComposeFile.Production["redis"].Command);
        foreach (var compose in new[] { ComposeFile.Development, ComposeFile.Production })
        {
            Assert.Equal(["redis_password"], compose["redis"].Secrets);
            foreach (var app in new[] { compose["press-manager"], compose["press-worker"] })
            {
                Assert.Equal("/run/secrets/redis_password", app.Environment["Press__Redis__Password_FILE"]);
                Assert.Contains("redis_password", app.Secrets);
            }
        }
    }

    [Theory]
    [InlineData(ComposeFile.DevelopmentName)]
    [InlineData(ComposeFile.ProductionName)]
    public void Postgres_16_listens_on_loopback_48532_with_its_password_from_a_file(string file)
    {
        var postgres = ComposeFile.Get(file)["postgres"];
        Assert.Equal("postgres:16", postgres.Str("image"));
        Assert.Equal(["postgres", "-c", "listen_addresses=127.0.0.1", "-c", "port=48532"], postgres.Command.Take(5));
        Assert.Equal("48532", postgres.Environment["PGPORT"]);
        Assert.Equal("/run/secrets/postgres_password", postgres.Environment["POSTGRES_PASSWORD_FILE"]);
        Assert.Equal(["pg_isready", "--host=127.0.0.1", "--port=48532", "--username=postgres"], postgres.HealthTest);
    }

    [Theory]
    [InlineData(ComposeFile.DevelopmentName, "10")]
    [InlineData(ComposeFile.ProductionName, "20")]
    public void Postgres_keeps_connection_slots_for_Press(string file, string slots)
    {
        // Only roles with pg_use_reserved_connections (Press, granted by bootstrap) may take them: sites that together
        // fill every other slot cannot lock Press out.
        var command = ComposeFile.Get(file)["postgres"].Command.ToList();
        Assert.Contains("reserved_connections=" + slots, command);
        Assert.Equal("-c", command[command.IndexOf("reserved_connections=" + slots) - 1]);
    }

    [Theory]
    [InlineData(ComposeFile.DevelopmentName, "start-dev")]
    [InlineData(ComposeFile.ProductionName, "start")]
    public void Keycloak_serves_on_48595_with_health_on_48596_behind_the_proxy(string file, string mode)
    {
        var keycloak = ComposeFile.Get(file)["keycloak"];
        var env = keycloak.Environment;
        Assert.Equal("127.0.0.1", env["KC_HTTP_HOST"]);
        Assert.Equal("48595", env["KC_HTTP_PORT"]);
        Assert.Equal("48596", env["KC_HTTP_MANAGEMENT_PORT"]);
        Assert.Equal("true", env["KC_HEALTH_ENABLED"]);
        Assert.Equal("xforwarded", env["KC_PROXY_HEADERS"]);
        Assert.Equal([mode, "--import-realm"], keycloak.Command);
        Assert.Equal(["/bin/bash", "/opt/press/kc-entrypoint.sh"], keycloak.Entrypoint);
        Assert.Contains("./keycloak/press-realm.json:/opt/keycloak/data/import/press-realm.json:ro", keycloak.Volumes);
        Assert.Contains("./keycloak/kc-entrypoint.sh:/opt/press/kc-entrypoint.sh:ro", keycloak.Volumes);
        Assert.Contains("/dev/tcp/127.0.0.1/48596", keycloak.HealthTest[^1]);
        Assert.Contains("GET /health/ready ", keycloak.HealthTest[^1]);
    }

    [Fact]
    public void Session_cookies_are_secure_in_production_and_plain_only_on_the_development_stack_served_over_http()
    {
        // Production: Traefik with TLS, so Secure __Host- cookies (the default; never turned off).
        var production = ComposeFile.Production["press-manager"].Environment;
        Assert.Equal("traefik", production["Press__Ingress__Mode"]);
        Assert.False(production.ContainsKey("Press__Ingress__Tls"));
        Assert.False(production.ContainsKey("Press__Sessions__SecureCookies"));
        Assert.Equal("false", ComposeFile.Development["press-manager"].Environment["Press__Sessions__SecureCookies"]);
        Assert.StartsWith("http://127.0.0.1:", ComposeFile.Development["keycloak"].Environment["PRESS_PUBLIC_URL"]);
    }

    [Fact]
    public void Production_keycloak_keeps_its_data_in_postgres()
    {
        var env = ComposeFile.Production["keycloak"].Environment;
        Assert.Equal("postgres", env["KC_DB"]);
        Assert.Equal("jdbc:postgresql://127.0.0.1:48532/keycloak", env["KC_DB_URL"]);
        Assert.Equal("keycloak", env["KC_DB_USERNAME"]);
        Assert.Equal("/run/secrets/keycloak_db_password", env["KC_DB_PASSWORD_FILE"]);
        Assert.Equal("/run/secrets/keycloak_db_password", ComposeFile.Production["postgres"].Environment["KEYCLOAK_DB_PASSWORD_FILE"]);
        Assert.Contains("./postgres/initdb:/docker-entrypoint-initdb.d:ro", ComposeFile.Production["postgres"].Volumes);
        Assert.Contains("CREATE DATABASE keycloak OWNER keycloak", DeploymentPaths.ReadDocker("postgres/initdb/10-keycloak.sh"));
    }

    [Theory]
    [InlineData(ComposeFile.DevelopmentName)]
    [InlineData(ComposeFile.ProductionName)]
    public void The_s3_store_serves_its_api_on_48590_and_console_on_48591(string file)
    {
        var minio = ComposeFile.Get(file)["minio"];
        Assert.StartsWith("minio/minio:RELEASE.", minio.Str("image"));
        Assert.Equal(["server", "/data", "--address", "127.0.0.1:48590", "--console-address", "127.0.0.1:48591"], minio.Command);
        Assert.Equal("/run/secrets/minio_root_user", minio.Environment["MINIO_ROOT_USER_FILE"]);
        Assert.Equal("/run/secrets/minio_root_password", minio.Environment["MINIO_ROOT_PASSWORD_FILE"]);
        Assert.Contains("/dev/tcp/127.0.0.1/48590", minio.HealthTest[^1]);
    }

    [Theory]
    [InlineData(ComposeFile.DevelopmentName)]
    [InlineData(ComposeFile.ProductionName)]
    public void Bootstrap_runs_the_manager_image_once_with_the_superuser_connection(string file)
    {
        var compose = ComposeFile.Get(file);
        var bootstrap = compose["press-bootstrap"];
        Assert.Equal(compose["press-manager"].Str("image"), bootstrap.Str("image"));
        Assert.Equal(compose["press-manager"].Node["build"]!.ToString(), bootstrap.Node["build"]!.ToString());
        Assert.Equal(["bootstrap"], bootstrap.Command);
        Assert.Equal("/run/secrets/postgres_superuser_connection", bootstrap.Environment["Press__Bootstrap__SuperuserConnectionString_FILE"]);
        Assert.Equal(compose["press-manager"].Environment["Press__Postgres__ConnectionString"], bootstrap.Environment["Press__Postgres__ConnectionString"]);
    }

    [Theory]
    [InlineData(ComposeFile.DevelopmentName)]
    [InlineData(ComposeFile.ProductionName)]
    public void Manager_and_worker_bind_loopback_on_their_ports_and_share_the_press_settings(string file)
    {
        var compose = ComposeFile.Get(file);
        var manager = compose["press-manager"];
        var worker = compose["press-worker"];
        Assert.StartsWith("fcs-press/press-manager:", manager.Str("image"));
        Assert.StartsWith("fcs-press/press-worker:", worker.Str("image"));
        Assert.Equal("http://127.0.0.1:48550", manager.Environment["ASPNETCORE_URLS"]);
        Assert.Equal("http://127.0.0.1:48551", worker.Environment["ASPNETCORE_URLS"]);
        Assert.Equal(["curl", "-fsS", "-o", "/dev/null", "http://127.0.0.1:48550/healthz"], manager.HealthTest);
        Assert.Equal(["curl", "-fsS", "-o", "/dev/null", "http://127.0.0.1:48551/healthz"], worker.HealthTest);
        foreach (var env in new[] { manager.Environment, worker.Environment })
        {
            Assert.Equal("Host=127.0.0.1;Port=48532;Username=press;Database=press", env["Press__Postgres__ConnectionString"]);
            Assert.Equal("/run/secrets/press_postgres_password", env["Press__Postgres__Password_FILE"]);
            Assert.Equal("127.0.0.1:48511", env["Press__Redis__Configuration"]);
            Assert.Equal("/run/secrets/press_secrets_key", env["Press__Secrets__Key_FILE"]);
        }
        Assert.Equal("/run/secrets/press_admin_password", manager.Environment["Press__Admin__Password_FILE"]);
    }

    [Theory]
    [InlineData(ComposeFile.DevelopmentName)]
    [InlineData(ComposeFile.ProductionName)]
    public void Manager_and_worker_drive_docker_through_the_mounted_socket_with_the_bench_image(string file)
    {
        foreach (var name in new[] { "press-manager", "press-worker" })
        {
            var service = ComposeFile.Get(file)[name];
            Assert.Equal("docker", service.Environment["Press__Runtime__Driver"]);
            Assert.Equal("${PRESS_RUNNER_IMAGE:-fcs-press/bench:v16}", service.Environment["Press__Runtime__Docker__Image"]);
            Assert.Contains(service.Volumes, v => v.EndsWith(":/var/run/docker.sock", StringComparison.Ordinal));
            Assert.Single((Newtonsoft.Json.Linq.JArray)service.Node["group_add"]!);
        }
        // The tag the bench Dockerfile documents building.
        Assert.Contains("-t fcs-press/bench:v16", DeploymentPaths.ReadDocker("press/bench/Dockerfile"));
    }

    [Theory]
    [InlineData(ComposeFile.DevelopmentName)]
    [InlineData(ComposeFile.ProductionName)]
    public void Traefik_starts_through_the_script_that_fills_in_the_ingress_secret(string file)
    {
        var traefik = ComposeFile.Get(file)["traefik"];
        Assert.StartsWith("traefik:v3.", traefik.Str("image"));
        Assert.Equal(["/bin/sh", "/etc/traefik/press-entrypoint.sh"], traefik.Entrypoint);
        Assert.Contains("./traefik/traefik.yml:/etc/traefik/traefik.yml:ro", traefik.Volumes);
        Assert.Contains("./traefik/entrypoint.sh:/etc/traefik/press-entrypoint.sh:ro", traefik.Volumes);
        Assert.Contains("./traefik/dynamic:/etc/traefik/dynamic:ro", traefik.Volumes);
        Assert.Contains("./traefik/certs:/etc/traefik/certs:ro", traefik.Volumes);
        // The rendered copy (with the secret) lives on a tmpfs, and the health check reads that copy.
        Assert.Equal(["/run/traefik"], traefik.Node["tmpfs"]!.Select(t => (string)t!));
        Assert.Contains("rendered=/run/traefik/traefik.yml", DeploymentPaths.ReadDocker("traefik/entrypoint.sh"));
        Assert.Equal(["traefik", "healthcheck", "--configFile=/run/traefik/traefik.yml"], traefik.HealthTest);
    }

    [Theory]
    [InlineData(ComposeFile.DevelopmentName, "./press/press-manager/publish", "press-manager")]
    [InlineData(ComposeFile.DevelopmentName, "./press/press-worker/publish", "press-worker")]
    [InlineData(ComposeFile.ProductionName, "./press/press-manager/publish", "press-manager")]
    [InlineData(ComposeFile.ProductionName, "./press/press-worker/publish", "press-worker")]
    public void Press_images_build_from_the_published_output_on_the_host_network(string file, string context, string service)
    {
        var build = ComposeFile.Get(file)[service].Node["build"]!;
        Assert.Equal(context, (string?)build["context"]);
        Assert.Equal("../Dockerfile", (string?)build["dockerfile"]);
        Assert.Equal("host", (string?)build["network"]);
        Assert.True(File.Exists(DeploymentPaths.InDocker(Path.Combine(context, "../Dockerfile"))));
        Assert.Contains("press/*/publish/", DeploymentPaths.ReadDocker(".gitignore").Split('\n'));
    }
}
