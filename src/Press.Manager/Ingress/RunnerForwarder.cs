using System.Diagnostics;
using System.Net;
using Yarp.ReverseProxy.Forwarder;

namespace Press.Manager.Ingress;

/// <summary>
/// Forwards a request to a site's runner on 127.0.0.1 with YARP's <see cref="IHttpForwarder"/> over one shared,
/// pooled <see cref="HttpMessageInvoker"/> (no proxy, no redirects, no decompression, no cookies: the proxy passes
/// bytes through). Failures are classified by YARP (<see cref="ForwarderError"/>): the runner's side gets a page,
/// the client's side (it went away) only a debug line.
/// </summary>
public sealed partial class RunnerForwarder(IHttpForwarder forwarder, SiteTraffic traffic, ILogger<RunnerForwarder> logger) : IDisposable
{
    /// <summary>Which unix socket a socket.io request goes to, carried on the outgoing request to the connect callback.</summary>
    private static readonly HttpRequestOptionsKey<string> SocketPath = new("press.socketio-socket");

    // socket.io listens on a unix socket (it binds no TCP port, docs/architecture.md §9): the connection goes to the socket
    // the request names. Long polls and WebSocket upgrades both pass (HTTP/1.1).
    private readonly HttpMessageInvoker _socketIo = new(new SocketsHttpHandler
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        AutomaticDecompression = DecompressionMethods.None,
        UseCookies = false,
        ConnectTimeout = TimeSpan.FromSeconds(5),
        ConnectCallback = async (context, ct) =>
        {
            var path = context.InitialRequestMessage.Options.TryGetValue(SocketPath, out var p) ? p
                : throw new InvalidOperationException("a socket.io request without its socket");
            var socket = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified);
            try
            {
                await socket.ConnectAsync(new System.Net.Sockets.UnixDomainSocketEndPoint(path), ct);
                return new System.Net.Sockets.NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    });

    private readonly HttpMessageInvoker _invoker = new(new SocketsHttpHandler
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        AutomaticDecompression = DecompressionMethods.None,
        UseCookies = false,
        EnableMultipleHttp2Connections = true,
        ConnectTimeout = TimeSpan.FromSeconds(5),
        ActivityHeadersPropagator = new ReverseProxyPropagator(DistributedContextPropagator.Current),
    });

    // Runners speak HTTP/1.1 (gunicorn, bench serve). Frappe's own gunicorn timeout is 120 s; allow a little more.
    private static readonly ForwarderRequestConfig Config = new()
    {
        Version = HttpVersion.Version11,
        VersionPolicy = HttpVersionPolicy.RequestVersionOrLower,
        ActivityTimeout = TimeSpan.FromSeconds(130),
    };

    /// <summary>Forwards to the runner and counts the request for the site's usage, with the status the client got.</summary>
    public async Task ForwardAsync(HttpContext context, string site, int port)
    {
        try { await SendAsync(context, site, port); }
        finally { traffic.Count(site, context.Response.StatusCode); }
    }

    private async Task SendAsync(HttpContext context, string site, int port)
    {
        var error = await forwarder.SendAsync(context, $"http://127.0.0.1:{port}/", _invoker, Config, new RunnerTransformer(site));
        if (error == ForwarderError.None) return;

        var exception = context.GetForwarderErrorFeature()?.Exception;
        if (ClientSide(error))
        {
            LogClientGone(site, error, exception?.Message);
            return;
        }
        LogRunnerFailed(site, port, error, exception?.Message);
        if (context.Response.HasStarted) return; // mid-body: the connection is aborted, nothing more to say
        // Refused or reset before answering: a runner that is restarting; timed out: a gateway timeout.
        var status = error == ForwarderError.RequestTimedOut ? StatusCodes.Status504GatewayTimeout : StatusCodes.Status503ServiceUnavailable;
        await MaintenancePages.UnreachableAsync(context, site, status);
    }

    /// <summary>
    /// Forwards a <c>/socket.io</c> request of a served site to the site's socket.io on its unix socket, with the same
    /// headers as a runner gets (socket.io checks Origin against Host and signs in through the site). A socket.io that
    /// is down answers 503, like a runner.
    /// </summary>
    public async Task ForwardSocketIoAsync(HttpContext context, string site, string socket)
    {
        var error = await forwarder.SendAsync(context, "http://localhost/", _socketIo, Config, new SocketIoTransformer(site, socket));
        if (error == ForwarderError.None) return;
        var exception = context.GetForwarderErrorFeature()?.Exception;
        if (ClientSide(error))
        {
            LogClientGone(site, error, exception?.Message);
            return;
        }
        LogSocketIoFailed(site, socket, error, exception?.Message);
        if (!context.Response.HasStarted) await MaintenancePages.UnreachableAsync(context, site, StatusCodes.Status503ServiceUnavailable);
    }

    private sealed class SocketIoTransformer(string site, string socket) : HttpTransformer
    {
        private readonly RunnerTransformer _headers = new(site);

        public override async ValueTask TransformRequestAsync(HttpContext context, HttpRequestMessage proxyRequest, string destinationPrefix,
            CancellationToken cancellationToken)
        {
            await _headers.TransformRequestAsync(context, proxyRequest, destinationPrefix, cancellationToken);
            proxyRequest.Options.Set(SocketPath, socket);
        }
    }

    [LoggerMessage(LogLevel.Warning, "Proxy: socket.io of site {SiteName} on {Socket} failed: {Error} ({Detail})")]
    private partial void LogSocketIoFailed(string siteName, string socket, ForwarderError error, string? detail);

    private static bool ClientSide(ForwarderError error) => error is ForwarderError.RequestCanceled or ForwarderError.RequestBodyCanceled
        or ForwarderError.RequestBodyClient or ForwarderError.ResponseBodyCanceled or ForwarderError.ResponseBodyClient
        or ForwarderError.UpgradeRequestCanceled or ForwarderError.UpgradeRequestClient or ForwarderError.UpgradeResponseCanceled
        or ForwarderError.UpgradeResponseClient;

    [LoggerMessage(LogLevel.Warning, "Proxy: site {SiteName}'s runner on 127.0.0.1:{Port} failed: {Error} ({Detail})")]
    private partial void LogRunnerFailed(string siteName, int port, ForwarderError error, string? detail);

    [LoggerMessage(LogLevel.Debug, "Proxy: client of {SiteName} went away: {Error} ({Detail})")]
    private partial void LogClientGone(string siteName, ForwarderError error, string? detail);

    public void Dispose()
    {
        _invoker.Dispose();
        _socketIo.Dispose();
    }
}

/// <summary>
/// What a runner is told about the request. The Host header stays the client's (Frappe picks the site by it), and
/// <c>X-Frappe-Site-Name</c> is set to the routed site: Frappe prefers that header over Host, so a client must not
/// choose it (one bench serves every site of its bench folder — a client-chosen name would reach a suspended site
/// through an active one's runner), and with it custom domains reach their site. The proxy is the edge, so the
/// client's own <c>X-Forwarded-*</c>/<c>Forwarded</c> headers are dropped and replaced, never trusted.
/// </summary>
public sealed class RunnerTransformer(string site) : HttpTransformer
{
    public const string SiteNameHeader = "X-Frappe-Site-Name";

    private static readonly string[] Replaced =
        ["Forwarded", "X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host", "X-Forwarded-Prefix", "X-Real-IP", SiteNameHeader];

    public override async ValueTask TransformRequestAsync(HttpContext context, HttpRequestMessage proxyRequest, string destinationPrefix,
        CancellationToken cancellationToken)
    {
        await base.TransformRequestAsync(context, proxyRequest, destinationPrefix, cancellationToken);
        var headers = proxyRequest.Headers;
        foreach (var name in Replaced) headers.Remove(name);
        var host = context.Request.Host.Value;
        headers.Host = host;
        if (context.Connection.RemoteIpAddress is { } ip)
            headers.TryAddWithoutValidation("X-Forwarded-For", (ip.IsIPv4MappedToIPv6 ? ip.MapToIPv4() : ip).ToString());
        headers.TryAddWithoutValidation("X-Forwarded-Proto", context.Request.Scheme);
        if (!string.IsNullOrEmpty(host)) headers.TryAddWithoutValidation("X-Forwarded-Host", host);
        headers.TryAddWithoutValidation(SiteNameHeader, site);
    }
}
