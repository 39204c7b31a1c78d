using Press.Core.Doctor;
using Press.Infrastructure.Redis;
using StackExchange.Redis;

namespace Press.Infrastructure.Doctor;

/// <summary>
/// Its own short-lived connection with admin commands allowed (CONFIG GET is one): the shared connection reconnects in
/// the background and would report a stopped Redis only as "not connected yet".
/// </summary>
public sealed class RedisProbe(RedisOptions options) : IDoctorProbe
{
    public string Name => DoctorChecks.Redis;

    public async Task<DoctorCheck> RunAsync(CancellationToken ct)
    {
        var config = ConfigurationOptions.Parse(options.Configuration);
        config.Password = options.Password;
        config.AllowAdmin = true;
        config.AbortOnConnectFail = true;
        config.ConnectTimeout = 2000;
        config.ConnectRetry = 1;
        var endpoint = string.Join(",", config.EndPoints.Select(e => e.ToString()));
        var database = config.DefaultDatabase ?? 0;
        IConnectionMultiplexer redis;
        try
        {
            redis = await ConnectionMultiplexer.ConnectAsync(config);
        }
        catch (RedisConnectionException ex)
        {
            return DoctorRules.Redis(endpoint, FirstLine(ex.Message), null, database);
        }
        await using (redis)
        {
            try
            {
                await redis.GetDatabase(database).PingAsync();
            }
            catch (RedisException ex)
            {
                return DoctorRules.Redis(endpoint, FirstLine(ex.Message), null, database);
            }
            int? databases = null;
            try
            {
                var server = redis.GetServer(config.EndPoints[0]);
                var pair = (await server.ConfigGetAsync("databases")).FirstOrDefault();
                if (int.TryParse(pair.Value, out var n)) databases = n;
            }
            catch (RedisServerException)
            {
                // CONFIG renamed or refused (managed Redis): the PING above already proved the database index works.
            }
            return DoctorRules.Redis(endpoint, null, databases, database);
        }
    }

    private static string FirstLine(string message) => message.Split('\n')[0].Trim();
}
