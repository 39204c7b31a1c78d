using System.Net;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Press.FrappeDouble.Cli;
using Press.FrappeDouble.Site;
using StackExchange.Redis;

namespace Press.FrappeDouble.Serve;

/// <summary>
/// A stand-in for Frappe's socket.io service, <c>node apps/frappe/socketio.js</c> (frappe/realtime/index.js,
/// frappe/node_utils.js). Configuration as Frappe's: common_site_config.json, then FRAPPE_REDIS_QUEUE,
/// FRAPPE_SOCKETIO_PORT and FRAPPE_SOCKETIO_UDS from the environment; it listens on the unix socket when one is given,
/// else on the port (default 9000, loopback only here where Frappe binds every interface). It first subscribes to
/// Frappe's <c>events</c> channel on redis_queue — a <c>unix://</c> URL is taken as a path with the scheme stripped,
/// as get_redis_subscriber does (so a <c>?db=</c> in it breaks the path, as in Frappe) — and exits 1 when that
/// Redis cannot be reached (an unhandled rejection ends node). It answers only Engine.IO's first request,
/// <c>GET /socket.io/?EIO=4&amp;transport=polling</c>, with the open packet; anything else gets Engine.IO's
/// "Transport unknown" (400). No events are delivered: the stand-in proves where socket.io runs and how it is reached.
/// </summary>
public static class SocketIoCommand
{
    public static bool Matches(IReadOnlyList<string> args) => args.Count > 0 && args[0].EndsWith("socketio.js", StringComparison.Ordinal);

    public static async Task<int> RunAsync(BenchFolder bench, IReadOnlyList<string> args)
    {
        if (args.Count > 1) throw BenchException.Usage($"socketio.js takes no arguments, got {args[1]}");
        var redisUrl = Environment.GetEnvironmentVariable("FRAPPE_REDIS_QUEUE") is { Length: > 0 } env ? env : CommonConfig.String(bench, "redis_queue")
            ?? throw new BenchException("socket.io: no redis_queue (common_site_config.json or FRAPPE_REDIS_QUEUE)");
        var uds = Environment.GetEnvironmentVariable("FRAPPE_SOCKETIO_UDS") is { Length: > 0 } u ? u : CommonConfig.String(bench, "socketio_uds");
        var portText = Environment.GetEnvironmentVariable("FRAPPE_SOCKETIO_PORT") ?? CommonConfig.String(bench, "socketio_port") ?? "9000";

        await using var redis = await SubscribeAsync(redisUrl);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ContentRootPath = bench.Path });
        builder.WebHost.ConfigureKestrel(k =>
        {
            if (uds is not null)
            {
                File.Delete(uds); // a socket left by an earlier run (node's listen would fail with EADDRINUSE; Frappe's unit files remove it)
                k.ListenUnixSocket(uds);
            }
            else k.Listen(IPAddress.Loopback, int.Parse(portText, System.Globalization.CultureInfo.InvariantCulture));
        });
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.Run(HandleAsync);
        await app.StartAsync();
        Console.Out.WriteLine($"Realtime service listening on: {uds ?? portText}");
        await app.WaitForShutdownAsync();
        return 0;
    }

    private static async Task<ConnectionMultiplexer> SubscribeAsync(string url)
    {
        var options = url.StartsWith("unix://", StringComparison.Ordinal)
            ? new ConfigurationOptions { EndPoints = { new System.Net.Sockets.UnixDomainSocketEndPoint(url["unix://".Length..]) }, AbortOnConnectFail = true }
            : SiteCache.Parse(url);
        try
        {
            var redis = await ConnectionMultiplexer.ConnectAsync(options);
            await redis.GetSubscriber().SubscribeAsync(RedisChannel.Literal("events"), (_, message) => Console.Out.WriteLine($"event: {message}"));
            return redis;
        }
        catch (Exception e) when (e is RedisException or System.Net.Sockets.SocketException)
        {
            throw new BenchException($"socket.io: cannot subscribe on redis_queue {url}: {e.Message}");
        }
    }

    private static async Task HandleAsync(HttpContext ctx)
    {
        var q = ctx.Request.Query;
        if (ctx.Request.Path.StartsWithSegments("/socket.io") && HttpMethods.IsGet(ctx.Request.Method)
            && q["EIO"] == "4" && q["transport"] == "polling" && !q.ContainsKey("sid"))
        {
            var sid = Convert.ToBase64String(RandomNumberGenerator.GetBytes(15)).Replace('+', '-').Replace('/', '_');
            ctx.Response.ContentType = "text/plain; charset=UTF-8";
            await ctx.Response.WriteAsync($$"""0{"sid":"{{sid}}","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}""");
        }
        else
        {
            ctx.Response.StatusCode = 400;
            ctx.Response.ContentType = "application/json";
            await ctx.Response.WriteAsync("""{"code":0,"message":"Transport unknown"}""");
        }
        Console.Out.WriteLine($"\"{ctx.Request.Method} {ctx.Request.Path}{ctx.Request.QueryString}\" {ctx.Response.StatusCode} host={ctx.Request.Host}");
    }
}
