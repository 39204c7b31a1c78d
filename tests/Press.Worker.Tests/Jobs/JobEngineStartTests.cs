using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Press.Core.Jobs;
using Press.Core.Sites.Steps;
using Press.Infrastructure;
using Press.Testing;
using Press.Worker.Jobs;

namespace Press.Worker.Tests.Jobs;

/// <summary>
/// The worker's composition (<see cref="JobEngine.AddPressJobEngine"/>) checks at start that every step of every recipe
/// has an implementation, rather than failing a job when it reaches the missing step.
/// </summary>
public sealed class JobEngineStartTests(PressDatabaseFixture f) : IClassFixture<PressDatabaseFixture>
{
    private HostApplicationBuilder Worker(Action<IServiceCollection>? change = null)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(f.Db.Settings());
        builder.Services.AddPressInfrastructure();
        builder.Services.AddPressJobEngine();
        change?.Invoke(builder.Services);
        builder.Services.AddPressOptions<WorkerOptions>(WorkerOptions.Section);
        builder.Services.AddSingleton<JobWorker>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<JobWorker>());
        return builder;
    }

    [Fact]
    public async Task The_worker_refuses_to_start_when_a_recipe_step_has_no_implementation_and_names_it()
    {
        using var host = Worker(services => services.RemoveAll<IJobStep>()
            .Add(JobEngine.StepTypes.Where(t => t != typeof(WaitHealthyStep)).Select(t => ServiceDescriptor.Singleton(typeof(IJobStep), t)))).Build();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => host.StartAsync());

        Assert.Equal("The job engine cannot start: step 'wait-healthy' of NewSite, ResumeSite, UndeleteSite, RestoreSite, RollbackRestore, " +
            "NewSiteFromBackup, ChangeLimits, UpgradeSite, ClaimStandby, MoveSite, RehearseUpgrade has no implementation: add an IJobStep whose Name is that step (the worker registers every one in Press.Core).",
            error.Message);
    }

    [Fact]
    public void Every_step_in_Press_Core_is_discovered_and_covers_every_recipe()
    {
        using var host = Worker().Build();

        var catalog = host.Services.GetRequiredService<StepCatalog>();
        _ = host.Services.GetRequiredService<JobRunner>();

        Assert.Equal(JobEngine.StepTypes.Count, catalog.Steps.Count);
        Assert.Contains(typeof(WaitHealthyStep), JobEngine.StepTypes);
        Assert.Superset(Recipes.All.SelectMany(r => r.Steps.Concat(r.Undo)).ToHashSet(), catalog.Steps.Keys.ToHashSet());
    }
}
