using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Press.EndToEnd.Tests.Harness;
using Press.Testing;

namespace Press.EndToEnd.Tests;

/// <summary>
/// The manager as a process on loopback with its embedded proxy on (no runners, so no machine-wide lock): what an
/// anonymous caller reaches through the proxy on Press's own host, through Traefik (simulated by its forwarding
/// header, since Traefik reaches the API from 127.0.0.1), and directly on the API port; and a real chunked body.
/// </summary>
public sealed class ExposureTests(ExposureTests.Stack stack) : IClassFixture<ExposureTests.Stack>, IDisposable
{
    private const string PressHost = "press.exposure.test";
    private static readonly string[] Diagnostics = ["/metrics", "/readyz", "/openapi/v1.json"];

    private readonly HttpClient _http = new(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false }) { Timeout = TimeSpan.FromSeconds(20) };

    /// <summary>One installation and manager for the class.</summary>
    public sealed class Stack : IAsyncLifetime
    {
        private PressDatabase? _db;
        public PressProcess Manager { get; private set; } = null!;
        public PressApi Api { get; private set; } = null!;
        public int ProxyPort { get; } = Ports.Reserve();

        public async Task InitializeAsync()
        {
            _db = await PressDatabase.CreateAsync();
            Manager = await PressProcess.StartManagerAsync(_db, "manager", new Dictionary<string, string?>
            {
                ["Press:Ingress:ProxyUrl"] = $"http://127.0.0.1:{ProxyPort}",
                ["Press:Ingress:PressHost"] = PressHost,
            });
            Api = await PressApi.LoginAsync(Manager.BaseUrl, _db.AdminPassword);
        }

        public async Task DisposeAsync()
        {
            Api?.Dispose();
            if (Manager is not null) await Manager.DisposeAsync();
            Ports.Release(ProxyPort);
            if (_db is not null) await _db.DisposeAsync();
        }
    }

    private async Task<HttpStatusCode> GetAsync(Uri url, string? host = null, string? token = null, (string, string)? header = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (host is not null) request.Headers.Host = host;
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (header is var (name, value)) request.Headers.TryAddWithoutValidation(name, value);
        using var response = await _http.SendAsync(request);
        return response.StatusCode;
    }

    private Uri Proxy(string path) => new($"http://127.0.0.1:{stack.ProxyPort}{path}");
    private Uri Api(string path) => new(stack.Manager.BaseUrl, path);

    [Fact]
    public async Task Diagnostics_are_closed_to_anonymous_callers_through_the_proxy_or_Traefik_and_open_to_a_local_scrape_or_a_token()
    {
        foreach (var path in Diagnostics)
        {
            Assert.True(await GetAsync(Proxy(path), PressHost) == HttpStatusCode.Unauthorized, $"{path} through the proxy\n{stack.Manager.Describe()}");
            Assert.Equal(HttpStatusCode.Unauthorized, await GetAsync(Api(path), header: ("X-Forwarded-For", "203.0.113.5")));
            Assert.Equal(HttpStatusCode.Unauthorized, await GetAsync(Api(path), header: ("X-Forwarded-For", "127.0.0.1")));
            Assert.Equal(HttpStatusCode.OK, await GetAsync(Api(path))); // Prometheus on the host network
            Assert.Equal(HttpStatusCode.OK, await GetAsync(Proxy(path), PressHost, stack.Api.Token));
        }
        Assert.Equal(HttpStatusCode.OK, await GetAsync(Proxy("/healthz"), PressHost));
        Assert.Equal(HttpStatusCode.OK, await GetAsync(Api("/healthz"), header: ("X-Forwarded-For", "203.0.113.5")));
    }

    [Fact]
    public async Task An_oversize_chunked_body_is_cut_off_with_413()
    {
        var body = new UnsizedStream(Encoding.UTF8.GetBytes("{\"name\": \"chunked.example.com\", \"pad\": \"" + new string('a', 1024 * 1024) + "\"}"));
        using var request = new HttpRequestMessage(HttpMethod.Post, Api("/api/sites")) { Content = new StreamContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.TransferEncodingChunked = true;
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", stack.Api.Token);

        using var response = await _http.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Null(request.Content.Headers.ContentLength);
        Assert.Empty((await stack.Api.ListJobsAsync("chunked.example.com")));
    }

    [Fact]
    public async Task The_CLI_lists_creates_and_revokes_tokens()
    {
        var home = Directory.CreateTempSubdirectory("press-e2e-token-cli-").FullName;
        try
        {
            var cli = new PressCli(home);
            var url = stack.Manager.BaseUrl.ToString();
            var created = await cli.RunAsync("token", "create", "--name", "from-cli", "--role", "viewer", "--expires-in-days", "2",
                "--url", url, "--token", stack.Api.Token, "--json");
            Assert.True(created.ExitCode == 0, cli.Transcript);
            using var minted = JsonDocument.Parse(created.Stdout);
            var id = minted.RootElement.GetProperty("id").GetString()!;
            var token = minted.RootElement.GetProperty("token").GetString()!;

            var list = await cli.RunAsync("token", "list", "--url", url, "--token", token);
            Assert.True(list.ExitCode == 0, cli.Transcript);
            Assert.Contains("from-cli", list.Stdout);
            Assert.DoesNotContain(token, list.Stdout);

            var revoke = await cli.RunAsync("token", "revoke", id, "--url", url, "--token", stack.Api.Token);
            Assert.True(revoke.ExitCode == 0, cli.Transcript);
            Assert.Contains("Revoked 1 token(s)", revoke.Stdout);
            var refused = await cli.RunAsync("token", "list", "--url", url, "--token", token);
            Assert.True(refused.ExitCode != 0, cli.Transcript);
            Assert.Contains("401", refused.Stderr + refused.Stdout);
        }
        finally
        {
            Directory.Delete(home, recursive: true);
        }
    }

    public void Dispose() => _http.Dispose();

    /// <summary>Hides its length, so the body can only go chunked.</summary>
    private sealed class UnsizedStream(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;
        public override long Length => throw new NotSupportedException();
    }
}
