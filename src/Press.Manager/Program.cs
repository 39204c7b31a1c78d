using System.Text.Json.Serialization;
using Press.Infrastructure;
using Press.Infrastructure.Configuration;
using Press.Infrastructure.Health;
using Press.Infrastructure.Metrics;
using Press.Infrastructure.Postgres;
using Press.Manager;
using Press.Manager.Api;
using Press.Manager.Auth;
using Press.Manager.Ingress;
using Press.Manager.Pages;

// press-manager: REST API (+ OpenAPI), the dashboard, health, metrics. `press-manager bootstrap` does the one-time database setup.
var builder = WebApplication.CreateBuilder(args.Where(a => a != "bootstrap").ToArray());
builder.Configuration.AddSecretFiles();
builder.Logging.AddPressLogging(builder.Configuration); // Press__Logging__Format=json: one JSON object per line, with job scopes
if (string.IsNullOrEmpty(builder.Configuration["ASPNETCORE_URLS"]) && string.IsNullOrEmpty(builder.Configuration["urls"]))
    builder.WebHost.UseUrls("http://127.0.0.1:48550");
builder.AddEmbeddedProxy(); // after the API's URL: the proxy's joins it

builder.Services.AddPressInfrastructure();
builder.Services.AddDoctor();
builder.Services.AddPressTelemetry(builder.Configuration, "press-manager");
builder.Services.AddPressOptions<AdminOptions>(AdminOptions.Section);
builder.Services.AddPressAuth();
builder.Services.AddSingleton<Accounts>();
builder.Services.AddSingleton<TokenCommands>();
builder.Services.AddProblemDetails();
builder.Services.AddExceptionHandler<ProblemExceptionHandler>();
builder.Services.ConfigureHttpJsonOptions(o =>
{
    o.SerializerOptions.Converters.Add(new JsonStringEnumConverter());
    o.SerializerOptions.DefaultIgnoreCondition = JsonIgnoreCondition.Never;
});
builder.Services.AddPressOpenApi(); // security schemes, operation ids, error answers (Api/OpenApiConventions.cs)
builder.Services.AddRazorPages();
// Degraded, never Unhealthy: stale backups must not take the manager out of rotation.
builder.Services.AddHealthChecks().AddCheck<BackupHealthCheck>(BackupHealthCheck.Name, failureStatus: Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Degraded,
    tags: [HealthEndpoints.ReadyTag]);

var app = builder.Build();
if (args.Contains("bootstrap"))
{
    await Startup.BootstrapAsync(app.Services, builder.Configuration);
    return;
}
await Startup.PrepareAsync(app.Services);

app.UseExceptionHandler();
app.UseEmbeddedProxy(); // before status pages and auth: site hosts never reach the API
app.UseMiddleware<CallerMiddleware>(); // local or not, and the client's address (behind Traefik: forwarded)
app.UseStatusCodePages();
app.UsePageSecurityHeaders(); // CSP, no framing, no-store on the login pages (not on the API)
app.UseAuthentication();
app.UseAuthorization();

// Diagnostics answer a loopback caller (Prometheus on the host network) or a token, never an anonymous caller
// through the proxy or Traefik; /healthz stays anonymous for liveness probes.
app.MapOpenApi().RequireAuthorization(Policies.Diagnostics);
app.MapPressHealth().Ready.RequireAuthorization(Policies.Diagnostics);
app.MapPressMetrics().RequireAuthorization(Policies.Diagnostics);

app.MapTraefikProvider(); // outside the token-protected group: Traefik proves itself with a shared secret header
var api = app.MapGroup("/api").RequireAuthorization(Policies.Viewer);
api.MapSitesApi();
api.MapBackupsApi();
api.MapSiteRuntimeApi();
api.MapSiteUsageApi();
api.MapDomainsApi();
api.MapJobsApi();
api.MapTokensApi();
api.MapAuditApi();
api.MapSettingsApi();
api.MapUsersApi();
api.MapSessionsApi();
api.MapOverviewApi();
api.MapDoctorApi();
api.MapUpgradesApi();
api.MapMovesApi();
api.MapSiteAppsApi();
api.MapStandbyApi();
api.MapRolloutsApi();
api.MapRehearsalsApi();
// The dashboard and login pages (Razor Pages, server-rendered; anti-forgery on every form), their stylesheet and
// script, and the few cookie-signed GET endpoints their live job view and downloads use (Pages/UiEndpoints.cs).
app.MapRazorPages();
app.MapPageAssets();
app.MapUiEndpoints();
app.Run();

/// <summary>Entry point type, for WebApplicationFactory in tests.</summary>
public partial class Program;
