using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Press.Core.Identity;
using Press.Infrastructure.Ingress;
using SessionOptions = Press.Core.Identity.SessionOptions;

namespace Press.Manager.Auth;

public static class Policies
{
    public const string Viewer = Roles.Viewer;
    public const string Operator = Roles.Operator;
    public const string Admin = Roles.Admin;
    /// <summary>/metrics, /readyz, the OpenAPI document: a loopback caller (a scrape on the host), or any valid token.</summary>
    public const string Diagnostics = "diagnostics";
}

/// <summary>
/// ASP.NET Core's own authentication, one scheme per way in, picked per request by a policy scheme (<see cref="Auto"/>):
/// <list type="bullet">
/// <item><c>Authorization: Bearer press_…</c> or <c>Basic</c> → <see cref="PressAuthenticationHandler"/> (API tokens; Basic only to mint them);</item>
/// <item>any other bearer token, when an issuer is configured → JwtBearer: a JWT access token from the issuer, validated
/// locally against its cached keys, with exact issuer and audience;</item>
/// <item>no Authorization header: the API and diagnostics answer 401 (they never read the session cookie, so they have no
/// cross-site request surface); pages use the cookie session, whose challenge is the local login page — never the
/// OIDC handler, so an unreachable issuer cannot turn a page into a 500. The SSO button goes through
/// <see cref="SsoMonitor"/>'s probe before it challenges the OIDC scheme.</item>
/// </list>
/// </summary>
public static class AuthSetup
{
    public const string Auto = "press-auto";
    public const string Cookie = CookieAuthenticationDefaults.AuthenticationScheme;
    public const string Oidc = OpenIdConnectDefaults.AuthenticationScheme;
    public const string Jwt = JwtBearerDefaults.AuthenticationScheme;

    public static IServiceCollection AddPressAuth(this IServiceCollection services)
    {
        services.AddSingleton(sp => new LoginThrottle(sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<LocalLoginService>();
        services.AddSingleton<Press.Infrastructure.Metrics.LoginMetrics>();
        services.AddSingleton<SsoMonitor>();
        services.AddHostedService(sp => sp.GetRequiredService<SsoMonitor>());
        services.AddHttpClient(SsoMonitor.HttpClientName).RemoveAllLoggers(); // a probe every few seconds: only SsoMonitor's own lines
        services.AddSingleton<OidcEvents>();
        services.AddSingleton<SessionCookie>();
        // Cookies (session, anti-forgery, OIDC correlation) are encrypted with a key ring kept in Press's database.
        services.AddDataProtection().SetApplicationName("press-manager");
        services.AddOptions<KeyManagementOptions>().Configure<Press.Infrastructure.Postgres.DataProtectionKeyStore, Press.Core.Ports.ISecretProtector>(
            (o, store, secrets) => (o.XmlRepository, o.XmlEncryptor) = (store, new Press.Infrastructure.Postgres.SealedXmlEncryptor(secrets)));

        services.AddAuthentication(Auto)
            .AddPolicyScheme(Auto, "Press", o => o.ForwardDefaultSelector = Select)
            .AddScheme<AuthenticationSchemeOptions, PressAuthenticationHandler>(PressAuthenticationHandler.SchemeName, null)
            .AddCookie(Cookie)
            .AddOpenIdConnect(Oidc, _ => { })
            .AddJwtBearer(Jwt, _ => { });

        services.AddOptions<CookieAuthenticationOptions>(Cookie).Configure<SessionOptions, IngressOptions, SessionCookie>((o, sessions, ingress, cookie) =>
        {
            var secure = SecureCookies(sessions, ingress);
            o.Cookie.Name = secure ? "__Host-press-session" : "press-session";
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Lax;
            o.Cookie.SecurePolicy = secure ? CookieSecurePolicy.Always : CookieSecurePolicy.SameAsRequest;
            o.Cookie.Path = "/";
            o.LoginPath = "/login";
            o.AccessDeniedPath = "/login";
            o.ExpireTimeSpan = sessions.AbsoluteLifetime; // the table enforces idle and absolute lifetimes; this bounds the cookie
            o.SlidingExpiration = false;
            o.Events.OnValidatePrincipal = cookie.ValidateAsync;
            // A signed-in person without the role gets 403, not the login page they are already past.
            o.Events.OnRedirectToAccessDenied = c => { c.Response.StatusCode = StatusCodes.Status403Forbidden; return Task.CompletedTask; };
        });
        services.AddOptions<OpenIdConnectOptions>(Oidc).Configure<OidcOptions, SessionOptions, IngressOptions, SsoMonitor, OidcEvents>(
            (o, oidc, sessions, ingress, monitor, events) => ConfigureOidc(o, oidc, SecureCookies(sessions, ingress), monitor, events));
        services.AddOptions<JwtBearerOptions>(Jwt).Configure<OidcOptions, SsoMonitor, OidcEvents>((o, oidc, monitor, events) =>
        {
            o.MapInboundClaims = false;
            o.RequireHttpsMetadata = oidc.Authority?.StartsWith("https:", StringComparison.Ordinal) == true;
            o.Authority = oidc.Authority;
            o.ConfigurationManager = monitor;
            o.TokenValidationParameters.ValidAudience = oidc.ExpectedAudience;
            o.TokenValidationParameters.ValidIssuer = oidc.Authority?.TrimEnd('/');
            o.TokenValidationParameters.ClockSkew = oidc.ClockSkew;
            o.Events = events.Bearer;
        });
        services.AddAntiforgery(o =>
        {
            o.Cookie.Name = "press-antiforgery";
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.Cookie.HttpOnly = true;
        });
        services.AddOptions<Microsoft.AspNetCore.Antiforgery.AntiforgeryOptions>().Configure<SessionOptions, IngressOptions>((o, sessions, ingress) =>
        {
            if (!SecureCookies(sessions, ingress)) return;
            o.Cookie.Name = "__Host-press-antiforgery";
            o.Cookie.SecurePolicy = CookieSecurePolicy.Always;
        });

        services.AddAuthorizationBuilder()
            .AddPolicy(Policies.Viewer, p => p.RequireAssertion(c => Roles.Includes(c.User.Role(), Roles.Viewer)))
            .AddPolicy(Policies.Operator, p => p.RequireAssertion(c => Roles.Includes(c.User.Role(), Roles.Operator)))
            .AddPolicy(Policies.Admin, p => p.RequireAssertion(c => Roles.Includes(c.User.Role(), Roles.Admin)))
            .AddPolicy(Policies.Diagnostics, p => p.RequireAssertion(c =>
                (c.Resource is HttpContext http && Caller.Of(http).IsLocal) || Roles.Includes(c.User.Role(), Roles.Viewer)));
        return services;
    }

    /// <summary>Secure, <c>__Host-</c> cookies when Press is served over TLS (Traefik with TLS, or <c>Press__Sessions__SecureCookies</c>).</summary>
    public static bool SecureCookies(SessionOptions sessions, IngressOptions ingress) =>
        sessions.SecureCookies ?? (string.Equals(ingress.Mode, "traefik", StringComparison.OrdinalIgnoreCase) && ingress.Tls);

    /// <summary>The paths that only ever take an Authorization header (no cookie, no redirect to a login page).</summary>
    public static bool IsApiPath(PathString path) =>
        path.StartsWithSegments("/api") || path.StartsWithSegments("/metrics") || path.StartsWithSegments("/readyz")
        || path.StartsWithSegments("/openapi") || path.StartsWithSegments("/healthz");

    private static string Select(HttpContext http)
    {
        var header = http.Request.Headers.Authorization.ToString();
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            var token = header["Bearer ".Length..].Trim();
            var oidc = http.RequestServices.GetRequiredService<OidcOptions>();
            return oidc.IsConfigured && !token.StartsWith(ApiToken.Prefix, StringComparison.Ordinal) && token.Count(c => c == '.') == 2
                ? Jwt : PressAuthenticationHandler.SchemeName;
        }
        if (header.Length > 0 || IsApiPath(http.Request.Path)) return PressAuthenticationHandler.SchemeName;
        return Cookie;
    }

    private static void ConfigureOidc(OpenIdConnectOptions o, OidcOptions oidc, bool secure, SsoMonitor monitor, OidcEvents events)
    {
        o.SignInScheme = Cookie;
        o.SignOutScheme = Cookie;
        o.CallbackPath = "/signin-oidc";
        o.SignedOutCallbackPath = "/signout-callback-oidc";
        o.SignedOutRedirectUri = "/login?signedOut=1";
        o.ResponseType = OpenIdConnectResponseType.Code;
        // query, not form_post: the correlation and nonce cookies can then be SameSite=Lax (form_post needs None + Secure).
        o.ResponseMode = OpenIdConnectResponseMode.Query;
        o.UsePkce = true;
        o.MapInboundClaims = false;
        o.GetClaimsFromUserInfoEndpoint = false; // the roles come with the ID token (Keycloak: the realm's role mapper)
        o.SaveTokens = false; // only the ID token is kept (OidcEvents), for the IdP logout's id_token_hint
        o.BackchannelTimeout = oidc.BackchannelTimeout;
        o.TokenValidationParameters.ClockSkew = oidc.ClockSkew;
        o.CorrelationCookie.SameSite = o.NonceCookie.SameSite = SameSiteMode.Lax;
        o.CorrelationCookie.SecurePolicy = o.NonceCookie.SecurePolicy = secure ? CookieSecurePolicy.Always : CookieSecurePolicy.SameAsRequest;
        o.Scope.Clear();
        o.Scope.Add("openid");
        foreach (var scope in oidc.Scopes.Split(' ', StringSplitOptions.RemoveEmptyEntries)) o.Scope.Add(scope);
        o.Events = events.Browser;
        if (!oidc.IsConfigured)
        {
            // The handler still sees every request (it owns /signin-oidc): give it a harmless shape. Nothing challenges it.
            o.ClientId = "press-sso-not-configured";
            o.Configuration = new OpenIdConnectConfiguration();
            return;
        }
        o.Authority = oidc.Authority;
        o.ClientId = oidc.ClientId;
        o.ClientSecret = oidc.ClientSecret;
        o.RequireHttpsMetadata = oidc.Authority!.StartsWith("https:", StringComparison.Ordinal);
        o.ConfigurationManager = monitor;
        o.TokenValidationParameters.ValidIssuer = oidc.Authority.TrimEnd('/');
    }
}
