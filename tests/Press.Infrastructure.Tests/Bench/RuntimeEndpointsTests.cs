using Press.Infrastructure.Postgres;
using Press.Infrastructure.Redis;
using Press.Infrastructure.Runtime;

namespace Press.Infrastructure.Tests.Bench;

/// <summary>Where runners find Postgres and Redis: Press's own addresses unless overridden. No database needed.</summary>
public sealed class RuntimeEndpointsTests
{
    private static PostgresOptions Postgres(string connectionString) => new() { ConnectionString = connectionString };
    private static RedisOptions Redis(string configuration) => new() { Configuration = configuration };

    [Fact]
    public void Defaults_come_from_Press_own_Postgres_connection_string_and_Redis_configuration()
    {
        var endpoints = RuntimeEndpoints.From(new RuntimeOptions(),
            Postgres("Host=127.0.0.1;Port=48510;Username=press;Database=press"), Redis("127.0.0.1:48511"));

        Assert.Equal(new RuntimeEndpoints("127.0.0.1", 48510, "127.0.0.1", 48511), endpoints);
    }

    [Fact]
    public void Host_names_are_kept_as_names()
    {
        var endpoints = RuntimeEndpoints.From(new RuntimeOptions(),
            Postgres("Host=db.internal;Port=5433;Username=press;Database=press"), Redis("redis.internal:6380,abortConnect=false"));

        Assert.Equal(new RuntimeEndpoints("db.internal", 5433, "redis.internal", 6380), endpoints);
    }

    [Fact]
    public void Missing_ports_default_to_5432_and_6379()
    {
        var endpoints = RuntimeEndpoints.From(new RuntimeOptions(),
            Postgres("Host=db.internal;Username=press;Database=press"), Redis("redis.internal"));

        Assert.Equal(new RuntimeEndpoints("db.internal", 5432, "redis.internal", 6379), endpoints);
    }

    [Fact]
    public void Overrides_win_over_Press_own_addresses()
    {
        var runtime = new RuntimeOptions { DatabaseHost = "172.17.0.1", DatabasePort = 6432, RedisHost = "172.17.0.2", RedisPort = 6390 };

        var endpoints = RuntimeEndpoints.From(runtime,
            Postgres("Host=127.0.0.1;Port=48510;Username=press;Database=press"), Redis("127.0.0.1:48511"));

        Assert.Equal(new RuntimeEndpoints("172.17.0.1", 6432, "172.17.0.2", 6390), endpoints);
    }

    [Fact]
    public void Each_override_applies_on_its_own()
    {
        var postgres = Postgres("Host=127.0.0.1;Port=48510;Username=press;Database=press");
        var redis = Redis("127.0.0.1:48511");

        Assert.Equal(new RuntimeEndpoints("pg", 48510, "127.0.0.1", 48511),
            RuntimeEndpoints.From(new RuntimeOptions { DatabaseHost = "pg" }, postgres, redis));
        Assert.Equal(new RuntimeEndpoints("127.0.0.1", 6432, "127.0.0.1", 48511),
            RuntimeEndpoints.From(new RuntimeOptions { DatabasePort = 6432 }, postgres, redis));
        Assert.Equal(new RuntimeEndpoints("127.0.0.1", 48510, "cache", 48511),
            RuntimeEndpoints.From(new RuntimeOptions { RedisHost = "cache" }, postgres, redis));
        Assert.Equal(new RuntimeEndpoints("127.0.0.1", 48510, "127.0.0.1", 7000),
            RuntimeEndpoints.From(new RuntimeOptions { RedisPort = 7000 }, postgres, redis));
    }

    [Fact]
    public void The_Postgres_password_option_does_not_leak_into_the_endpoints()
    {
        var postgres = Postgres("Host=127.0.0.1;Port=48510;Username=press;Password=hunter2;Database=press");
        postgres.Password = "hunter3";

        var endpoints = RuntimeEndpoints.From(new RuntimeOptions(), postgres, Redis("127.0.0.1:48511"));

        Assert.DoesNotContain("hunter", endpoints.ToString());
    }
}
