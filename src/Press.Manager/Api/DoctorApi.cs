using Press.Core.Doctor;
using Press.Core.Identity;
using Press.Infrastructure.Doctor;
using Press.Infrastructure.Ingress;
using Press.Manager.Auth;

namespace Press.Manager.Api;

/// <summary>
/// <c>GET /api/doctor</c> (admin): every check of the installation (docs/architecture.md §14) with ✓/✗ and the fix.
/// Admin only: the answer maps the installation (folders, endpoints, role names) for anyone who would attack it.
/// Always 200 when the checks ran; <c>healthy</c> says whether any failed (the CLI turns that into its exit code).
/// </summary>
public static class DoctorApi
{
    public sealed record CheckDto(string Name, string Outcome, string Detail, string? Fix);

    public sealed record DoctorDto(DateTimeOffset At, bool Healthy, IReadOnlyList<CheckDto> Checks)
    {
        public static DoctorDto From(DoctorReport r) =>
            new(r.At, r.Healthy, r.Checks.Select(c => new CheckDto(c.Name, c.Outcome.ToString(), c.Detail, c.Fix)).ToList());
    }

    public static IServiceCollection AddDoctor(this IServiceCollection services)
    {
        services.AddPressDoctor();
        services.AddSingleton<IDoctorProbe, TraefikSecretProbe>();
        services.AddSingleton<IDoctorProbe, OidcIssuerProbe>();
        return services;
    }

    public static void MapDoctorApi(this IEndpointRouteBuilder api) =>
        api.MapGet("/doctor", async (DoctorRunner doctor, CancellationToken ct) => Results.Ok(DoctorDto.From(await doctor.RunAsync(ct))))
            .WithTags("Doctor").RequireAuthorization(Policies.Admin).Produces<DoctorDto>()
            .WithSummary("Checks the installation end to end — dump tools vs server, Press's role, reserved ports, Redis, object store, disks, clock skew, stale backups, failed or stuck jobs, stray runners, runner image, Traefik secret, OIDC issuer — each Ok, Failed (with its fix) or Skipped (and why).");

    private sealed class TraefikSecretProbe(IngressOptions options) : IDoctorProbe
    {
        public string Name => DoctorChecks.TraefikSecret;

        public Task<DoctorCheck> RunAsync(CancellationToken ct) =>
            Task.FromResult(DoctorRules.TraefikSecret(options.Mode, !string.IsNullOrEmpty(options.TraefikSecret)));
    }

    private sealed class OidcIssuerProbe(OidcOptions options, SsoMonitor sso) : IDoctorProbe
    {
        public string Name => DoctorChecks.OidcIssuer;

        public async Task<DoctorCheck> RunAsync(CancellationToken ct)
        {
            if (!options.IsConfigured) return DoctorRules.OidcIssuer(null, null);
            var up = await sso.ProbeAsync(ct);
            return DoctorRules.OidcIssuer(options.Authority, up ? null
                : $"its discovery document or signing keys could not be had within {options.ProbeTimeout.TotalSeconds:0} s (the manager's log says why)");
        }
    }
}
