using System.Net;
using Press.Infrastructure.Ingress;
using Press.Manager.Ingress;

namespace Press.Manager.Auth;

/// <summary>
/// Where a request comes from, decided once per request (<see cref="CallerMiddleware"/>).
/// <list type="bullet">
/// <item><see cref="IsLocal"/>: a process on this host talking to the API port directly — the TCP peer is loopback, the
/// request did not come in on the embedded proxy's port (the public entry in embedded mode), and it carries no
/// forwarding header. Traefik runs on the host network and reaches the API from 127.0.0.1, but it always adds
/// X-Forwarded-For (it drops a client's own copy unless told to trust it), so a request through Traefik is never local,
/// whatever the client claims.</item>
/// <item><see cref="Address"/>: the client's address for throttling and the audit trail — the peer, or, when the peer is
/// loopback on the API port (Traefik), the last X-Forwarded-For entry: the one Traefik itself appended. Forwarding
/// headers from any other peer, or on the proxy port, are ignored.</item>
/// </list>
/// ASP.NET's ForwardedHeadersMiddleware would rewrite the peer address itself, losing the fact that the request came
/// through a proxy (which is what makes it not local), and would apply on the proxy port too; so this small rule.
/// </summary>
public sealed record Caller(bool IsLocal, IPAddress? Address)
{
    public static readonly string[] ForwardingHeaders = ["X-Forwarded-For", "Forwarded", "X-Real-IP"];

    public static Caller Of(HttpContext http) =>
        http.Features.Get<Caller>() ?? throw new InvalidOperationException("CallerMiddleware did not run for this request.");

    public static Caller From(HttpContext http, int? proxyPort)
    {
        var peer = http.Connection.RemoteIpAddress is { IsIPv4MappedToIPv6: true } mapped ? mapped.MapToIPv4() : http.Connection.RemoteIpAddress;
        var loopbackOnApiPort = peer is not null && IPAddress.IsLoopback(peer) && http.Connection.LocalPort != proxyPort;
        var forwarded = ForwardingHeaders.Any(h => http.Request.Headers.ContainsKey(h));
        if (!loopbackOnApiPort) return new Caller(false, peer);
        if (!forwarded) return new Caller(true, peer);
        var last = http.Request.Headers["X-Forwarded-For"].ToString().Split(',').LastOrDefault()?.Trim();
        return new Caller(false, IPAddress.TryParse(last, out var client) ? client : null);
    }
}

/// <summary>Sets <see cref="Caller"/> on every request that reaches the API.</summary>
public sealed class CallerMiddleware(RequestDelegate next, IngressOptions options)
{
    private readonly int? _proxyPort = EmbeddedProxy.ProxyPort(options);

    public Task InvokeAsync(HttpContext http)
    {
        http.Features.Set(Caller.From(http, _proxyPort));
        return next(http);
    }
}
