using Press.Infrastructure;
using Press.Infrastructure.Configuration;
using Press.Infrastructure.Health;
using Press.Infrastructure.Metrics;
using Press.Infrastructure.Postgres;
using Press.Infrastructure.Redis;
using Press.Worker.Jobs;
using Press.Worker.Monitoring;
using Press.Worker.Runtime;
using Press.Worker.Scheduling;

namespace Press.Worker;

// press-worker: runs jobs, the retention scheduler and the backup scheduler; answers /healthz, /readyz and /metrics on 48551.
// An explicit entry class (not top-level statements) so its Program type does not clash with the manager's in tests.
public static class WorkerProgram
{
    public static async Task Main(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.Configuration.AddSecretFiles();
        builder.Logging.AddPressLogging(builder.Configuration); // Press__Logging__Format=json: one JSON object per line, with job scopes
        if (string.IsNullOrEmpty(builder.Configuration["ASPNETCORE_URLS"]) && string.IsNullOrEmpty(builder.Configuration["urls"]))
            builder.WebHost.UseUrls("http://127.0.0.1:48551");

        builder.Services.AddPressInfrastructure();
        builder.Services.AddPressTelemetry(builder.Configuration, "press-worker");
        builder.Services.AddPressJobEngine();
        builder.Services.AddPressOptions<WorkerOptions>(WorkerOptions.Section);
        builder.Services.AddSingleton<JobWorker>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<JobWorker>());
        builder.Services.AddSingleton<RetentionScheduler>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<RetentionScheduler>());
        builder.Services.AddSingleton<StandbyRefiller>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<StandbyRefiller>());
        builder.Services.AddSingleton<BackupScheduler>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<BackupScheduler>());
        builder.Services.AddSingleton<ObjectStoreProbe>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ObjectStoreProbe>());
        builder.Services.AddSingleton<WorkerGauges>();
        builder.Services.AddSingleton<Press.Core.Usage.UsageSampler>();
        builder.Services.AddHostedService<UsageCollector>();
        builder.Services.AddSingleton<RolloutLoop>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<RolloutLoop>());
        var docker = builder.Configuration["Press:Runtime:Driver"] == "docker";
        if (docker)
        {
            builder.Services.AddSingleton<RunnerReconciler>();
            builder.Services.AddHostedService(sp => sp.GetRequiredService<RunnerReconciler>());
        }

        var app = builder.Build();
        await app.Services.GetRequiredService<MigrationRunner>().ApplyAsync(CancellationToken.None);
        var runtime = app.Services.GetRequiredService<Press.Core.Ports.ISiteRuntime>();
        // Said plainly at start: with "none", sites get their database side only and are not served.
        app.Logger.LogInformation("Site runtime: {Driver}{Detail}", runtime.Driver,
            runtime.Driver == "none" ? " — " + Press.Infrastructure.Runtime.NoSiteRuntime.Reason : "");
        // Said plainly at start: when pg_dump/pg_restore and the server cannot work together, every backup job fails
        // with the same reason (the job side checks it too).
        var tools = await CheckBackupToolsAsync(app.Services.GetRequiredService<Press.Core.Ports.ISchemaArchive>());
        app.Services.GetRequiredService<WorkerGauges>().BackupToolsChecked(tools.Ok);
        if (tools.Ok)
            app.Logger.LogInformation("Backups: pg_dump {DumpVersion}, pg_restore {RestoreVersion} / server {ServerVersion}",
                tools.DumpVersion, tools.RestoreVersion, tools.ServerVersion);
        else
            app.Logger.LogError("Backups will fail: {Problem}", tools.Problem);

        // The object store too: a wrong credential or an unwritable folder is said at start, not at 02:00.
        var store = app.Services.GetRequiredService<Press.Core.Ports.IObjectStore>();
        if (await app.Services.GetRequiredService<ObjectStoreProbe>().ProbeAsync(CancellationToken.None) is { } storeError)
            app.Logger.LogError("Backup store {Store} is not ready; backups will fail until it is: {Error}", store.Describe, storeError);
        else
            app.Logger.LogInformation("Backups go to {Store}", store.Describe);

        app.MapPressHealth();
        // Open on 127.0.0.1 only, like /readyz: the worker serves nothing else.
        app.MapPressMetrics();
        await app.RunAsync();
    }

    private static async Task<Press.Core.Ports.ToolCheck> CheckBackupToolsAsync(Press.Core.Ports.ISchemaArchive archive)
    {
        try
        {
            // The archive caches the check's task: no token of ours may cancel it for the backup jobs that share it.
            return await archive.CheckToolsAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
        }
        catch (Exception ex)
        {
            return new Press.Core.Ports.ToolCheck(null, null, null, $"the backup tools could not be checked: {ex.Message}");
        }
    }
}
