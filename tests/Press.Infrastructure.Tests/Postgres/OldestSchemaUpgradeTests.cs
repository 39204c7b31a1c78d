using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Press.Core.Backups;
using Press.Core.Jobs;
using Press.Core.Sites;
using Press.Infrastructure.Postgres;
using Press.Testing;

namespace Press.Infrastructure.Tests.Postgres;

/// <summary>
/// Press's own upgrade (docs/operations.md): an installation created at the first released schema (migration 0001
/// only), holding sites, jobs, users, tokens, settings and audit entries, then backups once 0004 brought them, is
/// upgraded by running bootstrap again — the playbook's migration step — and every row survives and is read by
/// today's stores: the API's site and job views, the job store's claim, the backup store, the audit chain.
/// </summary>
public sealed class OldestSchemaUpgradeTests(InfraFixture f) : IClassFixture<InfraFixture>
{
    private static readonly Guid ActiveSite = Guid.Parse("01930000-0000-7000-8000-000000000001");
    private static readonly Guid DeletedSite = Guid.Parse("01930000-0000-7000-8000-000000000002");
    private static readonly Guid PurgedSite = Guid.Parse("01930000-0000-7000-8000-000000000003");
    private static readonly Guid NewSiteJob = Guid.Parse("01930000-0000-7000-8000-0000000000a1");
    private static readonly Guid FailedJob = Guid.Parse("01930000-0000-7000-8000-0000000000a2");
    private static readonly Guid QueuedJob = Guid.Parse("01930000-0000-7000-8000-0000000000a3");
    private static readonly Guid BackupJob = Guid.Parse("01930000-0000-7000-8000-0000000000b1");
    private static readonly DateTimeOffset Then = new(2026, 11, 20, 9, 0, 0, TimeSpan.Zero);

    /// <summary>What an installation wrote at version 1 (columns of 0001_initial.sql only).</summary>
    private static readonly string RowsAtVersion1 = $"""
        INSERT INTO users (id, name, role, password_hash, source, created_at)
        VALUES ('01930000-0000-7000-8000-0000000000c1', 'admin', 'admin', 'pbkdf2-sha256$600000$c2FsdA$aGFzaA', 'local', '{Then:O}');
        INSERT INTO api_tokens (id, user_id, name, role, token_hash, prefix, created_at, expires_at)
        VALUES ('01930000-0000-7000-8000-0000000000d1', '01930000-0000-7000-8000-0000000000c1', 'ci', 'operator', '\x0102', 'prs_ab12', '{Then:O}', NULL);
        INSERT INTO settings (key, value, updated_at, updated_by) VALUES ('backup.schedule', '0 3 * * *', '{Then:O}', 'admin');
        INSERT INTO sites (id, name, state, db_name, schema_name, role_name, password_enc, apps, created_at, updated_at)
        VALUES ('{ActiveSite}', 'erp.example.com', 'Active', 'press_sites', 't_aaaaaaaaaaaaaaaaaaaa', 't_aaaaaaaaaaaaaaaaaaaa', '\x00aa', '{"{erpnext}"}', '{Then:O}', '{Then:O}'),
               ('{DeletedSite}', 'old.example.com', 'Deleted', 'press_sites', 't_bbbbbbbbbbbbbbbbbbbb', 't_bbbbbbbbbbbbbbbbbbbb', '\x00bb', '{"{}"}', '{Then:O}', '{Then:O}');
        UPDATE sites SET deleted_at = '{Then:O}', purge_after = '{Then.AddDays(14):O}' WHERE id = '{DeletedSite}';
        INSERT INTO sites (id, name, state, db_name, schema_name, role_name, password_enc, created_at, updated_at, purged_at)
        VALUES ('{PurgedSite}', 'gone.example.com', 'Purged', 'press_sites', 't_cccccccccccccccccccc', 't_cccccccccccccccccccc', '\x00cc', '{Then:O}', '{Then:O}', '{Then:O}');
        INSERT INTO jobs (id, site_id, kind, state, created_by, created_at, started_at, finished_at, run_after, failed_step, error)
        VALUES ('{NewSiteJob}', '{ActiveSite}', 'NewSite', 'Succeeded', 'admin', '{Then:O}', '{Then:O}', '{Then.AddMinutes(2):O}', '{Then:O}', NULL, NULL),
               ('{FailedJob}', '{DeletedSite}', 'SuspendSite', 'Failed', 'admin', '{Then:O}', '{Then:O}', '{Then.AddMinutes(1):O}', '{Then:O}', 'stop-runtime', 'docker: no such container'),
               ('{QueuedJob}', '{DeletedSite}', 'PurgeSite', 'Queued', 'system:retention', '{Then:O}', NULL, NULL, '{Then:O}', NULL, NULL);
        INSERT INTO job_steps (job_id, ordinal, name, state, attempts, started_at, finished_at, output)
        VALUES ('{NewSiteJob}', 0, 'create-role', 'Succeeded', 1, '{Then:O}', '{Then:O}', 'role t_aaaaaaaaaaaaaaaaaaaa'),
               ('{NewSiteJob}', 1, 'create-schema', 'Succeeded', 1, '{Then:O}', '{Then:O}', 'schema t_aaaaaaaaaaaaaaaaaaaa'),
               ('{FailedJob}', 0, 'stop-runtime', 'Failed', 3, '{Then:O}', '{Then:O}', NULL),
               ('{QueuedJob}', 0, 'drop-schema', 'Pending', 0, NULL, NULL, NULL),
               ('{QueuedJob}', 1, 'drop-role', 'Pending', 0, NULL, NULL, NULL);
        INSERT INTO audit_events (at, actor, action, site_name, target, details, source_ip)
        VALUES ('{Then:O}', 'admin', 'site.create', 'erp.example.com', NULL, '{"{\"apps\": \"erpnext\"}"}', '127.0.0.1'),
               ('{Then.AddMinutes(5):O}', 'admin', 'site.delete', 'old.example.com', NULL, NULL, '127.0.0.1');
        """;

    /// <summary>A good backup as version 4 recorded it (its manifest in the press-backup/1 format).</summary>
    private static readonly string BackupAtVersion4 = $$"""
        INSERT INTO jobs (id, site_id, kind, state, created_by, created_at, started_at, finished_at, run_after, args)
        VALUES ('{{BackupJob}}', '{{ActiveSite}}', 'BackupSite', 'Succeeded', 'system:scheduler', '{{Then.AddHours(1):O}}', '{{Then.AddHours(1):O}}',
                '{{Then.AddHours(1).AddMinutes(1):O}}', '{{Then.AddHours(1):O}}', '{"trigger": "Scheduled"}');
        INSERT INTO backups (id, site_id, trigger, created_at, expires_at, parts, manifest, good_at)
        VALUES ('{{BackupJob}}', '{{ActiveSite}}', 'Scheduled', '{{Then.AddHours(1):O}}', '{{Then.AddDays(30):O}}',
                '[{"name": "database", "key": "sites/{{ActiveSite}}/backups/{{BackupJob}}/database.dump", "size": 4096, "sha256": "{{new string('a', 64)}}"}]',
                '{"format": "press-backup/1", "backupId": "{{BackupJob}}", "site": "erp.example.com", "siteId": "{{ActiveSite}}",
                  "database": "press_sites", "schema": "t_aaaaaaaaaaaaaaaaaaaa", "trigger": "Scheduled",
                  "postgres": {"server": "16.4", "pgDump": "16.4"}, "apps": [{"name": "frappe", "version": null}, {"name": "erpnext", "version": null}],
                  "parts": [{"name": "database", "key": "sites/{{ActiveSite}}/backups/{{BackupJob}}/database.dump", "size": 4096, "sha256": "{{new string('a', 64)}}"}],
                  "filesNote": "no runtime", "tables": {"tabNote": 3}, "totalSize": 4096,
                  "createdAt": "{{Then.AddHours(1):O}}", "expiresAt": "{{Then.AddDays(30):O}}"}',
                '{{Then.AddHours(1).AddMinutes(1):O}}');
        """;

    [Fact]
    public async Task An_installation_at_the_first_schema_is_upgraded_to_the_current_one_and_its_rows_are_read_by_todays_code()
    {
        var database = $"{f.Db.MetadataDatabase}_v1";
        await f.SuperExecInAsync("postgres", $"CREATE DATABASE \"{database}\" OWNER \"{f.Db.PressRole}\"");
        var options = new PostgresOptions
        {
            ConnectionString = f.Db.Options.ConnectionString, Password = f.Db.PressPassword,
            MetadataDatabase = database, SitesDatabase = f.Db.SitesDatabase,
        };
        try
        {
            await using var sources = new PressDataSources(options);
            await ApplyUpToAsync(sources, 1);
            await ExecAsync(sources, RowsAtVersion1);
            await ApplyUpToAsync(sources, 4);
            await ExecAsync(sources, BackupAtVersion4);

            // The playbook's migration step: bootstrap again (it adds what needs the table owner, runs the migrations as
            // Press, hands the audit table over).
            await InfraFixture.OneAtATimeAsync(() => new Bootstrapper(options, new MigrationRunner(sources, NullLogger<MigrationRunner>.Instance),
                NullLogger<Bootstrapper>.Instance).RunAsync(TestServices.PostgresSuperuser, CancellationToken.None));

            Assert.Equal(string.Join(",", MigrationRunner.Embedded.Select(m => m.Version)),
                await f.SuperScalarInAsync<string>(database, "SELECT string_agg(version::text, ',' ORDER BY version) FROM schema_migrations"));
            Assert.Equal(0, await new MigrationRunner(sources, NullLogger<MigrationRunner>.Instance).ApplyAsync(CancellationToken.None));

            var site = await new SiteStore(sources, TimeProvider.System).GetAsync(ActiveSite, CancellationToken.None);
            Assert.NotNull(site);
            Assert.Equal(("erp.example.com", SiteState.Active, "t_aaaaaaaaaaaaaaaaaaaa", "press_sites"), (site.Name, site.State, site.Location.Schema, site.Location.Database));
            Assert.Equal(["erpnext"], site.Apps);
            Assert.Null(site.RunnerPort);

            var queries = new SiteQueries(sources);
            var (live, total) = await queries.ListSitesAsync(null, 1, 50, CancellationToken.None);
            Assert.Equal(2, total);
            Assert.Equal(["erp.example.com", "old.example.com"], live.Select(v => v.Site.Name).Order());
            Assert.Equal(Then.AddDays(14), (await queries.GetSiteAsync("old.example.com", CancellationToken.None))!.Site.PurgeAfter);

            var created = (await queries.GetJobAsync(NewSiteJob, CancellationToken.None))!;
            Assert.Equal((JobKind.NewSite, JobState.Succeeded), (created.Kind, created.State));
            Assert.Equal(["create-role", "create-schema"], created.Steps.Select(s => s.Name));
            var failed = (await queries.GetJobAsync(FailedJob, CancellationToken.None))!;
            Assert.Equal(("stop-runtime", "docker: no such container"), (failed.FailedStep, failed.Error));

            // A job queued before the upgrade is claimed by today's worker code, under a lease the old schema never had.
            var claim = await new JobStore(sources, TimeProvider.System).ClaimNextAsync("worker-after-upgrade", TimeSpan.FromSeconds(30), [], CancellationToken.None);
            Assert.Equal(QueuedJob, claim?.Job.Id);
            Assert.Equal(JobState.Running, claim!.Job.State);

            var backup = (await new BackupStore(sources).GetAsync(BackupJob, CancellationToken.None))!;
            Assert.Equal((BackupState.Good, BackupTrigger.Scheduled), (backup.State, backup.Trigger));
            Assert.Equal(["frappe", "erpnext"], backup.Manifest!.Apps.Select(a => a.Name));
            Assert.Equal(3, backup.Manifest.Tables["tabNote"]);

            // Audit entries from before the chain are covered by the first chained one.
            await new AuditLog(sources, TimeProvider.System).WriteAsync(new Core.Audit.AuditEntry("admin", "press.upgrade", null, null, null, null), CancellationToken.None);
            var report = await new AuditChainReader(sources).VerifyAsync(CancellationToken.None);
            Assert.True(report.Intact, $"{report}");
            Assert.Equal((3L, 2L), (report.Entries, report.LegacyEntries));
        }
        finally
        {
            await f.SuperExecInAsync("postgres", $"DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)");
        }
    }

    /// <summary>What MigrationRunner does, stopping at <paramref name="version"/>: the installation as that release left it.</summary>
    private static async Task ApplyUpToAsync(PressDataSources sources, int version)
    {
        await using var conn = await sources.Metadata.OpenConnectionAsync();
        await using (var create = new NpgsqlCommand("CREATE TABLE IF NOT EXISTS schema_migrations (version int PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())", conn))
            await create.ExecuteNonQueryAsync();
        foreach (var (v, name, sql) in MigrationRunner.Embedded.Where(m => m.Version <= version))
        {
            await using var done = new NpgsqlCommand("SELECT count(*) FROM schema_migrations WHERE version = $1", conn) { Parameters = { new() { Value = v } } };
            if ((long)(await done.ExecuteScalarAsync())! > 0) continue;
            await using var tx = await conn.BeginTransactionAsync();
            await using (var cmd = new NpgsqlCommand(sql, conn, tx)) await cmd.ExecuteNonQueryAsync();
            await using (var cmd = new NpgsqlCommand("INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", conn, tx) { Parameters = { new() { Value = v }, new() { Value = name } } })
                await cmd.ExecuteNonQueryAsync();
            await tx.CommitAsync();
        }
    }

    private static async Task ExecAsync(PressDataSources sources, string sql)
    {
        await using var conn = await sources.Metadata.OpenConnectionAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        await cmd.ExecuteNonQueryAsync();
    }
}
