namespace Press.Manager.Pages;

/// <summary>
/// The pages' stylesheet, served by the manager itself at /press.css (same origin: the pages' Content-Security-Policy
/// allows no inline style and no other origin). Readable contrast, visible focus.
/// </summary>
public static class PageStyle
{
    public const string Css = """
        :root { color-scheme: light; font-family: system-ui, sans-serif; color: #1a1a1a; background: #fff; }
        body { margin: 0; }
        header { display: flex; justify-content: space-between; align-items: center; padding: .75rem 1.5rem; background: #12344d; color: #fff; }
        .brand { font-weight: 700; font-size: 1.2rem; }
        main { max-width: 36rem; margin: 2rem auto; padding: 0 1.5rem; }
        .skip { position: absolute; left: -999px; }
        .skip:focus { left: 1rem; top: 1rem; background: #fff; color: #000; padding: .5rem; }
        input { font: inherit; padding: .4rem; border: 1px solid #555; border-radius: 4px; width: 100%; max-width: 22rem; }
        button { font: inherit; padding: .5rem 1rem; border: 1px solid #12344d; border-radius: 4px; background: #fff; color: #12344d; cursor: pointer; }
        button.primary { background: #12344d; color: #fff; }
        :focus-visible { outline: 3px solid #d97706; outline-offset: 2px; }
        .notice { border-left: 4px solid #b45309; background: #fff7ed; padding: .5rem .75rem; }
        form.inline { display: flex; gap: .75rem; align-items: center; }
        header button { background: transparent; color: #fff; border-color: #fff; }
        details { margin-top: 1.5rem; }
        """;

    /// <summary>Headers for every page (not the API): no framing, no inline script or style, forms post only to Press and the issuer.</summary>
    public static void AddSecurityHeaders(HttpContext http, string? issuerOrigin)
    {
        var headers = http.Response.Headers;
        headers.ContentSecurityPolicy = "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; frame-ancestors 'none'; " +
                                        $"form-action 'self'{(issuerOrigin is null ? "" : " " + issuerOrigin)}";
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "same-origin";
        headers.CacheControl = "no-store";
    }
}
