using Microsoft.Extensions.Logging.Abstractions;
using Press.Infrastructure.Postgres;

namespace Press.Infrastructure.Tests.Postgres;

public sealed class MigrationRunnerTests(InfraFixture f) : IClassFixture<InfraFixture>
{
    private static MigrationRunner Runner(PressDataSources sources) => new(sources, NullLogger<MigrationRunner>.Instance);

    [Fact]
    public async Task Applying_again_applies_nothing()
    {
        Assert.Equal(0, await Runner(f.Sources).ApplyAsync(CancellationToken.None));
        Assert.Equal(0, await Runner(f.Sources).ApplyAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Schema_migrations_records_every_embedded_version_once()
    {
        Assert.Contains(MigrationRunner.Embedded, m => m is { Version: 1, Name: "initial" });
        Assert.Equal(1, await f.SuperScalarAsync<int>("SELECT version FROM schema_migrations WHERE name = 'initial'"));
        Assert.Equal(string.Join(",", MigrationRunner.Embedded.Select(m => m.Version)),
            await f.SuperScalarAsync<string>("SELECT string_agg(version::text, ',' ORDER BY version) FROM schema_migrations"));
    }

    [Fact]
    public async Task Metadata_tables_belong_to_Press_not_the_superuser()
    {
        // Except the audit table: bootstrap hands it to a role Press cannot become (AuditOwnershipTests).
        Assert.Equal(f.Db.PressRole, await f.SuperScalarAsync<string>(
            "SELECT string_agg(DISTINCT tableowner::text, ',') FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'audit_events'"));
    }

    [Fact]
    public async Task Three_concurrent_runners_on_a_fresh_database_apply_each_migration_once()
    {
        var database = $"{f.Db.MetadataDatabase}_mig";
        await f.SuperExecInAsync("postgres", $"CREATE DATABASE \"{database}\" OWNER \"{f.Db.PressRole}\"");
        try
        {
            var options = new PostgresOptions
            {
                ConnectionString = f.Db.Options.ConnectionString,
                Password = f.Db.PressPassword,
                MetadataDatabase = database,
                SitesDatabase = f.Db.SitesDatabase,
            };
            // Three processes (manager, worker, worker) starting together, each with its own pool.
            var sources = Enumerable.Range(0, 3).Select(_ => new PressDataSources(options)).ToList();
            try
            {
                var applied = await Concurrently.RunAsync(3, i => Runner(sources[i]).ApplyAsync(CancellationToken.None));

                Assert.Equal(MigrationRunner.Embedded.Count, applied.Sum());
                Assert.Equal(2, applied.Count(n => n == 0));
            }
            finally
            {
                foreach (var s in sources) await s.DisposeAsync();
            }

            Assert.Equal(MigrationRunner.Embedded.Count, await f.SuperScalarInAsync<long>(database, "SELECT count(*) FROM schema_migrations"));
            Assert.Equal(1L, await f.SuperScalarInAsync<long>(database,
                "SELECT count(*) FROM pg_trigger WHERE tgname = 'audit_events_no_change'"));
        }
        finally
        {
            await f.SuperExecInAsync("postgres", $"DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)");
        }
    }
}
