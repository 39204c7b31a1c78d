using System.Diagnostics;
using Press.Core.Ports;

namespace Press.Infrastructure.Runtime;

/// <summary>
/// Frappe's only health signal (docs/frappe.md §3): <c>GET /api/method/ping</c> naming the site by Host header; 200
/// <c>{"message":"pong"}</c> proves the web server and the site's database connection.
/// </summary>
public sealed class FrappePing(HttpClient http)
{
    public async Task<HealthProbe> ProbeAsync(string siteName, int port, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{port}/api/method/ping");
        request.Headers.Host = siteName;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(5));
            using var response = await http.SendAsync(request, timeout.Token);
            var body = await response.Content.ReadAsStringAsync(timeout.Token);
            var healthy = (int)response.StatusCode == 200 && body.Contains("pong", StringComparison.Ordinal);
            return new HealthProbe(true, healthy,
                $"GET 127.0.0.1:{port}/api/method/ping (Host {siteName}) → {(int)response.StatusCode} in {clock.ElapsedMilliseconds} ms{(healthy ? "" : ": " + Shorten(body))}");
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException && !ct.IsCancellationRequested)
        {
            return new HealthProbe(true, false, $"GET 127.0.0.1:{port}/api/method/ping: {ex.Message}");
        }
    }

    private static string Shorten(string s) => s.Length <= 200 ? s : s[..200] + "…";
}
