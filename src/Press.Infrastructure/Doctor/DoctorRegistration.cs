using Microsoft.Extensions.DependencyInjection;
using Press.Core.Doctor;

namespace Press.Infrastructure.Doctor;

/// <summary>The probes of <c>press doctor</c> that need only adapters; the manager adds the ingress and SSO ones.</summary>
public static class DoctorRegistration
{
    public static IServiceCollection AddPressDoctor(this IServiceCollection services)
    {
        services.AddPressOptions<DoctorOptions>(DoctorOptions.Section);
        services.AddSingleton<DoctorRunner>();
        services.AddSingleton<IDoctorProbe, PostgresToolsProbe>();
        services.AddSingleton<IDoctorProbe, RolePrivilegesProbe>();
        services.AddSingleton<IDoctorProbe, ReservedPortsProbe>();
        services.AddSingleton<IDoctorProbe, RedisProbe>();
        services.AddSingleton<IDoctorProbe, ObjectStoreProbe>();
        services.AddSingleton<IDoctorProbe, PostgresDiskProbe>();
        services.AddSingleton<IDoctorProbe, BackupDiskProbe>();
        services.AddSingleton<IDoctorProbe, ClockSkewProbe>();
        services.AddSingleton<IDoctorProbe, StaleBackupsProbe>();
        services.AddSingleton<IDoctorProbe, JobsProbe>();
        services.AddSingleton<IDoctorProbe, StrayRunnersProbe>();
        services.AddSingleton<IDoctorProbe, RunnerImageProbe>();
        return services;
    }
}
