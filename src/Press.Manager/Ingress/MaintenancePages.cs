using System.Net;
using System.Text;

namespace Press.Manager.Ingress;

/// <summary>
/// The pages Press answers for host names it does not forward: a site under maintenance (503 with Retry-After), a
/// deleted site or an unknown host (404), a runner that does not answer. Every page names what it is about, is never
/// cached, and carries <c>X-Press-Ingress</c> so an operator (or a test) can tell Press's page from a site's own.
/// </summary>
public static class MaintenancePages
{
    /// <summary>Seconds a client is told to wait before retrying a site under maintenance.</summary>
    public const int RetryAfterSeconds = 30;

    public const string KindHeader = "X-Press-Ingress";

    public static Task MaintenanceAsync(HttpContext context, string site, string reason) =>
        WriteAsync(context, StatusCodes.Status503ServiceUnavailable, "maintenance", RetryAfterSeconds,
            $"{site} is under maintenance", $"The site {site} is not available right now: {reason}. Please try again in a moment.");

    public static Task DeletedAsync(HttpContext context, string site) =>
        WriteAsync(context, StatusCodes.Status404NotFound, "deleted", null,
            $"{site} does not exist", $"The site {site} was deleted.");

    public static Task UnknownHostAsync(HttpContext context, string host) =>
        WriteAsync(context, StatusCodes.Status404NotFound, "unknown-host", null,
            "No such site", $"No site is served at {host}.");

    public static Task StartingAsync(HttpContext context) =>
        WriteAsync(context, StatusCodes.Status503ServiceUnavailable, "starting", 5,
            "Starting", "Press is starting and has not loaded its routes yet. Please try again in a moment.");

    /// <summary>The runner refused the connection or failed before answering (it may be restarting).</summary>
    public static Task UnreachableAsync(HttpContext context, string site, int status) =>
        WriteAsync(context, status, "unreachable", status == StatusCodes.Status503ServiceUnavailable ? RetryAfterSeconds : null,
            $"{site} is not answering", $"The site {site} did not answer. Please try again in a moment.");

    private static async Task WriteAsync(HttpContext context, int status, string kind, int? retryAfter, string title, string message)
    {
        var response = context.Response;
        response.Clear();
        response.StatusCode = status;
        response.Headers[KindHeader] = kind;
        response.Headers.CacheControl = "no-store";
        response.Headers.XContentTypeOptions = "nosniff";
        if (retryAfter is { } seconds) response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        response.ContentType = "text/html; charset=utf-8";
        if (HttpMethods.IsHead(context.Request.Method)) return;
        await response.WriteAsync(Render(title, message), Encoding.UTF8, context.RequestAborted);
    }

    /// <summary>A self-contained page (no external assets: it is shown exactly when things are not working).</summary>
    public static string Render(string title, string message)
    {
        var t = WebUtility.HtmlEncode(title);
        var m = WebUtility.HtmlEncode(message);
        return $$"""
            <!doctype html>
            <html lang="en">
            <head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>{{t}}</title>
            <style>body{font-family:system-ui,sans-serif;margin:15vh auto;max-width:36rem;padding:0 1rem;color:#1f2933}h1{font-size:1.5rem}p{color:#52606d}</style></head>
            <body><h1>{{t}}</h1><p>{{m}}</p></body>
            </html>

            """;
    }
}
