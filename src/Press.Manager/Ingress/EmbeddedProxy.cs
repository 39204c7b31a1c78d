using Press.Infrastructure.Ingress;

namespace Press.Manager.Ingress;

/// <summary>
/// The embedded proxy (docs/architecture.md §8): when Press runs without Traefik (<c>Press:Ingress:Mode</c> = embedded, the
/// default) the manager also listens on <c>Press:Ingress:ProxyUrl</c> (http://127.0.0.1:48580) and serves every host
/// name of the route table there: a runner's site is forwarded to it, a site under maintenance gets the 503 page, a
/// deleted site or an unknown host the 404 page, and Press's own host name reaches the API. The route table reloads
/// when a job ends (a Redis message) and at least every <c>RefreshInterval</c> (250 ms): see RouteTableProvider.
/// </summary>
public static class EmbeddedProxy
{
    public const string EmbeddedMode = "embedded";
    public const string TraefikMode = "traefik";

    /// <summary>
    /// Registers the forwarder and the route table, and adds the proxy's address to Kestrel's. Kestrel drops the
    /// <c>urls</c> setting (ASPNETCORE_URLS, --urls) as soon as endpoints are configured in code, so the proxy's URL
    /// joins that setting instead and the API keeps its port.
    /// </summary>
    public static WebApplicationBuilder AddEmbeddedProxy(this WebApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection(IngressOptions.Section).Get<IngressOptions>() ?? new IngressOptions();
        if (ProxyPort(options) is { } proxyPort)
        {
            var urls = (builder.WebHost.GetSetting(WebHostDefaults.ServerUrlsKey) ?? "")
                .Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            if (urls.Any(u => BindingAddress.Parse(u).Port == proxyPort))
                throw new InvalidOperationException(
                    $"Press:Ingress:ProxyUrl ({options.ProxyUrl}) uses the same port as the API ({string.Join(";", urls)}): give the proxy its own port.");
            builder.WebHost.UseUrls([.. urls, options.ProxyUrl.Trim()]);
        }
        // ASP.NET's hosting and YARP log every request at Information (two or three lines per proxied request); the
        // proxy's own lines say what went wrong. Defaults only: Logging__LogLevel__… still decides.
        foreach (var category in new[] { "Yarp", "Microsoft.AspNetCore" })
            if (builder.Configuration[$"Logging:LogLevel:{category}"] is null) builder.Logging.AddFilter(category, LogLevel.Warning);
        builder.Services.AddHttpForwarder();
        builder.Services.AddSingleton<RunnerForwarder>();
        builder.Services.AddSingleton<SiteTraffic>();
        builder.Services.AddSingleton<TrafficFlusher>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<TrafficFlusher>());
        builder.Services.AddHostedService<RouteTableHost>();
        return builder;
    }

    /// <summary>Answers hosts of the route table (first in the pipeline after the exception handler, before auth).</summary>
    public static IApplicationBuilder UseEmbeddedProxy(this IApplicationBuilder app) => app.UseMiddleware<IngressMiddleware>();

    /// <summary>The port the embedded proxy listens on, or null when it is off (Traefik mode, or an empty ProxyUrl).</summary>
    public static int? ProxyPort(IngressOptions options)
    {
        Validate(options);
        return options.Mode == EmbeddedMode && !string.IsNullOrWhiteSpace(options.ProxyUrl)
            ? BindingAddress.Parse(options.ProxyUrl.Trim()).Port
            : null;
    }

    /// <summary>Whether the manager keeps a route table: for its proxy, or for Traefik's configuration and the pages it serves for Traefik.</summary>
    public static bool NeedsRoutes(IngressOptions options) => ProxyPort(options) is not null || options.Mode == TraefikMode;

    /// <summary>Fails at start with every problem and how to fix it.</summary>
    public static void Validate(IngressOptions options)
    {
        var problems = new List<string>();
        if (options.Mode is not (EmbeddedMode or TraefikMode))
            problems.Add($"Press:Ingress:Mode is '{options.Mode}': use '{EmbeddedMode}' (the proxy in the manager) or '{TraefikMode}'.");
        if (!string.IsNullOrWhiteSpace(options.ProxyUrl))
        {
            try
            {
                var address = BindingAddress.Parse(options.ProxyUrl.Trim());
                if (address.Scheme != "http")
                    problems.Add($"Press:Ingress:ProxyUrl ({options.ProxyUrl}) must be http://: the embedded proxy does not terminate TLS (Traefik does).");
                if (address.Port is <= 0 or > 65535)
                    problems.Add($"Press:Ingress:ProxyUrl ({options.ProxyUrl}) needs an explicit port, e.g. http://127.0.0.1:48580.");
            }
            catch (FormatException ex)
            {
                problems.Add($"Press:Ingress:ProxyUrl ({options.ProxyUrl}) is not a listen address ({ex.Message}); e.g. http://127.0.0.1:48580, or empty to turn the proxy off.");
            }
        }
        if (options.TrafficFlushInterval <= TimeSpan.Zero)
            problems.Add($"Press:Ingress:TrafficFlushInterval ({options.TrafficFlushInterval}) must be positive, e.g. 00:00:10.");
        if (options.RefreshInterval <= TimeSpan.Zero)
            problems.Add($"Press:Ingress:RefreshInterval ({options.RefreshInterval}) must be positive, e.g. 00:00:00.250.");
        if (problems.Count > 0) throw new InvalidOperationException(string.Join(" ", problems));
    }
}

/// <summary>Runs the route table's refresh loop when the ingress needs it, after a first load so the proxy starts with routes.</summary>
public sealed partial class RouteTableHost(IngressOptions options, IServiceProvider services, ILogger<RouteTableHost> logger) : IHostedService
{
    private RouteTableProvider? _provider;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!EmbeddedProxy.NeedsRoutes(options)) return;
        _provider = services.GetRequiredService<RouteTableProvider>();
        try { await _provider.RefreshAsync(cancellationToken); }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogFirstLoadFailed(ex.Message); // the loop keeps trying; until then the proxy answers "starting"
        }
        await _provider.StartAsync(cancellationToken);
        if (EmbeddedProxy.ProxyPort(options) is { } port) LogListening(options.ProxyUrl, port, _provider.Current.Routes.Count);
    }

    public Task StopAsync(CancellationToken cancellationToken) => _provider?.StopAsync(cancellationToken) ?? Task.CompletedTask;

    [LoggerMessage(LogLevel.Information, "Embedded proxy on {ProxyUrl} (port {Port}), {Count} routes")]
    private partial void LogListening(string proxyUrl, int port, int count);

    [LoggerMessage(LogLevel.Warning, "First route table load failed (retrying every refresh): {Error}")]
    private partial void LogFirstLoadFailed(string error);
}
