using Press.Core.Jobs;
using Press.Core.Ports;
using Press.Core.Runtime;
using Press.Infrastructure.Runtime;
using StackExchange.Redis;

namespace Press.Infrastructure.Redis;

/// <summary>
/// FLUSHDB of a site's cache database on the Redis its runners use (which may differ from Press's own view of it,
/// see <see cref="RuntimeEndpoints"/>). A short-lived admin connection: Press's long-lived one never needs admin.
/// </summary>
public sealed class RedisSiteCache(RuntimeEndpoints endpoints) : ISiteCache
{
    public async Task<string> FlushAsync(int runnerPort, CancellationToken ct)
    {
        var database = RunnerPorts.RedisDatabaseFor(runnerPort);
        var config = new ConfigurationOptions
        {
            EndPoints = { { endpoints.RedisHost, endpoints.RedisPort } },
            AllowAdmin = true,
            AbortOnConnectFail = true,
            ConnectTimeout = 5000,
            ClientName = "press-cache-flush",
        };
        try
        {
            await using var redis = await ConnectionMultiplexer.ConnectAsync(config);
            var server = redis.GetServer(redis.GetEndPoints()[0]);
            var keys = await redis.GetDatabase(database).ExecuteAsync("DBSIZE");
            await server.FlushDatabaseAsync(database);
            return $"flushed Redis database {database} ({keys} key(s))";
        }
        catch (RedisConnectionException ex)
        {
            throw new StepFailedException(FailureKind.Transient, $"cannot reach Redis at {endpoints.RedisHost}:{endpoints.RedisPort} to flush database {database}: {ex.Message}", ex);
        }
        catch (RedisServerException ex)
        {
            throw new StepFailedException(FailureKind.Permanent, $"Redis refused to flush database {database}: {ex.Message}", ex);
        }
    }
}
