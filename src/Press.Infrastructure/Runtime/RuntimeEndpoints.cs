using Npgsql;
using Press.Infrastructure.Postgres;

namespace Press.Infrastructure.Runtime;

/// <summary>
/// Where a site's runner finds Postgres. By default the address Press uses (runners share the host's network);
/// <c>Press:Runtime:DatabaseHost</c> and <c>…:DatabasePort</c> override it when runners see another network. Runners
/// never reach Press's own Redis: each site has its own (see Docker's <c>RedisContainer</c>, the process driver's
/// <c>SiteRedisProcess</c>).
/// </summary>
public sealed record RuntimeEndpoints(string DatabaseHost, int DatabasePort)
{
    public static RuntimeEndpoints From(RuntimeOptions runtime, PostgresOptions postgres)
    {
        var pg = new NpgsqlConnectionStringBuilder(postgres.ConnectionString);
        return new RuntimeEndpoints(runtime.DatabaseHost ?? pg.Host ?? "127.0.0.1", runtime.DatabasePort ?? pg.Port);
    }
}
