using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Press.Core.Identity;
using Press.Infrastructure.Metrics;

namespace Press.Manager.Auth;

/// <summary>
/// Knows whether the OIDC issuer works, and keeps its last good configuration (discovery document and signing keys).
/// It is the <see cref="IConfigurationManager{T}"/> of both the OIDC and the JWT bearer handler, replacing the stock
/// one, which fetches lazily inside a challenge (an unreachable issuer becomes a 500, dotnet/aspnetcore#59462) and could
/// keep a failed first fetch for its whole refresh interval. Here the configuration is fetched by probes with a short
/// timeout: at start, every <see cref="OidcOptions.ProbeInterval"/> (on <see cref="TimeProvider"/>), before every
/// SSO challenge, and when the login page finds the last probe older than <see cref="OidcOptions.ProbeFreshFor"/>.
/// A failed probe marks SSO down (the login page offers the local form) but never drops the last good configuration,
/// so bearer JWTs keep validating against the cached keys while the issuer is away.
/// </summary>
public sealed partial class SsoMonitor(OidcOptions options, IHttpClientFactory http, TimeProvider time, LoginMetrics metrics,
    ILogger<SsoMonitor> logger) : BackgroundService, IConfigurationManager<OpenIdConnectConfiguration>
{
    public const string HttpClientName = "oidc-probe";
    private readonly SemaphoreSlim _probing = new(1, 1);
    private OpenIdConnectConfiguration? _lastGood;
    private DateTimeOffset _probedAt = DateTimeOffset.MinValue;
    private bool? _up;

    /// <summary>Up, Down, or NotConfigured, as of the last probe (Down before the first one has answered).</summary>
    public SsoState State => !options.IsConfigured ? SsoState.NotConfigured : _up == true ? SsoState.Up : SsoState.Down;

    /// <summary>When the issuer was last found down (for the login page's message); null while up.</summary>
    public DateTimeOffset? DownSince { get; private set; }

    /// <summary>The state, probing first when the last probe is older than <see cref="OidcOptions.ProbeFreshFor"/>.</summary>
    public async Task<SsoState> CurrentAsync(CancellationToken ct)
    {
        if (!options.IsConfigured) return SsoState.NotConfigured;
        if (time.GetUtcNow() - _probedAt > options.ProbeFreshFor) await ProbeAsync(ct);
        return State;
    }

    /// <summary>Fetches discovery and keys now (one probe at a time; a caller that waited reuses the result).</summary>
    public async Task<bool> ProbeAsync(CancellationToken ct)
    {
        if (!options.IsConfigured) return false;
        var asked = time.GetUtcNow();
        await _probing.WaitAsync(ct);
        try
        {
            if (_probedAt >= asked) return _up == true; // another caller probed while this one waited
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(options.ProbeTimeout);
            string? problem = null;
            try
            {
                var client = http.CreateClient(HttpClientName);
                var retriever = new HttpDocumentRetriever(client) { RequireHttps = new Uri(options.Authority!).Scheme == "https" };
                var config = await OpenIdConnectConfigurationRetriever.GetAsync(DiscoveryUrl(options.Authority!), retriever, timeout.Token);
                if (!string.Equals(config.Issuer, options.Authority!.TrimEnd('/'), StringComparison.Ordinal))
                    problem = $"its discovery document names issuer '{config.Issuer}', not '{options.Authority!.TrimEnd('/')}'";
                else if (config.SigningKeys.Count == 0) problem = "it publishes no signing keys";
                else _lastGood = config;
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException or OperationCanceledException or InvalidOperationException
                                           or System.Text.Json.JsonException or ArgumentException && !ct.IsCancellationRequested)
            {
                problem = ex is OperationCanceledException ? $"no answer within {options.ProbeTimeout.TotalSeconds:0.#} s" : ex.GetType().Name + ": " + ex.Message;
            }
            Record(problem);
            _probedAt = time.GetUtcNow();
            return problem is null;
        }
        finally
        {
            _probing.Release();
        }
    }

    private void Record(string? problem)
    {
        var up = problem is null;
        if (_up != up)
        {
            if (up) LogUp(logger, options.Authority!);
            else LogDown(logger, options.Authority!, problem!);
        }
        if (!up && _up != false) DownSince = time.GetUtcNow();
        if (up) DownSince = null;
        _up = up;
        metrics.SsoUp(up);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.IsConfigured)
        {
            LogLocalOnly(logger);
            return;
        }
        LogConfigured(logger, options.Authority!, options.ClientId ?? "", options.RolesClaim);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await ProbeAsync(stoppingToken);
                await Task.Delay(options.ProbeInterval, time, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // shutting down
        }
    }

    public static string DiscoveryUrl(string authority) => authority.TrimEnd('/') + "/.well-known/openid-configuration";

    // IConfigurationManager: the handlers ask here for the issuer's configuration.
    public async Task<OpenIdConnectConfiguration> GetConfigurationAsync(CancellationToken cancel)
    {
        if (_lastGood is null) await ProbeAsync(cancel);
        return _lastGood ?? throw new InvalidOperationException($"The OIDC issuer {options.Authority} has not answered yet.");
    }

    /// <summary>A handler saw a key it does not know (the issuer rotated its keys): probe again soon, not on every request.</summary>
    public void RequestRefresh()
    {
        if (time.GetUtcNow() - _probedAt > options.ProbeFreshFor) _ = ProbeAsync(CancellationToken.None);
    }

    [LoggerMessage(LogLevel.Warning, "Single sign-on is not configured (Press__Oidc__Authority is unset): local accounts only.")]
    private static partial void LogLocalOnly(ILogger logger);

    [LoggerMessage(LogLevel.Information, "Single sign-on through {Authority} (client {ClientId}, roles from {RolesClaim}); local accounts remain the fallback.")]
    private static partial void LogConfigured(ILogger logger, string authority, string clientId, string rolesClaim);

    [LoggerMessage(LogLevel.Information, "Single sign-on issuer {Authority} answers: SSO is offered.")]
    private static partial void LogUp(ILogger logger, string authority);

    [LoggerMessage(LogLevel.Warning, "Single sign-on issuer {Authority} is unavailable ({Problem}): the login page offers local accounts.")]
    private static partial void LogDown(ILogger logger, string authority, string problem);
}
