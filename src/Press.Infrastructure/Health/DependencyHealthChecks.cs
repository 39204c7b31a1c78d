using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.DependencyInjection;
using Press.Core.Ports;
using Press.Infrastructure.Postgres;
using Press.Infrastructure.Redis;

namespace Press.Infrastructure.Health;

public sealed class PostgresHealthCheck(PressDataSources sources) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        try
        {
            await using var conn = await sources.Metadata.OpenConnectionAsync(ct);
            var version = await conn.ScalarAsync<string>("SHOW server_version", ct);
            return HealthCheckResult.Healthy($"PostgreSQL {version} reachable");
        }
        catch (Exception ex)
        {
            return HealthCheckResult.Unhealthy($"PostgreSQL unreachable: {ex.Message}");
        }
    }
}

public sealed class RedisHealthCheck(RedisJobSignals redis) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        try
        {
            var latency = await redis.Connection.GetDatabase().PingAsync();
            return HealthCheckResult.Healthy($"Redis reachable ({latency.TotalMilliseconds:F1} ms)");
        }
        catch (Exception ex)
        {
            return HealthCheckResult.Unhealthy($"Redis unreachable: {ex.Message}");
        }
    }
}

/// <summary>
/// Which runtime serves sites, or that none does — a fact the operator must see. For Docker: the engine answers and
/// the runner image is present (Press never downloads images by itself).
/// </summary>
public sealed class RuntimeHealthCheck(ISiteRuntime runtime, IServiceProvider services) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        if (runtime.Driver == "none") return HealthCheckResult.Healthy("runtime 'none': " + Runtime.NoSiteRuntime.Reason);
        if (runtime.Driver != "docker") return HealthCheckResult.Healthy($"runtime '{runtime.Driver}'");
        var docker = services.GetRequiredService<Runtime.Docker.DockerEngine>();
        var image = (await services.GetRequiredService<Runtime.Docker.RuntimeLimits>().ForAsync(null, ct)).Image;
        try
        {
            var version = await docker.Client.System.GetVersionAsync(ct);
            return await docker.ImagePresentAsync(image, ct)
                ? HealthCheckResult.Healthy($"runtime 'docker': engine {version.Version} at {Runtime.Docker.DockerEngine.Endpoint(services.GetRequiredService<Runtime.Docker.DockerRuntimeOptions>())}, image {image} present")
                : HealthCheckResult.Unhealthy($"runtime 'docker': runner image {image} is not on the engine; load or pull it");
        }
        catch (Exception ex)
        {
            return HealthCheckResult.Unhealthy($"runtime 'docker': engine unreachable: {ex.Message}");
        }
    }
}

public static class HealthEndpoints
{
    public const string ReadyTag = "ready";

    /// <summary><c>/healthz</c>: the process is alive. <c>/readyz</c>: Postgres and Redis reachable, with details (and
    /// each check's data, e.g. the stale sites of the "backups" check). Degraded answers 200, Unhealthy 503.</summary>
    /// <summary>Maps /healthz and /readyz; the caller may protect either (the manager protects /readyz).</summary>
    public static (IEndpointConventionBuilder Live, IEndpointConventionBuilder Ready) MapPressHealth(this IEndpointRouteBuilder app) =>
        (app.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = WriteJson }),
         app.MapHealthChecks("/readyz", new HealthCheckOptions { Predicate = c => c.Tags.Contains(ReadyTag), ResponseWriter = WriteJson }));

    private static Task WriteJson(HttpContext http, HealthReport report)
    {
        http.Response.ContentType = "application/json";
        return http.Response.WriteAsync(JsonSerializer.Serialize(new
        {
            status = report.Status.ToString(),
            checks = report.Entries.ToDictionary(e => e.Key, e => new
            {
                status = e.Value.Status.ToString(),
                detail = e.Value.Description,
                data = e.Value.Data.Count > 0 ? e.Value.Data : null,
            }),
        }));
    }
}
