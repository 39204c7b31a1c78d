using Press.Core.Jobs;
using Press.Core.Sites.Steps;

namespace Press.Worker.Jobs;

public static class JobEngine
{
    /// <summary>The runner and every step implementation, keyed by their declared names.</summary>
    public static IServiceCollection AddPressJobEngine(this IServiceCollection services)
    {
        services.AddSingleton<IJobStep, CreateRoleStep>();
        services.AddSingleton<IJobStep, CreateSchemaStep>();
        services.AddSingleton<IJobStep, ConfigureRoleStep>();
        services.AddSingleton<IJobStep, VerifyLoginStep>();
        services.AddSingleton<IJobStep, StartRuntimeStep>();
        services.AddSingleton<IJobStep, StopRuntimeStep>();
        services.AddSingleton<IJobStep, RemoveRuntimeStep>();
        services.AddSingleton<IJobStep, DisableLoginStep>();
        services.AddSingleton<IJobStep, EnableLoginStep>();
        services.AddSingleton<IJobStep, TerminateConnectionsStep>();
        services.AddSingleton<IJobStep, MarkDeletedStep>();
        services.AddSingleton<IJobStep, CheckRetentionStep>();
        services.AddSingleton<IJobStep, ClearDeletionStep>();
        services.AddSingleton<IJobStep, DropSchemaStep>();
        services.AddSingleton<IJobStep, DropRoleStep>();
        services.AddSingleton<JobRunner>();
        return services;
    }
}
