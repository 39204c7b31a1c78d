using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics;
using Npgsql;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Press.Core.Jobs;

namespace Press.Infrastructure.Metrics;

/// <summary>
/// OpenTelemetry for the manager and the worker (docs/architecture.md §13): Press's own meters (<see cref="PressGauges"/>,
/// <see cref="LoginMetrics"/>, Core's <see cref="JobTelemetry"/>), the ASP.NET Core, HttpClient, Npgsql and .NET runtime
/// instrumentations, exported by the Prometheus exporter at <c>/metrics</c>; and, when
/// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set, traces of requests, outgoing calls, SQL and job steps over OTLP.
/// </summary>
public static class PressTelemetry
{
    public const string OtlpEndpointKey = "OTEL_EXPORTER_OTLP_ENDPOINT";

    public static IServiceCollection AddPressTelemetry(this IServiceCollection services, IConfiguration config, string serviceName)
    {
        services.AddSingleton<MetricsQueries>();
        services.AddSingleton<PressGauges>();
        // Press's meters are enabled through Microsoft.Extensions.Diagnostics' rules, for meters of this host's
        // IMeterFactory only (MeterScope.Local), not with AddMeter (which would take every meter of that name in the
        // process): a second host in the same process — the tests run several — must not have its series exported here.
        services.AddMetrics(m => m
            .EnableMetrics(PressGauges.MeterName, scopes: MeterScope.Local)
            .EnableMetrics(JobTelemetry.MeterName, scopes: MeterScope.Local));
        var otel = services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(serviceName))
            .WithMetrics(m => m
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddNpgsqlInstrumentation()
                .AddPrometheusExporter(o =>
                {
                    // Every scrape collects afresh: a cached answer would show a gauge as it was before the last change.
                    o.ScrapeResponseCacheDurationMilliseconds = 0;
                    // Series keep the names and labels of the hand-written exposition (dashboards, alert rules and tests
                    // select on them); an otel_scope_name label on every sample would add nothing Press's names lack.
                    o.ScopeInfoEnabled = false;
                }));
        if (!string.IsNullOrWhiteSpace(config[OtlpEndpointKey]))
            otel.WithTracing(t => t
                .AddSource(JobTelemetry.MeterName)
                .AddAspNetCoreInstrumentation(o => o.Filter = http => !http.Request.Path.StartsWithSegments("/metrics"))
                .AddHttpClientInstrumentation()
                .AddNpgsql()
                .AddOtlpExporter());
        return services;
    }

    /// <summary><c>/metrics</c>: the database gauges are read first (asynchronously, once), then the exporter writes
    /// every series. The caller protects the endpoint as it protected the hand-written one.</summary>
    public static IEndpointConventionBuilder MapPressMetrics(this IEndpointRouteBuilder app) =>
        app.MapPrometheusScrapingEndpoint("/metrics", null, branch => branch.Use(async (http, next) =>
        {
            await http.RequestServices.GetRequiredService<PressGauges>().RefreshAsync(http.RequestAborted);
            await next(http);
        }), null);
}
