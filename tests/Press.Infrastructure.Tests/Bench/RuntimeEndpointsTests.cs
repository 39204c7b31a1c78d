using Press.Infrastructure.Postgres;
using Press.Infrastructure.Runtime;

namespace Press.Infrastructure.Tests.Bench;

/// <summary>Where runners find Postgres: Press's own address unless overridden (never Press's Redis). No database needed.</summary>
public sealed class RuntimeEndpointsTests
{
    private static PostgresOptions Postgres(string connectionString) => new() { ConnectionString = connectionString };

    [Fact]
    public void Defaults_come_from_Press_own_Postgres_connection_string()
    {
        Assert.Equal(new RuntimeEndpoints("127.0.0.1", 48510),
            RuntimeEndpoints.From(new RuntimeOptions(), Postgres("Host=127.0.0.1;Port=48510;Username=press;Database=press")));
        Assert.Equal(new RuntimeEndpoints("db.internal", 5433),
            RuntimeEndpoints.From(new RuntimeOptions(), Postgres("Host=db.internal;Port=5433;Username=press;Database=press")));
        Assert.Equal(new RuntimeEndpoints("db.internal", 5432),
            RuntimeEndpoints.From(new RuntimeOptions(), Postgres("Host=db.internal;Username=press;Database=press")));
    }

    [Fact]
    public void Each_override_applies_on_its_own()
    {
        var postgres = Postgres("Host=127.0.0.1;Port=48510;Username=press;Database=press");

        Assert.Equal(new RuntimeEndpoints("172.17.0.1", 6432),
            RuntimeEndpoints.From(new RuntimeOptions { DatabaseHost = "172.17.0.1", DatabasePort = 6432 }, postgres));
        Assert.Equal(new RuntimeEndpoints("pg", 48510), RuntimeEndpoints.From(new RuntimeOptions { DatabaseHost = "pg" }, postgres));
        Assert.Equal(new RuntimeEndpoints("127.0.0.1", 6432), RuntimeEndpoints.From(new RuntimeOptions { DatabasePort = 6432 }, postgres));
    }

    [Fact]
    public void The_Postgres_password_option_does_not_leak_into_the_endpoints()
    {
        var postgres = Postgres("Host=127.0.0.1;Port=48510;Username=press;Password=hunter2;Database=press");
        postgres.Password = "hunter3";

        Assert.DoesNotContain("hunter", RuntimeEndpoints.From(new RuntimeOptions(), postgres).ToString());
    }

    [Theory]
    [InlineData("traefik", true, "http://127.0.0.1:48580", "https://erp.example.com")]
    [InlineData("traefik", false, "http://127.0.0.1:48580", "http://erp.example.com")]
    [InlineData("embedded", true, "http://127.0.0.1:48580", "http://erp.example.com:48580")]
    [InlineData("embedded", true, "http://127.0.0.1", "http://erp.example.com")]
    public void Host_name_is_the_URL_Press_serves_the_site_at(string mode, bool tls, string proxyUrl, string expected)
    {
        var ingress = new Press.Infrastructure.Ingress.IngressOptions { Mode = mode, Tls = tls, ProxyUrl = proxyUrl };

        var endpoints = RuntimeEndpoints.From(new RuntimeOptions(), Postgres("Host=127.0.0.1;Port=48510;Username=press;Database=press"), ingress);

        Assert.Equal(expected, endpoints.SiteUrl("erp.example.com"));
    }
}
