using Press.EndToEnd.Tests.Harness;
using Press.Testing;

namespace Press.EndToEnd.Tests.Identity;

/// <summary>
/// The real OpenID Connect provider of tests/oidc-provider (oidc-provider from npm; <c>npm ci</c> there, which
/// scripts/test does) as a child process on 127.0.0.1. It can be stopped and started again on the same port with the
/// same signing key, as an IdP outage looks to Press.
/// </summary>
public sealed class OidcProvider : IAsyncDisposable
{
    /// <summary>Reserved for these tests (49716–49719).</summary>
    public const int DefaultPort = 49716;
    public const string ClientId = "press-manager";

    private readonly string _keyFile = Path.Combine(Path.GetTempPath(), $"press-oidc-key-{Guid.NewGuid():N}.json");
    private readonly List<string> _redirectUris;
    private ChildProcess? _process;

    public int Port { get; }
    public string Issuer => $"http://127.0.0.1:{Port}";
    public string ClientSecret { get; } = "oidc-" + Guid.NewGuid().ToString("N");
    /// <summary>Lines of the provider's earlier runs (stopped ones).</summary>
    public List<string> Output { get; } = [];

    /// <summary>Every line the provider printed, across restarts, the running one's included.</summary>
    public IEnumerable<string> AllOutput => Output.Concat(_process?.Log.Lines ?? []);

    /// <param name="initialAccessToken">Turns on dynamic client registration (RFC 7591/7592) with this initial access token.</param>
    public OidcProvider(IReadOnlyList<string> redirectUris, int port = DefaultPort, string? initialAccessToken = null)
    {
        _redirectUris = [.. redirectUris];
        Port = port;
        InitialAccessToken = initialAccessToken;
    }

    public string? InitialAccessToken { get; }

    /// <summary>Another Press allowed to sign in (its /signin-oidc), from the provider's next start on.</summary>
    public void AllowRedirect(Uri press) => _redirectUris.Add(new Uri(press, "/signin-oidc").ToString());

    public static string Folder => Path.Combine(TestServices.RepoRoot, "tests", "oidc-provider");

    public async Task StartAsync()
    {
        if (!Directory.Exists(Path.Combine(Folder, "node_modules", "oidc-provider")))
            throw new InvalidOperationException($"{Folder}/node_modules is missing: run `npm ci` there (scripts/test does).");
        _process = ChildProcess.Start($"oidc-provider:{Port}", "node", [Path.Combine(Folder, "provider.mjs")], new Dictionary<string, string?>
        {
            ["OIDC_PORT"] = Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["OIDC_CLIENT_ID"] = ClientId,
            ["OIDC_CLIENT_SECRET"] = ClientSecret,
            ["OIDC_REDIRECT_URIS"] = string.Join(',', _redirectUris),
            ["OIDC_KEY_FILE"] = _keyFile,
            ["OIDC_INITIAL_ACCESS_TOKEN"] = InitialAccessToken,
        }, Folder);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited) break;
            try
            {
                if ((await http.GetAsync($"{Issuer}/.well-known/openid-configuration")).IsSuccessStatusCode) return;
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                // not listening yet
            }
            await Task.Delay(100);
        }
        throw new InvalidOperationException("The OIDC provider did not start.\n" + _process.Describe());
    }

    /// <summary>SIGKILL: the issuer vanishes at once.</summary>
    public async Task StopAsync()
    {
        if (_process is null) return;
        await _process.KillAsync();
        Output.AddRange(_process.Log.Lines);
        await _process.DisposeAsync();
        _process = null;
    }

    /// <summary>A JWT access token for Press's audience from client_credentials (api-admin, api-operator, api-viewer, api-norole, api-short-viewer).</summary>
    public async Task<string> AccessTokenAsync(string client, string? resource = null)
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{Issuer}/token")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["grant_type"] = "client_credentials", ["scope"] = "api" }
                .Concat(resource is null ? [] : new[] { KeyValuePair.Create("resource", resource) })),
        };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{client}:{ClientSecret}")));
        using var response = await http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, body);
        return System.Text.Json.JsonDocument.Parse(body).RootElement.GetProperty("access_token").GetString()!;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        File.Delete(_keyFile);
    }
}
