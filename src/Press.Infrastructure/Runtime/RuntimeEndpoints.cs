using Npgsql;
using Press.Infrastructure.Postgres;
using Press.Infrastructure.Redis;

namespace Press.Infrastructure.Runtime;

/// <summary>
/// Where a site's runner finds Postgres and Redis. By default the same addresses Press uses (runners share the
/// host's network); <c>Press:Runtime:DatabaseHost</c> etc. override them when runners see another network.
/// </summary>
public sealed record RuntimeEndpoints(string DatabaseHost, int DatabasePort, string RedisHost, int RedisPort)
{
    public static RuntimeEndpoints From(RuntimeOptions runtime, PostgresOptions postgres, RedisOptions redis)
    {
        var pg = new NpgsqlConnectionStringBuilder(postgres.ConnectionString);
        var redisEndpoint = StackExchange.Redis.ConfigurationOptions.Parse(redis.Configuration).EndPoints.FirstOrDefault();
        var (redisHost, redisPort) = redisEndpoint switch
        {
            System.Net.DnsEndPoint d => (d.Host, d.Port),
            System.Net.IPEndPoint ip => (ip.Address.ToString(), ip.Port),
            _ => ("127.0.0.1", 6379),
        };
        return new RuntimeEndpoints(
            runtime.DatabaseHost ?? pg.Host ?? "127.0.0.1", runtime.DatabasePort ?? pg.Port,
            runtime.RedisHost ?? redisHost, runtime.RedisPort ?? (redisPort == 0 ? 6379 : redisPort));
    }
}
