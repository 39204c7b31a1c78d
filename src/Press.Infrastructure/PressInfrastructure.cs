using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Press.Core.Jobs;
using Press.Core.Ports;
using Press.Core.Sites;
using Press.Core.Tenancy;
using Press.Infrastructure.Health;
using Press.Infrastructure.Metrics;
using Press.Infrastructure.Postgres;
using Press.Infrastructure.Redis;
using Press.Infrastructure.Runtime;
using Press.Infrastructure.Runtime.Docker;
using Press.Infrastructure.Runtime.Process;
using Press.Infrastructure.Secrets;

namespace Press.Infrastructure;

/// <summary>Registers the adapters behind Core's ports. Shared by the manager and the worker.</summary>
public static class PressInfrastructure
{
    public static IServiceCollection AddPressInfrastructure(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddPressOptions<PostgresOptions>(PostgresOptions.Section);
        services.AddPressOptions<RedisOptions>(RedisOptions.Section);
        services.AddPressOptions<SecretsOptions>(SecretsOptions.Section);
        services.AddPressOptions<RuntimeOptions>(RuntimeOptions.Section);
        services.AddPressOptions<JobRunnerOptions>("Press:Jobs");
        services.AddSingleton(sp => Bind<TenancyOptions>(sp.GetRequiredService<IConfiguration>(), "Press:Tenancy",
            o => o.SitesDatabase = sp.GetRequiredService<PostgresOptions>().SitesDatabase));

        services.AddSingleton<PressDataSources>();
        services.AddSingleton<MigrationRunner>();
        services.AddSingleton<Bootstrapper>();
        services.AddSingleton<JobStore>();
        services.AddSingleton<IJobStore>(sp => sp.GetRequiredService<JobStore>());
        services.AddSingleton<ISiteStore, SiteStore>();
        services.AddSingleton<ISiteCommands, SiteCommandStore>();
        services.AddSingleton<SettingsStore>();
        services.AddSingleton<ISettingsStore>(sp => sp.GetRequiredService<SettingsStore>());
        services.AddSingleton<IAuditLog, AuditLog>();
        services.AddSingleton<SiteQueries>();
        services.AddSingleton<AuditChainReader>();
        services.AddSingleton<DomainStore>();
        services.AddSingleton<IDomainStore>(sp => sp.GetRequiredService<DomainStore>());
        services.AddSingleton<DomainOperations>();
        services.AddSingleton(sp => new PressHost(sp.GetRequiredService<Ingress.IngressOptions>().PressHost));
        services.AddSingleton<IdentityStore>();
        services.AddPressOptions<Press.Core.Identity.SessionOptions>(Press.Core.Identity.SessionOptions.Section);
        services.AddPressOptions<Press.Core.Identity.OidcOptions>(Press.Core.Identity.OidcOptions.Section);
        services.AddSingleton<SessionStore>();
        services.AddSingleton<UserStore>();
        services.AddSingleton<DataProtectionKeyStore>();
        services.AddSingleton<ISiteSsoStore, Postgres.SiteSsoStore>();
        services.AddSingleton<ISiteUsageStore, SiteUsageStore>();
        services.AddSingleton<IDatabaseSizes, DatabaseSizes>();
        // Sites' SSO clients at the issuer (docs/architecture.md §7); a short timeout: a step that cannot reach the
        // issuer fails Transient and retries, rather than holding its lease for HttpClient's default 100 s.
        services.AddHttpClient("site-sso", c => c.Timeout = TimeSpan.FromSeconds(15));
        services.AddSingleton(sp => Identity.SiteSso.SsoProvisioners.Create(sp.GetRequiredService<Press.Core.Identity.OidcOptions>(),
            sp.GetRequiredService<IHttpClientFactory>().CreateClient("site-sso")));
        services.AddSingleton<ITenantDatabase, TenantDatabase>();
        services.AddSingleton<ISiteDatabases, SiteDatabases>();
        services.AddSingleton<ISiteSchema, SiteSchema>();
        services.AddSingleton<ISecretProtector, AesGcmSecretProtector>();
        services.AddSingleton<RedisJobSignals>();
        services.AddSingleton<IJobSignals>(sp => sp.GetRequiredService<RedisJobSignals>());
        services.AddSingleton<IJobChanges>(sp => sp.GetRequiredService<RedisJobSignals>());
        services.AddSingleton(sp => RuntimeEndpoints.From(sp.GetRequiredService<RuntimeOptions>(), sp.GetRequiredService<PostgresOptions>(),
            sp.GetRequiredService<Ingress.IngressOptions>()));
        services.AddHttpClient<FrappePing>();
        services.AddPressOptions<DockerRuntimeOptions>("Press:Runtime:Docker");
        services.AddSingleton(sp => new DockerEngine(sp.GetRequiredService<DockerRuntimeOptions>()));
        services.AddSingleton(sp => new RuntimeLimits(sp.GetRequiredService<ISettingsStore>(), sp.GetRequiredService<DockerRuntimeOptions>(),
            sp.GetRequiredService<ISiteUsageStore>()));
        services.AddSingleton<DockerSiteRuntime>();
        services.AddSingleton<ISiteRuntime>(CreateRuntime);
        // Backups' object store: S3 when Press:S3 is configured, else a local folder.
        services.AddPressOptions<S3.S3Options>(S3.S3Options.Section);
        services.AddPressOptions<ObjectStore.LocalFolderOptions>(ObjectStore.LocalFolderOptions.Section);
        services.AddSingleton<IObjectStore>(sp =>
        {
            var s3 = sp.GetRequiredService<S3.S3Options>();
            return s3.IsConfigured
                ? new S3.S3ObjectStore(s3, sp.GetRequiredService<TimeProvider>(), sp.GetService<Microsoft.Extensions.Logging.ILogger<S3.S3ObjectStore>>())
                : new ObjectStore.LocalFolderObjectStore(sp.GetRequiredService<ObjectStore.LocalFolderOptions>());
        });
        services.AddSingleton<BackupStore>();
        services.AddSingleton<IBackupStore>(sp => sp.GetRequiredService<BackupStore>());
        services.AddSingleton<IRestoreLog>(sp => sp.GetRequiredService<BackupStore>());
        services.AddPressOptions<Postgres.Archive.BackupOptions>(Postgres.Archive.BackupOptions.Section);
        services.AddSingleton<ISchemaArchive, Postgres.Archive.PgSchemaArchive>();
        services.AddSingleton<SiteOperations>();
        services.AddSingleton<SiteAppOperations>();
        services.AddSingleton<SiteMoves>();
        services.AddSingleton<IStandbyPool, StandbyPool>();
        services.AddSingleton<Core.Standby.StandbyOperations>();
        services.AddSingleton<Press.Core.Rollouts.IRolloutStore, RolloutStore>();
        services.AddSingleton<Press.Core.Rollouts.RolloutOperations>();
        services.AddSingleton<Press.Core.Rollouts.RolloutDriver>();
        services.AddSingleton<Press.Core.Rehearsals.IRehearsalStore, RehearsalStore>();
        services.AddSingleton<Press.Core.Rehearsals.RehearsalOperations>();
        services.AddPressOptions<Ingress.IngressOptions>(Ingress.IngressOptions.Section);
        services.AddSingleton<IRouteSource, RouteSource>();
        services.AddSingleton<Ingress.RouteTableProvider>();

        services.AddHealthChecks()
            .AddCheck<PostgresHealthCheck>("postgres", tags: [HealthEndpoints.ReadyTag])
            .AddCheck<RedisHealthCheck>("redis", tags: [HealthEndpoints.ReadyTag])
            .AddCheck<RuntimeHealthCheck>("runtime", tags: [HealthEndpoints.ReadyTag]);
        return services;
    }

    private static ISiteRuntime CreateRuntime(IServiceProvider sp)
    {
        var options = sp.GetRequiredService<RuntimeOptions>();
        return options.Driver switch
        {
            "none" => new NoSiteRuntime(),
            "docker" => sp.GetRequiredService<DockerSiteRuntime>(),
            "process" => new ProcessSiteRuntime(options.Process, sp.GetRequiredService<RuntimeEndpoints>(), sp.GetRequiredService<FrappePing>()),
            _ => throw new InvalidOperationException(
                $"Press:Runtime:Driver is '{options.Driver}'; use 'docker', 'process' or 'none'."),
        };
    }

    /// <summary>
    /// Binds an options class when first resolved (not at registration), so hosts and test factories can still add
    /// configuration after services are registered.
    /// </summary>
    public static IServiceCollection AddPressOptions<T>(this IServiceCollection services, string section) where T : class, new() =>
        services.AddSingleton(sp => Bind<T>(sp.GetRequiredService<IConfiguration>(), section));

    private static T Bind<T>(IConfiguration config, string section, Action<T>? also = null) where T : new()
    {
        var options = new T();
        config.GetSection(section).Bind(options);
        also?.Invoke(options);
        return options;
    }
}
