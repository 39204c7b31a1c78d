using System.Net.Http.Json;
using System.Text.Json;

namespace Press.EndToEnd.Tests.Harness;

/// <summary>
/// A site's user as the Frappe test double serves one (tests/Press.FrappeDouble/README.md): a Password field written
/// and read back (Fernet under the site's encryption_key), Note documents written. Straight to the runner's port with
/// the site's Host header.
/// </summary>
public static class FrappeSiteClient
{
    private static readonly HttpClient Http = new(new SocketsHttpHandler { UseProxy = false, PooledConnectionLifetime = TimeSpan.Zero })
    {
        Timeout = TimeSpan.FromSeconds(10),
    };

    public sealed record Answer(int Status, string Body)
    {
        public string? Message => Status == 200 && JsonDocument.Parse(Body).RootElement.TryGetProperty("message", out var m) ? m.GetString() : null;
        public override string ToString() => $"{Status} {Body}";
    }

    public static Task<Answer> SetPasswordAsync(string site, int port, string doctype, string name, string field, string password) =>
        SendAsync(HttpMethod.Post, site, port, "/api/method/frappe_test_double.set_password",
            new { doctype, name, fieldname = field, password });

    public static Task<Answer> GetPasswordAsync(string site, int port, string doctype, string name, string field) =>
        SendAsync(HttpMethod.Get, site, port,
            $"/api/method/frappe_test_double.get_password?doctype={Uri.EscapeDataString(doctype)}&name={Uri.EscapeDataString(name)}&fieldname={Uri.EscapeDataString(field)}",
            null);

    public static Task<Answer> InsertNoteAsync(string site, int port, string title) =>
        SendAsync(HttpMethod.Post, site, port, "/api/resource/Note", new { title });

    private static async Task<Answer> SendAsync(HttpMethod method, string site, int port, string path, object? body)
    {
        using var request = new HttpRequestMessage(method, $"http://127.0.0.1:{port}{path}");
        request.Headers.Host = site;
        if (body is not null) request.Content = JsonContent.Create(body);
        try
        {
            using var response = await Http.SendAsync(request);
            return new Answer((int)response.StatusCode, await response.Content.ReadAsStringAsync());
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return new Answer(0, $"{ex.GetType().Name}: {ex.Message}");
        }
    }
}
