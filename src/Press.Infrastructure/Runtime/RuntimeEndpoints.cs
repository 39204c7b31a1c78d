using Npgsql;
using Press.Infrastructure.Postgres;

namespace Press.Infrastructure.Runtime;

/// <summary>
/// Where a site's runner finds Postgres. By default the address Press uses (runners share the host's network);
/// <c>Press:Runtime:DatabaseHost</c> and <c>…:DatabasePort</c> override it when runners see another network. Runners
/// never reach Press's own Redis: each site has its own (see Docker's <c>RedisContainer</c>, the process driver's
/// <c>SiteRedisProcess</c>).
/// </summary>
/// <param name="SiteUrlBase">Scheme and, when not the scheme's default, port of the URLs Press serves sites at
/// (<c>https://</c> behind Traefik with TLS; the embedded proxy's own otherwise); site_config's <c>host_name</c>.</param>
public sealed record RuntimeEndpoints(string DatabaseHost, int DatabasePort, string SiteUrlBase = "https://{0}")
{
    public static RuntimeEndpoints From(RuntimeOptions runtime, PostgresOptions postgres, Ingress.IngressOptions? ingress = null)
    {
        var pg = new NpgsqlConnectionStringBuilder(postgres.ConnectionString);
        return new RuntimeEndpoints(runtime.DatabaseHost ?? pg.Host ?? "127.0.0.1", runtime.DatabasePort ?? pg.Port,
            ingress is null ? "https://{0}" : SiteUrlFormat(ingress));
    }

    /// <summary>The URL a site is served at, for Frappe's <c>host_name</c> (links in e-mails, redirects).</summary>
    public string SiteUrl(string site) => string.Format(System.Globalization.CultureInfo.InvariantCulture, SiteUrlBase, site);

    private static string SiteUrlFormat(Ingress.IngressOptions ingress)
    {
        if (ingress.Mode == "traefik") return ingress.Tls ? "https://{0}" : "http://{0}";
        if (!Uri.TryCreate(ingress.ProxyUrl, UriKind.Absolute, out var proxy)) return "http://{0}";
        return proxy.IsDefaultPort ? $"{proxy.Scheme}://{{0}}" : $"{proxy.Scheme}://{{0}}:{proxy.Port}";
    }
}
