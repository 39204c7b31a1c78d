using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Press.Manager.Tests.Harness;

namespace Press.Manager.Tests;

/// <summary>Press with the ingress secret Traefik sends (Press:Ingress:TraefikSecret).</summary>
public sealed class PressAppWithTraefikSecret : IAsyncLifetime
{
    public const string Secret = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    public PressApp App { get; } = new() { ExtraSettings = new Dictionary<string, string?> { ["Press:Ingress:TraefikSecret"] = Secret } };
    public Task InitializeAsync() => App.InitializeAsync();
    public Task DisposeAsync() => App.DisposeAsync();
}

/// <summary>GET /api/ingress/traefik: Traefik's HTTP provider endpoint, behind the shared secret header.</summary>
public sealed class TraefikEndpointTests(PressAppWithTraefikSecret fixture) : IClassFixture<PressAppWithTraefikSecret>
{
    private const string Path = "/api/ingress/traefik";
    private PressApp App => fixture.App;

    private async Task<HttpResponseMessage> FetchAsync(string? secret, HttpClient? client = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, Path);
        if (secret is not null) request.Headers.Add("X-Press-Ingress-Secret", secret);
        return await (client ?? App.Anonymous).SendAsync(request);
    }

    private async Task<(string Text, JsonElement Json)> ConfigAsync()
    {
        var response = await FetchAsync(PressAppWithTraefikSecret.Secret);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {text}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return (text, JsonDocument.Parse(text).RootElement.Clone());
    }

    private static JsonElement? Router(JsonElement config, string name) =>
        config.GetProperty("http").GetProperty("routers").TryGetProperty(name, out var r) ? r : null;

    [Fact]
    public async Task The_output_has_one_websecure_router_for_each_host_of_the_route_table()
    {
        await App.Admin.RunAsync(App.Admin.CreateSiteAsync("same-table.example.com"));
        var (_, config) = await ConfigAsync();
        var provider = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions
            .GetRequiredService<Press.Infrastructure.Ingress.RouteTableProvider>(App.ManagerServices);
        await provider.RefreshAsync(CancellationToken.None);

        var hosts = config.GetProperty("http").GetProperty("routers").EnumerateObject()
            .Where(r => r.Name.StartsWith("host-", StringComparison.Ordinal))
            .Select(r => r.Value.GetProperty("rule").GetString()!["Host(`".Length..^"`)".Length])
            .Order(StringComparer.Ordinal);
        Assert.Equal(provider.Current.Routes.Select(r => r.Host).Order(StringComparer.Ordinal), hosts);
    }

    [Fact]
    public async Task Without_the_right_secret_the_answer_is_401()
    {
        foreach (var secret in new string?[] { null, "", "wrong", PressAppWithTraefikSecret.Secret[..^1], PressAppWithTraefikSecret.Secret + "0" })
        {
            var response = await FetchAsync(secret);
            Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"secret '{secret}' gave {(int)response.StatusCode}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.Contains("X-Press-Ingress-Secret", await response.Content.ReadAsStringAsync());
        }
        // An admin API token is no substitute: Traefik's endpoint only takes the secret.
        Assert.Equal(HttpStatusCode.Unauthorized, (await FetchAsync(null, App.Admin)).StatusCode);
    }

    [Fact]
    public async Task The_secret_never_reaches_the_output_or_the_logs_and_the_endpoint_is_documented()
    {
        var (text, _) = await ConfigAsync();
        Assert.DoesNotContain(PressAppWithTraefikSecret.Secret, text);
        Assert.DoesNotContain(App.Logs.Lines, l => l.Contains(PressAppWithTraefikSecret.Secret, StringComparison.Ordinal));

        var paths = (await (await App.Admin.GetAsync("/openapi/v1.json")).Json(HttpStatusCode.OK)).GetProperty("paths");
        Assert.True(paths.GetProperty(Path).TryGetProperty("get", out _));
        Assert.True(paths.GetProperty("/api/sites/{name}/domains").TryGetProperty("post", out _));
        Assert.True(paths.GetProperty("/api/sites/{name}/domains/{domain}").TryGetProperty("delete", out _));
    }

    [Fact]
    public async Task With_the_secret_it_serves_press_and_every_site_deterministically()
    {
        await App.Admin.RunAsync(App.Admin.CreateSiteAsync("det.example.com"));
        var (first, config) = await ConfigAsync();
        var (second, _) = await ConfigAsync();
        Assert.Equal(first, second);

        // Press's own host (Press:Ingress:PressHost, default press.localhost) and the site; TLS is on by default.
        var press = Router(config, "host-press-localhost")!.Value;
        Assert.Equal("Host(`press.localhost`)", press.GetProperty("rule").GetString());
        Assert.Equal("press", press.GetProperty("service").GetString());
        Assert.Equal("letsencrypt", press.GetProperty("tls").GetProperty("certResolver").GetString());
        Assert.NotNull(Router(config, "redirect-press-localhost"));
        // The runtime driver is "none" here: the active site is not served, so Press answers it (maintenance page).
        Assert.Equal("press", Router(config, "host-det-example-com")!.Value.GetProperty("service").GetString());
        // Press is reached where Traefik reached this endpoint.
        var url = config.GetProperty("http").GetProperty("services").GetProperty("press").GetProperty("loadBalancer")
            .GetProperty("servers")[0].GetProperty("url").GetString();
        Assert.Equal(App.Anonymous.BaseAddress!.GetLeftPart(UriPartial.Authority), url);
    }

    [Fact]
    public async Task A_domain_routes_like_its_site_and_goes_away_when_removed()
    {
        var api = App.Admin;
        await api.RunAsync(api.CreateSiteAsync("dom.example.com"));
        Assert.Null(Router((await ConfigAsync()).Json, "host-dom-example-org"));

        await (await api.PostAsJsonAsync("/api/sites/dom.example.com/domains", new { domain = "dom.example.org" })).Json(HttpStatusCode.Created);
        var (_, config) = await ConfigAsync();
        var site = Router(config, "host-dom-example-com")!.Value;
        var domain = Router(config, "host-dom-example-org")!.Value;
        Assert.Equal("Host(`dom.example.org`)", domain.GetProperty("rule").GetString());
        Assert.Equal(site.GetProperty("service").GetString(), domain.GetProperty("service").GetString());
        Assert.Equal(site.GetProperty("middlewares").ToString(), domain.GetProperty("middlewares").ToString());
        Assert.NotNull(Router(config, "redirect-dom-example-org"));

        Assert.Equal(HttpStatusCode.NoContent, (await api.DeleteAsync("/api/sites/dom.example.com/domains/dom.example.org")).StatusCode);
        (_, config) = await ConfigAsync();
        Assert.Null(Router(config, "host-dom-example-org"));
        Assert.Null(Router(config, "redirect-dom-example-org"));
        Assert.NotNull(Router(config, "host-dom-example-com"));
    }

    [Fact]
    public async Task Each_change_shows_at_once_even_when_the_clock_stands_still()
    {
        // The fake clock does not move, and swapping one domain for another leaves every count as it was: the route
        // stamp must move anyway, or Traefik would keep being served the old domain.
        var api = App.Admin;
        await api.RunAsync(api.CreateSiteAsync("still.example.com"));
        string? previous = null;
        foreach (var domain in new[] { "a.still.example.org", "b.still.example.org", "c.still.example.org" })
        {
            if (previous is not null)
                Assert.Equal(HttpStatusCode.NoContent, (await api.DeleteAsync($"/api/sites/still.example.com/domains/{previous}")).StatusCode);
            await (await api.PostAsJsonAsync("/api/sites/still.example.com/domains", new { domain })).Json(HttpStatusCode.Created);

            var config = (await ConfigAsync()).Json;
            Assert.NotNull(Router(config, "host-" + domain.Replace('.', '-')));
            if (previous is not null) Assert.Null(Router(config, "host-" + previous.Replace('.', '-')));
            previous = domain;
        }
    }

    [Fact]
    public async Task Deleted_sites_and_their_domains_route_to_press_and_purged_ones_vanish()
    {
        var api = App.Admin;
        await api.RunAsync(api.CreateSiteAsync("bye.example.com"));
        await (await api.PostAsJsonAsync("/api/sites/bye.example.com/domains", new { domain = "bye.example.org" })).Json(HttpStatusCode.Created);
        await api.RunAsync((await api.DeleteAsync("/api/sites/bye.example.com")).Json(HttpStatusCode.Accepted));
        var config = (await ConfigAsync()).Json;
        Assert.Equal("press", Router(config, "host-bye-example-com")!.Value.GetProperty("service").GetString());
        Assert.Equal("press", Router(config, "host-bye-example-org")!.Value.GetProperty("service").GetString());

        await api.RunAsync(api.PostAsync("/api/sites/bye.example.com/purge", HttpStatusCode.Accepted));
        config = (await ConfigAsync()).Json;
        Assert.Null(Router(config, "host-bye-example-com"));
        Assert.Null(Router(config, "host-bye-example-org"));
    }
}

/// <summary>Without a configured secret the endpoint says so, but only to a caller that sent one.</summary>
public sealed class TraefikEndpointUnconfiguredTests(PressApp app) : IClassFixture<PressApp>
{
    [Fact]
    public async Task A_caller_with_a_secret_learns_the_ingress_is_not_configured_others_get_401()
    {
        using var anonymous = new HttpRequestMessage(HttpMethod.Get, "/api/ingress/traefik");
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.Anonymous.SendAsync(anonymous)).StatusCode);

        using var withSecret = new HttpRequestMessage(HttpMethod.Get, "/api/ingress/traefik");
        withSecret.Headers.Add("X-Press-Ingress-Secret", "anything");
        var response = await app.Anonymous.SendAsync(withSecret);
        var problem = await response.Json(HttpStatusCode.ServiceUnavailable);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("Press__Ingress__TraefikSecret_FILE", problem.GetProperty("detail").GetString());
    }
}
