namespace Press.Infrastructure.Ingress;

/// <summary><c>Press:Ingress</c>.</summary>
public sealed class IngressOptions
{
    public const string Section = "Press:Ingress";

    /// <summary>Press's own host name (its UI and API) in the route table.</summary>
    public string PressHost { get; set; } = "press.localhost";

    /// <summary>Where the embedded proxy listens when Traefik is not used; empty turns it off.</summary>
    public string ProxyUrl { get; set; } = "http://127.0.0.1:48580";

    /// <summary>"embedded" (YARP in the manager) or "traefik" (Traefik reads /api/ingress/traefik).</summary>
    public string Mode { get; set; } = "embedded";

    /// <summary>Shared secret Traefik sends as X-Press-Ingress-Secret; from Press__Ingress__TraefikSecret_FILE.</summary>
    public string? TraefikSecret { get; set; }

    /// <summary>Whether Traefik terminates TLS (websecure, ACME resolver, HTTP→HTTPS redirect).</summary>
    public bool Tls { get; set; } = true;

    /// <summary>How often the route table checks for changes (changes take effect within this plus a reload).</summary>
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>How often the embedded proxy adds its per-site request counts to the usage table (docs/architecture.md §15).</summary>
    public TimeSpan TrafficFlushInterval { get; set; } = TimeSpan.FromSeconds(10);
}
