using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Press.Infrastructure;
using Press.Testing;
using Press.Worker.Jobs;
using Press.Worker.Scheduling;

namespace Press.Testing.InProcess;

/// <summary>
/// Press in-process: the manager under WebApplicationFactory and a worker host, on a fresh installation in the real
/// PostgreSQL 16 and Redis, sharing one <see cref="FakeTimeProvider"/> so retention can be fast-forwarded.
/// </summary>
public sealed class PressApp : IAsyncLifetime
{
    private PressDatabase? _db;
    private WebApplicationFactory<Program>? _factory;
    private IHost? _worker;

    public FakeTimeProvider Time { get; } = new(DateTimeOffset.UtcNow);
    /// <summary>Every log line of the manager and the worker, at every level.</summary>
    public CollectingLoggerProvider Logs { get; } = new();
    public PressDatabase Db => _db!;
    public HttpClient Anonymous { get; private set; } = null!;
    /// <summary>Authenticated with an admin API token.</summary>
    public HttpClient Admin { get; private set; } = null!;
    public IServiceProvider ManagerServices => _factory!.Services;
    /// <summary>The in-process server, for requests that set the connection (peer address, local port) themselves.</summary>
    public TestServer Server => _factory!.Server;

    /// <summary>A client without credentials of its own.</summary>
    public HttpClient NewClient() => _factory!.CreateClient();

    /// <summary>A browser-like client: keeps cookies, does not follow redirects (tests look at each one).</summary>
    public HttpClient BrowserClient() => _factory!.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });

    /// <summary>The bootstrap admin's HTTP Basic credentials.</summary>
    public AuthenticationHeaderValue AdminBasic() =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"admin:{_db!.AdminPassword}")));
    public IServiceProvider WorkerServices => _worker?.Services ?? throw new InvalidOperationException("worker not started");

    /// <summary>Whether the worker starts with the app; tests that need jobs to stay queued turn it off.</summary>
    public bool StartWorker { get; init; } = true;

    /// <summary>Extra configuration (e.g. <c>Press:Ingress:TraefikSecret</c>) for both the manager and the worker.</summary>
    public IDictionary<string, string?> ExtraSettings { get; init; } = new Dictionary<string, string?>();

    public async Task InitializeAsync()
    {
        _db = await PressDatabase.CreateAsync();
        _factory = new WebApplicationFactory<Program>().WithWebHostBuilder(web =>
        {
            web.UseEnvironment("Testing");
            web.ConfigureAppConfiguration((_, config) => config.AddInMemoryCollection(_db.Settings()).AddInMemoryCollection(ExtraSettings));
            web.ConfigureTestServices(services => services.AddSingleton<TimeProvider>(Time));
            web.ConfigureLogging(l => l.SetMinimumLevel(LogLevel.Trace).AddProvider(Logs).AddFilter<Microsoft.Extensions.Logging.Console.ConsoleLoggerProvider>(_ => false));
        });
        Anonymous = _factory.CreateClient();
        Admin = await ClientWithTokenAsync("admin");
        if (StartWorker) await StartWorkerAsync();
    }

    public async Task StartWorkerAsync()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(_db!.Settings());
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Press:Worker:IdlePollInterval"] = "00:00:00.200",
            ["Press:Worker:FallbackPollInterval"] = "00:00:00.200",
        });
        builder.Configuration.AddInMemoryCollection(ExtraSettings);
        builder.Logging.ClearProviders().SetMinimumLevel(LogLevel.Trace).AddProvider(Logs);
        builder.Services.AddSingleton<TimeProvider>(Time);
        builder.Services.AddPressInfrastructure();
        builder.Services.AddPressJobEngine();
        builder.Services.AddPressOptions<WorkerOptions>(WorkerOptions.Section);
        builder.Services.AddSingleton<JobWorker>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<JobWorker>());
        builder.Services.AddSingleton<RetentionScheduler>(); // not hosted: tests call RunOnceAsync after moving time
        _worker = builder.Build();
        await _worker.StartAsync();
    }

    /// <summary>A client with a fresh API token of the given role, minted with the bootstrap admin's password.</summary>
    public async Task<HttpClient> ClientWithTokenAsync(string role)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/tokens")
        {
            Content = JsonContent.Create(new { name = $"test-{role}", role }),
        };
        request.Headers.Authorization = AdminBasic();
        using var response = await Anonymous.SendAsync(request);
        response.EnsureSuccessStatusCode();
        var token = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString()!;
        var client = _factory!.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    public async Task DisposeAsync()
    {
        if (_worker is not null)
        {
            await _worker.StopAsync();
            _worker.Dispose();
        }
        if (_factory is not null) await _factory.DisposeAsync();
        if (_db is not null) await _db.DisposeAsync();
    }
}

/// <summary>Same as <see cref="PressApp"/> but jobs stay queued until the test starts the worker.</summary>
public sealed class PressAppWithoutWorker() : IAsyncLifetime
{
    public PressApp App { get; } = new() { StartWorker = false };
    public Task InitializeAsync() => App.InitializeAsync();
    public Task DisposeAsync() => App.DisposeAsync();
}

/// <summary>
/// Same as <see cref="PressApp"/> with the embedded proxy on (port 48580, not bound: the in-process server takes
/// requests that say which local port they reached).
/// </summary>
public sealed class PressAppWithEmbeddedProxy : IAsyncLifetime
{
    public const int ProxyPort = 48580;

    public PressApp App { get; } = new()
    {
        ExtraSettings = new Dictionary<string, string?> { ["Press:Ingress:ProxyUrl"] = $"http://127.0.0.1:{ProxyPort}" },
    };

    public Task InitializeAsync() => App.InitializeAsync();
    public Task DisposeAsync() => App.DisposeAsync();
}
