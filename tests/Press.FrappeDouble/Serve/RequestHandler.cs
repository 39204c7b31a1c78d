using System.Diagnostics;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Npgsql;
using Press.FrappeDouble.Site;

namespace Press.FrappeDouble.Serve;

/// <summary>
/// Frappe's request path for <c>/api/method/ping</c> (frappe/app.py::init_request): site from
/// <c>X-Frappe-Site-Name</c>, else the Host header without port; no such site (or no db_name) → 404; connect as the
/// site role (v16: SET search_path) → DB errors are 500; maintenance_mode → 503; then the round trip and pong.
/// The site config is re-read on every request, as Frappe does, so maintenance mode takes effect at once.
/// </summary>
public sealed class RequestHandler(BenchFolder bench)
{
    // Quotes as \" (like Python's json.dumps), not \u0022: error messages stay readable in test output.
    private static readonly JsonSerializerOptions BodyOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public async Task HandleAsync(HttpContext ctx)
    {
        var started = Stopwatch.GetTimestamp();
        var site = ctx.Request.Headers["X-Frappe-Site-Name"].FirstOrDefault() is { Length: > 0 } header
            ? header
            : ctx.Request.Host.Host;
        int status;
        JsonObject body;
        try
        {
            (status, body) = await RespondAsync(ctx, site);
        }
        catch (Exception e) when (!ctx.RequestAborted.IsCancellationRequested)
        {
            (status, body) = (500, Error(e.GetType().Name, e.Message)); // e.g. a site_config.json that is not JSON
        }
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = "application/json";
        if (!HttpMethods.IsHead(ctx.Request.Method)) await ctx.Response.WriteAsync(body.ToJsonString(BodyOptions), ctx.RequestAborted);
        var ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        Console.Out.WriteLine(
            $"{ctx.Connection.RemoteIpAddress} - - [{DateTime.UtcNow:dd/MMM/yyyy:HH:mm:ss} +0000] \"{ctx.Request.Method} {ctx.Request.Path}{ctx.Request.QueryString} {ctx.Request.Protocol}\" {status} site={site} {ms:F0}ms");
    }

    private async Task<(int, JsonObject)> RespondAsync(HttpContext ctx, string site)
    {
        var sitePath = bench.SitePath(site);
        var config = sitePath is null ? null : await LoadConfigAsync(sitePath);
        if (config is null || !config.IsSet("db_name")) return (404, Error("NotFound", $"Site {site} does not exist"));
        if (ctx.Request.Path != "/api/method/ping" && ctx.Request.Path != EnqueuePath)
            return (404, Error("DoesNotExistError", $"frappe-test-double serves only /api/method/ping and {EnqueuePath}"));
        try
        {
            await using var conn = await SiteDatabase.OpenAsync(config, ctx.RequestAborted);
            if (config.Flag("maintenance_mode")) return (503, Error("SessionStopped", "Session Stopped"));
            await SiteDatabase.ScalarAsync(conn, """SELECT count(*) FROM "tabInstalled Application" """, ctx.RequestAborted);
            if (ctx.Request.Path == EnqueuePath) return await EnqueueAsync(ctx, site, config);
            return (200, new JsonObject { ["message"] = "pong" });
        }
        catch (NpgsqlException e)
        {
            return (500, Error(e.GetType().Name, e.Message));
        }
    }

    /// <summary>
    /// A request whose work goes to the background, like saving a User (frappe/core/doctype/user/user.py enqueues on
    /// update) or any <c>frappe.enqueue</c> call: POST only; the job lands in the site's redis_queue (queue from
    /// <c>?queue=</c>, default "default"). An unreachable queue fails the request with 500, as frappe.enqueue raises.
    /// A double-only method name, so no test mistakes it for a Frappe API.
    /// </summary>
    public const string EnqueuePath = "/api/method/frappe_test_double.enqueue";

    private async Task<(int, JsonObject)> EnqueueAsync(HttpContext ctx, string site, SiteConfig config)
    {
        if (!HttpMethods.IsPost(ctx.Request.Method)) return (405, Error("PermissionError", "POST only"));
        var queue = ctx.Request.Query["queue"].FirstOrDefault() is { Length: > 0 } q ? q : "default";
        if (queue is not ("short" or "default" or "long")) return (417, Error("ValidationError", $"Queue should be one of short, default, long"));
        try
        {
            var id = await SiteQueue.EnqueueAsync(bench, config, site, queue, "frappe_test_double.background_job");
            return (200, new JsonObject { ["message"] = SiteQueue.Describe(id, queue) });
        }
        catch (Cli.BenchException e)
        {
            return (500, Error("RedisConnectionError", e.Message));
        }
    }

    /// <summary>Reads site_config.json, retrying briefly: a concurrent set-config rewrites it in place.</summary>
    private static async Task<SiteConfig?> LoadConfigAsync(string sitePath)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return SiteConfig.TryLoad(sitePath);
            }
            catch (Exception e) when ((e is JsonException or IOException) && attempt < 5)
            {
                await Task.Delay(20);
            }
        }
    }

    private static JsonObject Error(string type, string message) => new() { ["exc_type"] = type, ["exception"] = message };
}
