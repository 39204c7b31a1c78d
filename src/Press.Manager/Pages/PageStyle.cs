namespace Press.Manager.Pages;

/// <summary>
/// The pages' own files (stylesheet, script), embedded in the assembly from wwwroot/ and served by the manager itself
/// (same origin: the pages' Content-Security-Policy allows nothing else), and the headers every page gets.
/// </summary>
public static class PageStyle
{
    private static readonly Dictionary<string, (byte[] Bytes, string Type)> Files = new()
    {
        ["/press.css"] = (Read("press.css"), "text/css; charset=utf-8"),
        ["/press.js"] = (Read("press.js"), "text/javascript; charset=utf-8"),
    };

    /// <summary>Maps the page assets: public (the login page needs the stylesheet), cached for an hour.</summary>
    public static void MapPageAssets(this IEndpointRouteBuilder app)
    {
        foreach (var (path, (bytes, type)) in Files)
            app.MapGet(path, (HttpContext http) =>
            {
                http.Response.Headers.CacheControl = "public, max-age=3600";
                return Results.Bytes(bytes, type);
            }).ExcludeFromDescription();
    }

    /// <summary>
    /// Headers for every page (not the API): no framing; script, style and connections only to Press itself (the live job
    /// view reads its event stream from Press); forms post only to Press and the issuer.
    /// </summary>
    public static void AddSecurityHeaders(HttpContext http, string? issuerOrigin)
    {
        var headers = http.Response.Headers;
        headers.ContentSecurityPolicy = "default-src 'none'; style-src 'self'; img-src 'self'; script-src 'self'; connect-src 'self'; " +
                                        "base-uri 'none'; frame-ancestors 'none'; " +
                                        $"form-action 'self'{(issuerOrigin is null ? "" : " " + issuerOrigin)}";
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "same-origin";
        if (!http.Request.Path.Equals("/press.css") && !http.Request.Path.Equals("/press.js")) headers.CacheControl = "no-store";
    }

    private static byte[] Read(string name)
    {
        using var stream = typeof(PageStyle).Assembly.GetManifestResourceStream("wwwroot/" + name)
                           ?? throw new InvalidOperationException($"wwwroot/{name} is not embedded in Press.Manager.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
