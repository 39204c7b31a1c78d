using Press.Core.Routing;
using Press.Infrastructure.Ingress;

namespace Press.Manager.Ingress;

/// <summary>
/// Routes by Host header against the current route table.
/// <list type="bullet">
/// <item>On the proxy port every host is answered here: Runner → forwarded to the site's runner; Maintenance → 503
/// page; NotFound (deleted) and unknown hosts → 404 page; Press's own host → the rest of the pipeline (the API).</item>
/// <item>On the API port only a Maintenance or NotFound host gets its page (Traefik points those hosts at Press);
/// Press's own host and every host without a route (127.0.0.1:48550, health checks) go on to the API untouched.</item>
/// </list>
/// </summary>
public sealed class IngressMiddleware(RequestDelegate next, RouteTableProvider routes, IngressOptions options, RunnerForwarder forwarder,
    Press.Core.Ports.ISiteRuntime runtime)
{
    /// <summary>Frappe's realtime path (frappe_docker's nginx sends it to the websocket service).</summary>
    public const string SocketIoPath = "/socket.io";

    private readonly int? _proxyPort = EmbeddedProxy.ProxyPort(options);

    public Task InvokeAsync(HttpContext context)
    {
        var host = HostName(context.Request);
        if (_proxyPort is { } port && context.Connection.LocalPort == port) return ProxyAsync(context, host);
        if (host is null || IsPressHost(host)) return next(context);
        return routes.Current.Find(host) switch
        {
            // Traefik cannot reach a unix socket: it sends a served site's /socket.io here (TraefikConfig).
            { Target: RouteTarget.Runner, Site: { } site } when IsSocketIo(context.Request) => SocketIoAsync(context, site),
            { Target: RouteTarget.Maintenance } route => MaintenancePages.MaintenanceAsync(context, route.Site ?? host, route.Reason),
            { Target: RouteTarget.NotFound } route => MaintenancePages.DeletedAsync(context, route.Site ?? host),
            _ => next(context),
        };
    }

    private Task ProxyAsync(HttpContext context, string? host)
    {
        var table = routes.Current;
        if (ReferenceEquals(table, RouteTable.Empty)) return MaintenancePages.StartingAsync(context); // a loaded table always has Press's host
        var route = host is null ? null : table.Find(host);
        return route switch
        {
            { Target: RouteTarget.Runner, RunnerPort: not null, Site: { } site } when IsSocketIo(context.Request) => SocketIoAsync(context, site),
            { Target: RouteTarget.Runner, RunnerPort: { } runnerPort, Site: { } site } => forwarder.ForwardAsync(context, site, runnerPort),
            { Target: RouteTarget.Press } => next(context),
            { Target: RouteTarget.NotFound } => MaintenancePages.DeletedAsync(context, route.Site ?? route.Host),
            // Maintenance, and a Runner route without a port (the planner never makes one): the maintenance page.
            { } => MaintenancePages.MaintenanceAsync(context, route.Site ?? route.Host, route.Reason),
            null => MaintenancePages.UnknownHostAsync(context, host ?? "(no Host header)"),
        };
    }

    private static bool IsSocketIo(HttpRequest request) => request.Path.StartsWithSegments(SocketIoPath);

    private async Task SocketIoAsync(HttpContext context, string site)
    {
        if (await runtime.SocketIoSocketAsync(site, context.RequestAborted) is { } socket)
            await forwarder.ForwardSocketIoAsync(context, site, socket);
        else
            await MaintenancePages.UnreachableAsync(context, site, StatusCodes.Status503ServiceUnavailable);
    }

    private bool IsPressHost(string host) => string.Equals(host, options.PressHost, StringComparison.OrdinalIgnoreCase);

    /// <summary>The Host header without its port or a trailing dot (<c>erp.example.com.</c> is the same name), or null.</summary>
    public static string? HostName(HttpRequest request)
    {
        var host = request.Host.HasValue ? request.Host.Host.TrimEnd('.') : "";
        return host.Length == 0 ? null : host;
    }
}
