using Press.Core.Jobs;
using Press.Core.Runtime;
using Press.Infrastructure;

namespace Press.Worker.Jobs;

public static class JobEngine
{
    /// <summary>
    /// Every concrete <see cref="IJobStep"/> in Press.Core: steps are discovered, not listed by hand, so a new step
    /// cannot be forgotten here. The recipes name the steps (<see cref="Recipes"/>).
    /// </summary>
    public static IReadOnlyList<Type> StepTypes { get; } = typeof(IJobStep).Assembly.GetTypes()
        .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(IJobStep).IsAssignableFrom(t))
        .OrderBy(t => t.FullName, StringComparer.Ordinal)
        .ToList();

    /// <summary>
    /// The runner and every step implementation. Resolving the runner (the worker does it when it starts) checks that
    /// every step of every recipe has exactly one implementation, and refuses to start naming those that do not.
    /// </summary>
    public static IServiceCollection AddPressJobEngine(this IServiceCollection services)
    {
        foreach (var type in StepTypes) services.AddSingleton(typeof(IJobStep), type);
        services.AddPressOptions<SiteHealthOptions>("Press:Runtime:Health");
        // Database errors a step's stores raise untranslated: transient ones (a failover) are retried, not fatal.
        services.AddSingleton<IFailureClassifier, Press.Infrastructure.Postgres.PostgresFailureClassifier>();
        services.AddSingleton(sp => StepCatalog.Create(sp.GetServices<IJobStep>(), Recipes.All));
        services.AddSingleton(sp =>
        {
            _ = sp.GetRequiredService<StepCatalog>(); // throws, naming what is missing
            return ActivatorUtilities.CreateInstance<JobRunner>(sp);
        });
        return services;
    }
}
