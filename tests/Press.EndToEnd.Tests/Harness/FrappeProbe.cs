using System.Net;
using System.Net.Sockets;

namespace Press.EndToEnd.Tests.Harness;

/// <summary>What a client sees of a site's runner: Frappe's ping with the site's Host header, or a refused connection.</summary>
public static class FrappeProbe
{
    private static readonly HttpClient Http = new(new SocketsHttpHandler { UseProxy = false, PooledConnectionLifetime = TimeSpan.Zero })
    {
        Timeout = TimeSpan.FromSeconds(5),
    };

    public sealed record Answer(int Status, string Body, string? Error)
    {
        public bool IsPong => Status == 200 && Body.Contains("\"message\":\"pong\"", StringComparison.Ordinal);
        public override string ToString() => Error ?? $"{Status} {Body}";
    }

    /// <summary><c>GET http://127.0.0.1:PORT/api/method/ping</c> with <c>Host: site</c>; a connection error is an answer too.</summary>
    public static async Task<Answer> PingAsync(string site, int port)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{port}/api/method/ping");
        request.Headers.Host = site;
        request.Headers.ConnectionClose = true;
        try
        {
            using var response = await Http.SendAsync(request);
            return new Answer((int)response.StatusCode, await response.Content.ReadAsStringAsync(), null);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return new Answer(0, "", $"{ex.GetType().Name}: {ex.Message}");
        }
    }

    /// <summary>Waits until the site answers pong (bounded), failing with <paramref name="diagnostics"/>.</summary>
    public static Task<Answer> UntilPongAsync(string site, int port, TimeSpan timeout, Func<string> diagnostics) =>
        Eventually.Until(() => PingAsync(site, port), a => a.IsPong, timeout, $"{site} to answer pong on 127.0.0.1:{port}", diagnostics,
            TimeSpan.FromMilliseconds(250));

    /// <summary>Waits until the runner's answer satisfies <paramref name="done"/> (30 s at most).</summary>
    public static Task<Answer> UntilAsync(string site, int port, Func<Answer, bool> done, Func<string> diagnostics) =>
        Eventually.Until(() => PingAsync(site, port), done, TimeSpan.FromSeconds(30), $"{site} on 127.0.0.1:{port} to answer as expected", diagnostics,
            TimeSpan.FromMilliseconds(250));

    /// <summary>true when nothing listens on 127.0.0.1:port (the connection is refused).</summary>
    public static async Task<bool> RefusedAsync(int port)
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync(IPAddress.Loopback, port).WaitAsync(TimeSpan.FromSeconds(3));
            return false;
        }
        catch (SocketException ex) when (ex.SocketErrorCode == SocketError.ConnectionRefused)
        {
            return true;
        }
        catch (Exception ex) when (ex is SocketException or TimeoutException)
        {
            return false; // something is there, or the connect hung: not "refused"
        }
    }

    /// <summary>Waits until connections to the port are refused (bounded).</summary>
    public static Task UntilRefusedAsync(int port, TimeSpan timeout, Func<string> diagnostics) =>
        Eventually.Until(() => RefusedAsync(port), refused => refused, timeout, $"127.0.0.1:{port} to refuse connections", diagnostics,
            TimeSpan.FromMilliseconds(200));
}
