using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Press.Core.Routing;

namespace Press.Infrastructure.Traefik;

/// <summary>How the route table is rendered for Traefik.</summary>
/// <param name="PressUrl">Where Traefik reaches Press itself (its UI and API, and the maintenance and 404 pages).</param>
/// <param name="Tls">Whether Traefik terminates TLS: routers on <c>websecure</c> plus a redirecting <c>web</c> router.</param>
/// <param name="CertResolver">The static configuration's ACME resolver; empty uses the default certificate store
/// (the development self-signed certificate).</param>
/// <param name="HttpsPort">The public port of the <c>websecure</c> entry point, for the HTTP→HTTPS redirect.</param>
public sealed record TraefikRenderOptions(string PressUrl, bool Tls, string? CertResolver = TraefikConfig.DefaultCertResolver,
    int HttpsPort = TraefikConfig.DefaultHttpsPort);

/// <summary>
/// Renders the desired route table (docs/architecture.md §8) as Traefik v3 dynamic configuration for its HTTP provider. Pure:
/// the same table gives byte-identical output — routes are sorted by host, every object's keys are sorted (ordinal),
/// and every name is derived from the host alone.
/// <list type="bullet">
/// <item>One router per host name, rule <c>Host(`h`)</c>, named <c>host-&lt;h with '-' doubled and '.' as '-'&gt;</c>
/// (injective for DNS names, whose labels never start or end with a hyphen); with TLS it is on <c>websecure</c> with
/// the ACME resolver, and a second router <c>redirect-&lt;…&gt;</c> on <c>web</c> sends HTTP to HTTPS.</item>
/// <item>Runner → service <c>site-&lt;site&gt;</c>: the runner on 127.0.0.1:port, health-checked with
/// <c>GET /api/method/ping</c> under the site's host name, plus middleware <c>frappe-site-&lt;site&gt;</c> setting
/// <c>X-Frappe-Site-Name</c> so a custom domain reaches its site (Frappe picks the site by that header, else by Host).</item>
/// <item>Runner → also router <c>socketio-&lt;h&gt;</c>, rule <c>Host(`h`) &amp;&amp; PathPrefix(`/socket.io`)</c>, to service
/// <c>press</c>: the site's socket.io listens on a unix socket, which only Press's own forwarder reaches.</item>
/// <item>Maintenance, NotFound and Press → service <c>press</c> (<see cref="TraefikRenderOptions.PressUrl"/>). Traefik
/// passes the original Host header, and Press answers a site's host name on its own port with the maintenance page
/// (503 with Retry-After) or the 404 page, by looking the host up in the same route table; its own host gets the UI
/// and API.</item>
/// <item>Middlewares <c>security-headers</c> (on every router) and <c>redirect-to-https</c>.</item>
/// </list>
/// </summary>
public static partial class TraefikConfig
{
    public const string DefaultCertResolver = "letsencrypt";
    public const int DefaultHttpsPort = 48543;
    public const string WebEntryPoint = "web";
    public const string WebSecureEntryPoint = "websecure";
    public const string PressService = "press";
    public const string SecurityHeaders = "security-headers";
    public const string RedirectToHttps = "redirect-to-https";
    public const string HealthPath = "/api/method/ping";
    public const string SocketIoPath = "/socket.io";
    public const string HealthInterval = "10s";
    public const string HealthTimeout = "3s";
    public const int StsSeconds = 31_536_000;

    private static readonly JsonSerializerOptions Format = new()
    {
        WriteIndented = true,
        IndentSize = 2,
        NewLine = "\n",
        // Keeps the backticks of Host(`…`) readable; hosts are plain ASCII.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>The configuration as indented JSON with '\n' line ends and a final newline.</summary>
    public static string Render(RouteTable table, TraefikRenderOptions options) =>
        Build(table, options).ToJsonString(Format) + "\n";

    public static JsonObject Build(RouteTable table, TraefikRenderOptions options)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(options);
        if (!Uri.TryCreate(options.PressUrl, UriKind.Absolute, out var pressUrl) || pressUrl.Scheme is not ("http" or "https"))
            throw new ArgumentException($"The Press URL '{options.PressUrl}' is not an absolute http(s) URL.", nameof(options));

        var routers = new SortedDictionary<string, JsonNode?>(StringComparer.Ordinal);
        var services = new SortedDictionary<string, JsonNode?>(StringComparer.Ordinal)
        {
            [PressService] = LoadBalancer(pressUrl.GetLeftPart(UriPartial.Authority), health: null),
        };
        var middlewares = new SortedDictionary<string, JsonNode?>(StringComparer.Ordinal)
        {
            [SecurityHeaders] = Obj(("headers", Headers(options.Tls))),
        };
        if (options.Tls)
            middlewares[RedirectToHttps] = Obj(("redirectScheme", Obj(
                ("permanent", true), ("port", options.HttpsPort.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                ("scheme", "https"))));

        foreach (var route in table.Routes.OrderBy(r => r.Host, StringComparer.Ordinal))
        {
            var host = RuleHost(route.Host);
            var slug = Slug(host);
            if (routers.ContainsKey("host-" + slug))
                throw new ArgumentException($"The route table names the host '{host}' twice.", nameof(table));

            var service = PressService;
            var chain = new List<string> { SecurityHeaders };
            if (route.Target == RouteTarget.Runner)
            {
                if (route.Site is not { } site || route.RunnerPort is not { } port)
                    throw new ArgumentException($"The runner route of '{host}' has no site or no runner port.", nameof(table));
                var siteSlug = Slug(RuleHost(site));
                service = "site-" + siteSlug;
                services[service] = LoadBalancer($"http://127.0.0.1:{port.ToString(System.Globalization.CultureInfo.InvariantCulture)}",
                    Obj(("hostname", site), ("interval", HealthInterval), ("path", HealthPath), ("timeout", HealthTimeout)));
                var siteHeader = "frappe-site-" + siteSlug;
                middlewares[siteHeader] = Obj(("headers", Obj(("customRequestHeaders", Obj(("X-Frappe-Site-Name", site))))));
                chain.Add(siteHeader);
            }

            var rule = $"Host(`{host}`)";
            var tlsConfig = options.Tls ? string.IsNullOrEmpty(options.CertResolver) ? new JsonObject() : Obj(("certResolver", options.CertResolver)) : null;
            if (route.Target == RouteTarget.Runner)
            {
                // socket.io listens on a unix socket, which Traefik cannot reach: Press forwards it (IngressMiddleware).
                // The longer rule has the higher priority (Traefik's default), so this router wins over host-….
                routers["socketio-" + slug] = Router(options.Tls ? WebSecureEntryPoint : WebEntryPoint, [SecurityHeaders],
                    $"{rule} && PathPrefix(`{SocketIoPath}`)", PressService, tlsConfig?.DeepClone().AsObject());
            }
            if (options.Tls)
            {
                var tls = tlsConfig!;
                routers["host-" + slug] = Router(WebSecureEntryPoint, chain, rule, service, tls);
                // Headers first, so the redirect answer carries them too; the redirect then ends the request.
                routers["redirect-" + slug] = Router(WebEntryPoint, [SecurityHeaders, RedirectToHttps], rule, service, tls: null);
            }
            else
            {
                routers["host-" + slug] = Router(WebEntryPoint, chain, rule, service, tls: null);
            }
        }

        return Obj(("http", Obj(
            ("middlewares", new JsonObject(middlewares)),
            ("routers", new JsonObject(routers)),
            ("services", new JsonObject(services)))));
    }

    /// <summary>
    /// The name part for a host: '-' doubled, '.' as '-'. DNS labels never start or end with a hyphen, so an odd run
    /// of hyphens is always a dot and the mapping is one-to-one. Anything that is not such a DNS name (a misconfigured
    /// Press host) gets <c>_</c> and a hash instead, which no DNS name's slug contains.
    /// </summary>
    public static string Slug(string host) =>
        DnsName().IsMatch(host)
            ? host.Replace("-", "--", StringComparison.Ordinal).Replace('.', '-')
            : "_" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(host)))[..16];

    /// <summary>
    /// The host as it goes into <c>Host(`…`)</c>: lowercase, and refused when it could break out of the rule's quotes
    /// (Traefik would reject the whole configuration, not just this router).
    /// </summary>
    private static string RuleHost(string host)
    {
        if (string.IsNullOrEmpty(host) || host.Any(c => c is '`' or '\\' or '(' or ')' || char.IsWhiteSpace(c) || char.IsControl(c)))
            throw new ArgumentException($"'{host}' is not a host name that can go into a Traefik Host rule.", nameof(host));
        return host.ToLowerInvariant();
    }

    private static JsonObject Headers(bool tls)
    {
        var headers = Obj(
            ("browserXssFilter", true),
            ("contentTypeNosniff", true),
            // SAMEORIGIN rather than frameDeny's DENY: Frappe's print preview frames its own pages, and bench's own
            // nginx configuration sends SAMEORIGIN too.
            ("customFrameOptionsValue", "SAMEORIGIN"),
            ("referrerPolicy", "strict-origin-when-cross-origin"));
        if (tls) headers["stsSeconds"] = StsSeconds;
        return Sort(headers);
    }

    private static JsonObject LoadBalancer(string url, JsonObject? health)
    {
        var lb = Obj(("servers", new JsonArray(Obj(("url", url)))));
        if (health is not null) lb["healthCheck"] = health;
        return Obj(("loadBalancer", Sort(lb)));
    }

    private static JsonObject Router(string entryPoint, IEnumerable<string> middlewares, string rule, string service, JsonObject? tls)
    {
        var router = Obj(
            ("entryPoints", new JsonArray(entryPoint)),
            ("middlewares", new JsonArray(middlewares.Select(m => (JsonNode?)m).ToArray())),
            ("rule", rule),
            ("service", service));
        if (tls is not null) router["tls"] = tls;
        return Sort(router);
    }

    private static JsonObject Obj(params (string Key, JsonNode? Value)[] properties) =>
        new(properties.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => KeyValuePair.Create(p.Key, p.Value)));

    private static JsonObject Sort(JsonObject o) =>
        Obj(o.Select(p => (p.Key, p.Value?.DeepClone())).ToArray());

    [GeneratedRegex("^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*$", RegexOptions.CultureInvariant)]
    private static partial Regex DnsName();
}
