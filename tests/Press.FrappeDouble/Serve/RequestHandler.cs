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
/// Like a Frappe web worker, the server keeps each site's config for <see cref="ConfigTtl"/> (frappe/config.py,
/// frappe/__init__.py), so a change to site_config.json — maintenance mode included — reaches it only after that.
/// Besides ping it serves what the tests need to write data as a site's users do: Password fields
/// (frappe/utils/password.py) and Note documents (frappe/desk/doctype/note), see the README.
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
        var config = sitePath is null ? null : await _configs.GetAsync(sitePath);
        if (config is null || !config.IsSet("db_name")) return (404, Error("NotFound", $"Site {site} does not exist"));
        var path = ctx.Request.Path.Value ?? "";
        if (path is not ("/api/method/ping" or SetPasswordPath or GetPasswordPath or NotePath or EnqueuePath))
            return (404, Error("DoesNotExistError", $"frappe-test-double does not serve {path}"));
        try
        {
            await using var conn = await SiteDatabase.OpenAsync(config, ctx.RequestAborted);
            if (config.Flag("maintenance_mode")) return (503, Error("SessionStopped", "Session Stopped"));
            return path switch
            {
                SetPasswordPath => await SetPasswordAsync(ctx, conn, config),
                GetPasswordPath => await GetPasswordAsync(ctx, conn, config),
                NotePath => await InsertNoteAsync(ctx, conn),
                EnqueuePath => await EnqueueAsync(ctx, site, config),
                _ => await PingAsync(ctx, conn),
            };
        }
        catch (NpgsqlException e)
        {
            return (500, Error(e.GetType().Name, e.Message));
        }
    }

    private const string SetPasswordPath = "/api/method/frappe_test_double.set_password";
    private const string GetPasswordPath = "/api/method/frappe_test_double.get_password";
    private const string NotePath = "/api/resource/Note";

    /// <summary>How long a web worker keeps a site's config (frappe/config.py, frappe/__init__.py: 60 s).</summary>
    public static readonly TimeSpan ConfigTtl = TimeSpan.FromSeconds(60);

    private readonly ConfigCache _configs = new(ConfigTtl);

    /// <summary>gunicorn's HUP (see <see cref="ServeCommand"/>): the workers that cached site configs are replaced.</summary>
    public void ReplaceWorkers() => _configs.ForgetAll();

    private static async Task<(int, JsonObject)> PingAsync(HttpContext ctx, NpgsqlConnection conn)
    {
        await SiteDatabase.ScalarAsync(conn, """SELECT count(*) FROM "tabInstalled Application" """, ctx.RequestAborted);
        return (200, new JsonObject { ["message"] = "pong" });
    }

    /// <summary>
    /// <c>set_encrypted_password(doctype, name, pwd, fieldname)</c>: Fernet with the site's <c>encryption_key</c>,
    /// which <c>get_encryption_key()</c> generates and writes into site_config.json the first time one is needed.
    /// </summary>
    private async Task<(int, JsonObject)> SetPasswordAsync(HttpContext ctx, NpgsqlConnection conn, SiteConfig config)
    {
        var body = await JsonNode.ParseAsync(ctx.Request.Body, cancellationToken: ctx.RequestAborted) as JsonObject;
        if (body?["doctype"]?.GetValue<string>() is not { } doctype || body["name"]?.GetValue<string>() is not { } name
            || body["fieldname"]?.GetValue<string>() is not { } fieldname || body["password"]?.GetValue<string>() is not { } password)
            return (417, Error("ValidationError", "doctype, name, fieldname and password are required"));
        var key = await EncryptionKeyAsync(config);
        await FrappeTables.SetEncryptedPasswordAsync(conn, doctype, name, fieldname, Fernet.Encrypt(key, password));
        return (200, new JsonObject { ["message"] = "ok" });
    }

    /// <summary><c>get_decrypted_password</c>: a token made with another key is "Encryption key is invalid!" (417).</summary>
    private async Task<(int, JsonObject)> GetPasswordAsync(HttpContext ctx, NpgsqlConnection conn, SiteConfig config)
    {
        var q = ctx.Request.Query;
        var token = await FrappeTables.GetEncryptedPasswordAsync(conn, q["doctype"].ToString(), q["name"].ToString(), q["fieldname"].ToString());
        if (token is null) return (404, Error("DoesNotExistError", "no such password"));
        var key = await EncryptionKeyAsync(config);
        return Fernet.Decrypt(key, token) is { } plain
            ? (200, new JsonObject { ["message"] = plain })
            : (417, Error("ValidationError", "Encryption key is invalid! Please check site_config.json"));
    }

    /// <summary>
    /// <c>frappe.client.insert</c> of a Note. Frappe commits at the end of the request, after the request's work; the
    /// double holds its transaction open <see cref="RequestWork"/> to be such a request.
    /// </summary>
    private static async Task<(int, JsonObject)> InsertNoteAsync(HttpContext ctx, NpgsqlConnection conn)
    {
        var body = await JsonNode.ParseAsync(ctx.Request.Body, cancellationToken: ctx.RequestAborted) as JsonObject;
        if (body?["title"]?.GetValue<string>() is not { } title) return (417, Error("ValidationError", "title is required"));
        await using var tx = await conn.BeginTransactionAsync(ctx.RequestAborted);
        await FrappeTables.InsertNoteAsync(conn, title, ctx.RequestAborted);
        await Task.Delay(RequestWork, ctx.RequestAborted);
        await tx.CommitAsync(ctx.RequestAborted);
        return (200, new JsonObject { ["data"] = new JsonObject { ["title"] = title } });
    }

    public static readonly TimeSpan RequestWork = TimeSpan.FromMilliseconds(200);

    /// <summary>frappe/utils/password.py <c>get_encryption_key</c>: written into site_config.json on first use.</summary>
    private async Task<string> EncryptionKeyAsync(SiteConfig config)
    {
        if (config.String("encryption_key") is { Length: > 0 } key) return key;
        key = Fernet.GenerateKey();
        await SiteConfig.UpdateAsync(config.SitePath, "encryption_key", key);
        _configs.Forget(config.SitePath);
        return key;
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
    internal static async Task<SiteConfig?> LoadConfigAsync(string sitePath)
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
