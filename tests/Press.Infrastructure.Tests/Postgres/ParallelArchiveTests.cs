using System.Diagnostics;
using Npgsql;
using Press.Core.Backups;
using Press.Core.Jobs;
using Press.Core.Ports;
using Press.Infrastructure.Postgres;
using Press.Infrastructure.Postgres.Archive;
using Press.Infrastructure.S3;
using Press.Testing;

namespace Press.Infrastructure.Tests.Postgres;

/// <summary>
/// Backups as one archive and as parallel archives (docs/architecture.md §6) through the real S3 store (Ceph radosgw)
/// and PostgreSQL with its client tools: both round-trip, an old gzip archive still restores, and a failed parallel
/// restore leaves nothing behind and can run again.
/// </summary>
public sealed class ParallelArchiveTests(InfraFixture f) : IClassFixture<InfraFixture>
{
    private static readonly CancellationToken Ct = CancellationToken.None;
    private static readonly string Bucket = $"press-arch-{Guid.NewGuid():N}"[..24];

    private static IObjectStore Store() => new S3ObjectStore(new S3Options
    {
        ServiceUrl = S3TestServices.S3.Url, Bucket = Bucket, AccessKey = S3TestServices.S3.AccessKey, SecretKey = S3TestServices.S3.SecretKey,
    });

    private PgSchemaArchive Archive(int thresholdMb, int jobs) =>
        new(new BackupOptions { ToolsFolder = TestServices.PgTools, ParallelThresholdMb = thresholdMb, ParallelJobs = jobs }, f.Sources);

    /// <summary>Tables a Frappe site has (names with spaces), one whose name is full of pattern characters, a
    /// sequence Frappe uses for naming, a serial key, secondary indexes — and what a tenant's own code may add: a
    /// foreign key (built after the unique index it needs, which a parallel restore builds in another session), a
    /// unique constraint, a comment on an index.</summary>
    private async Task<TestSite> SiteWithDataAsync()
    {
        var site = await f.ProvisionSiteAsync();
        await using var conn = await f.OpenAsSiteAsync(site);
        await conn.ExecAsync("""
            CREATE TABLE "tabSales Invoice" (name varchar(140) PRIMARY KEY, customer text, grand_total numeric(21,9));
            CREATE INDEX "customer_index" ON "tabSales Invoice" (customer);
            INSERT INTO "tabSales Invoice" SELECT 'SINV-' || g, 'C' || (g % 97), g * 1.5 FROM generate_series(1, 20000) g;
            CREATE TABLE "tabError Log" (id bigserial PRIMARY KEY, error text);
            INSERT INTO "tabError Log" (error) SELECT md5(g::text) FROM generate_series(1, 3000) g;
            CREATE TABLE "we*rd.?""name" (v int);
            INSERT INTO "we*rd.?""name" VALUES (1), (2), (3);
            CREATE TABLE "tabEmpty" (v int);
            CREATE TABLE "tabSales Invoice Item" (name varchar(140) PRIMARY KEY, parent varchar(140) REFERENCES "tabSales Invoice" (name),
                item_code text UNIQUE);
            INSERT INTO "tabSales Invoice Item" SELECT 'SII-' || g, 'SINV-' || g, 'ITEM-' || g FROM generate_series(1, 5000) g;
            COMMENT ON INDEX "customer_index" IS 'by customer';
            CREATE SEQUENCE "sales_invoice_id_seq";
            SELECT setval('sales_invoice_id_seq', 4242);
            """);
        return site;
    }

    private static Func<string, Stream, CancellationToken, Task<UploadedObject>> Upload(IObjectStore store, string prefix) =>
        (part, stream, token) => store.PutAsync(prefix + part, stream, token);

    private static Func<string, CancellationToken, Task<Stream>> Open(IObjectStore store, string prefix) =>
        (part, token) => store.OpenReadAsync(prefix + part, token);

    [Fact]
    public async Task A_large_schema_is_dumped_as_parallel_archives_and_restores_whole()
    {
        var site = await SiteWithDataAsync();
        var store = Store();
        await store.EnsureReadyAsync(Ct);
        var prefix = $"t/{Guid.NewGuid():N}/";
        var archive = Archive(thresholdMb: 0, jobs: 2);

        var (info, parts) = await archive.DumpAsync(site.Site, Upload(store, prefix), Ct);

        var layout = info.Layout!;
        Assert.Equal("zstd:1", layout.Compression);
        Assert.Equal([BackupParts.DataPart(1), BackupParts.DataPart(2)], layout.DataParts);
        Assert.Equal([BackupParts.Database, .. layout.DataParts], parts.Select(p => p.Part));
        foreach (var (part, uploaded) in parts)
            Assert.Equal(uploaded, await store.ReadDigestAsync(prefix + part, Ct)); // size and SHA-256 as counted on the way
        Assert.Equal(20000, info.Tables["tabSales Invoice"]);

        var target = await RestoreAndCompareAsync(archive, Open(store, prefix), layout, site, info);
        var again = await archive.RestoreAsync(Open(store, prefix), layout, f.Db.SitesDatabase, site.Schema, $"{target}_again",
            site.Schema, site.Role, Ct);
        Assert.Contains("3 archives", again);
        Assert.Contains("indexes in 2 session(s)", again);
    }

    [Fact]
    public async Task A_small_schema_is_one_zstd_archive_and_restores_whole()
    {
        var site = await SiteWithDataAsync();
        var store = Store();
        await store.EnsureReadyAsync(Ct);
        var prefix = $"t/{Guid.NewGuid():N}/";
        var archive = Archive(thresholdMb: DumpPlan.DefaultThresholdMb, jobs: 2);

        var (info, parts) = await archive.DumpAsync(site.Site, Upload(store, prefix), Ct);

        Assert.Equal(DumpLayout.Single("zstd:1"), info.Layout! with { DataParts = [] });
        Assert.Empty(info.Layout!.DataParts);
        Assert.Equal([BackupParts.Database], parts.Select(p => p.Part));
        await RestoreAndCompareAsync(archive, Open(store, prefix), info.Layout, site, info);
    }

    [Fact]
    public async Task An_old_gzip_archive_still_restores()
    {
        var site = await SiteWithDataAsync();
        // What Press wrote before layouts: pg_dump -Fc with its default compression (gzip), one archive.
        var old = await StockDumpAsync(f.Db.SitesDatabase, site.Schema);
        Assert.Equal("PGDMP", System.Text.Encoding.ASCII.GetString(old, 0, 5));
        var archive = Archive(thresholdMb: 0, jobs: 2);
        var counts = await archive.CountRowsAsync(f.Db.SitesDatabase, site.Schema, site.Role, Ct);

        var said = await RestoreAndCompareAsync(archive, (_, _) => Task.FromResult<Stream>(new MemoryStream(old)), DumpLayout.Legacy, site,
            new SchemaDumpInfo("17", "17", counts));
        Assert.StartsWith("t_", said);
    }

    [Fact]
    public async Task A_failed_parallel_restore_leaves_nothing_behind_and_runs_again()
    {
        var site = await SiteWithDataAsync();
        var store = Store();
        await store.EnsureReadyAsync(Ct);
        var prefix = $"t/{Guid.NewGuid():N}/";
        var archive = Archive(thresholdMb: 0, jobs: 2);
        var (info, _) = await archive.DumpAsync(site.Site, Upload(store, prefix), Ct);
        var target = RestoreNames.FreshSchema(site.Schema, "00000000abcd");

        // The second data archive breaks half-way (cut short): pg_restore fails after the definitions and the first
        // archive's rows were committed.
        async Task<Stream> Broken(string part, CancellationToken token)
        {
            var stream = await store.OpenReadAsync(prefix + part, token);
            if (part != BackupParts.DataPart(2)) return stream;
            var bytes = new MemoryStream();
            await stream.CopyToAsync(bytes, token);
            await stream.DisposeAsync();
            return new MemoryStream(bytes.ToArray()[..(int)(bytes.Length / 2)]);
        }
        var failure = await Assert.ThrowsAsync<StepFailedException>(() =>
            archive.RestoreAsync(Broken, info.Layout!, f.Db.SitesDatabase, site.Schema, target, site.Schema, site.Role, Ct));
        Assert.Contains("failed", failure.Message);
        Assert.False(await archive.SchemaExistsAsync(f.Db.SitesDatabase, target, Ct), "the failed restore left its schema behind");
        Assert.True(await archive.SchemaExistsAsync(f.Db.SitesDatabase, site.Schema, Ct));

        // Run again (the job's retry of restore-database) with the archive intact: complete.
        Assert.Contains("3 archives", await archive.RestoreAsync(Open(store, prefix), info.Layout!, f.Db.SitesDatabase, site.Schema, target,
            site.Schema, site.Role, Ct));
        Assert.Equal(info.Tables, await archive.CountRowsAsync(f.Db.SitesDatabase, target, site.Role, Ct));
    }

    /// <summary>Restores into a new schema and checks what a restore must bring back; returns the schema.</summary>
    private async Task<string> RestoreAndCompareAsync(PgSchemaArchive archive, Func<string, CancellationToken, Task<Stream>> open, DumpLayout layout,
        TestSite site, SchemaDumpInfo info)
    {
        var target = RestoreNames.FreshSchema(site.Schema, Guid.NewGuid().ToString("N")[..12]);
        var said = await archive.RestoreAsync(open, layout, f.Db.SitesDatabase, site.Schema, target, site.Schema, site.Role, Ct);
        Assert.Contains(target, said);

        // Rows, in every table (the empty one and the one with pattern characters too).
        Assert.Equal(info.Tables, await archive.CountRowsAsync(f.Db.SitesDatabase, target, site.Role, Ct));
        Assert.Equal(5, info.Tables.Count);
        // Indexes and constraints (post-data), by name and definition.
        Assert.Equal(await IndexesAsync(site.Schema), await IndexesAsync(target));
        Assert.Contains(await IndexesAsync(target), i => i.StartsWith("customer_index: ", StringComparison.Ordinal));
        Assert.Equal(await ConstraintsAsync(site.Schema), await ConstraintsAsync(target));
        Assert.Contains(await ConstraintsAsync(target), c => c.Contains("FOREIGN KEY (parent) REFERENCES", StringComparison.Ordinal));
        Assert.Equal("by customer", await f.SuperScalarInAsync<string>(f.Db.SitesDatabase,
            "SELECT obj_description(to_regclass(quote_ident(@s) || '.customer_index'), 'pg_class')", ("s", target)));
        // Everything belongs to the site role, with no grants brought from the source; the schema is marked complete.
        Assert.Equal([site.Role], (await f.SuperScalarInAsync<string[]>(f.Db.SitesDatabase, """
            SELECT array_agg(DISTINCT pg_get_userbyid(c.relowner)) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = @s
            """, ("s", target)))!);
        Assert.Equal("press: restore complete", await f.SuperScalarInAsync<string>(f.Db.SitesDatabase,
            "SELECT obj_description(oid, 'pg_namespace') FROM pg_namespace WHERE nspname = @s", ("s", target)));
        // Sequence values, and a default that draws from the restored schema's own sequence.
        await using var conn = await f.OpenAsSiteAsync(site);
        Assert.Equal(4242L, await conn.ScalarAsync<long>($"SELECT last_value FROM \"{target}\".sales_invoice_id_seq"));
        Assert.Equal(3001L, await conn.ScalarAsync<long>($"INSERT INTO \"{target}\".\"tabError Log\" (error) VALUES ('x') RETURNING id"));
        Assert.Equal(3001L, await conn.ScalarAsync<long>($"SELECT last_value FROM \"{target}\".\"tabError Log_id_seq\""));
        Assert.Equal(3000L, await conn.ScalarAsync<long>($"SELECT last_value FROM \"{site.Schema}\".\"tabError Log_id_seq\""));
        return target;
    }

    private async Task<string[]> IndexesAsync(string schema) =>
        (await f.SuperScalarInAsync<string[]>(f.Db.SitesDatabase, """
            SELECT coalesce(array_agg(indexname || ': ' || replace(indexdef, @s, 'S') ORDER BY indexname), '{}') FROM pg_indexes WHERE schemaname = @s
            """, ("s", schema)))!;

    private async Task<string[]> ConstraintsAsync(string schema) =>
        (await f.SuperScalarInAsync<string[]>(f.Db.SitesDatabase, """
            SELECT coalesce(array_agg(c.conname || ': ' || replace(pg_get_constraintdef(c.oid), @s, 'S') ORDER BY c.conname), '{}')
            FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace WHERE n.nspname = @s
            """, ("s", schema)))!;

    /// <summary>Stock <c>pg_dump -Fc -n</c> as the superuser: pg_dump's own default compression.</summary>
    private static async Task<byte[]> StockDumpAsync(string database, string schema)
    {
        var su = new NpgsqlConnectionStringBuilder(TestServices.PostgresSuperuser);
        var info = new ProcessStartInfo(Path.Combine(TestServices.PgTools, "pg_dump"))
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        foreach (var a in new[] { "--format=custom", $"--schema={schema}" }) info.ArgumentList.Add(a);
        info.Environment["PGHOST"] = su.Host;
        info.Environment["PGPORT"] = su.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        info.Environment["PGUSER"] = su.Username;
        info.Environment["PGPASSWORD"] = su.Password;
        info.Environment["PGDATABASE"] = database;
        using var p = Process.Start(info)!;
        var output = new MemoryStream();
        var errors = p.StandardError.ReadToEndAsync();
        await p.StandardOutput.BaseStream.CopyToAsync(output);
        await p.WaitForExitAsync();
        Assert.True(p.ExitCode == 0, await errors);
        return output.ToArray();
    }
}

/// <summary>
/// check-backup, the first step of a restore (before anything of the site is touched), reads every part back — a
/// parallel dump's data parts too — and refuses a backup whose part does not match its recorded SHA-256.
/// </summary>
public sealed class CorruptDataPartTests(InfraFixture f) : IClassFixture<InfraFixture>
{
    private static readonly CancellationToken Ct = CancellationToken.None;

    [Fact]
    public async Task A_corrupted_data_part_fails_its_checksum_at_check_backup()
    {
        var site = await f.ProvisionSiteAsync();
        await using (var conn = await f.OpenAsSiteAsync(site))
            await conn.ExecAsync("CREATE TABLE a (v int); CREATE TABLE b (v int); INSERT INTO a SELECT generate_series(1, 1000); INSERT INTO b VALUES (1)");
        var store = new S3ObjectStore(new S3Options
        {
            ServiceUrl = S3TestServices.S3.Url, Bucket = $"press-chk-{Guid.NewGuid():N}"[..24],
            AccessKey = S3TestServices.S3.AccessKey, SecretKey = S3TestServices.S3.SecretKey,
        });
        await store.EnsureReadyAsync(Ct);
        var archive = new PgSchemaArchive(new BackupOptions { ToolsFolder = TestServices.PgTools, ParallelThresholdMb = 0, ParallelJobs = 2 }, f.Sources);
        var backupId = Guid.CreateVersion7();
        var (info, uploaded) = await archive.DumpAsync(site.Site,
            (part, stream, token) => store.PutAsync(BackupParts.Key(site.Site.Id, backupId, part), stream, token), Ct);
        var parts = uploaded.Select(u => new BackupPart(u.Part, BackupParts.Key(site.Site.Id, backupId, u.Part), u.Object.Size, u.Object.Sha256)).ToList();
        Assert.Equal(3, parts.Count);
        await InsertGoodBackupAsync(site, backupId, parts, info);

        var check = new Core.Backups.Steps.CheckBackupStep(new BackupStore(f.Sources), store);
        var job = new Job(Guid.CreateVersion7(), JobKind.RestoreSite, JobState.Running, site.Site.Id, site.Name, "test",
            DateTimeOffset.UtcNow, null, null, null, null, []) { Args = new Dictionary<string, string> { [JobArgs.BackupId] = backupId.ToString() } };
        var context = new StepContext(job, site.Site, 1, new JobLease(job.Id, "test", Guid.NewGuid(), TimeSpan.FromMinutes(1)));
        Assert.IsType<StepResult.Done>(await check.RunAsync(context, Ct)); // intact: passes

        // The second data archive replaced by other bytes of the same length.
        var corrupt = parts.Single(p => p.Name == BackupParts.DataPart(2));
        await store.PutAsync(corrupt.Key, new MemoryStream(new byte[corrupt.Size]), Ct);

        var failure = await Assert.ThrowsAsync<StepFailedException>(() => check.RunAsync(context, Ct));
        Assert.Equal(FailureKind.Permanent, failure.Kind);
        Assert.Contains($"the {BackupParts.DataPart(2)} part ({corrupt.Key}) is corrupt", failure.Message);
        // The step that refuses comes before every step that touches the site.
        Assert.Equal(StepNames.CheckBackup, Recipes.RestoreSite.Steps[0]);
    }

    /// <summary>A good backup row (its BackupSite job Succeeded) with these parts and a manifest listing them.</summary>
    private async Task InsertGoodBackupAsync(TestSite site, Guid backupId, IReadOnlyList<BackupPart> parts, SchemaDumpInfo info)
    {
        var now = DateTimeOffset.UtcNow;
        var manifest = new BackupManifest(BackupManifest.CurrentFormat, backupId, site.Name, site.Site.Id, f.Db.SitesDatabase, site.Schema, "Manual",
            new ManifestPostgres(info.ServerVersion, info.DumpToolVersion), [], parts, null, info.Tables, parts.Sum(p => p.Size), now, now.AddDays(30),
            info.Layout);
        await f.SuperExecAsync("""
            INSERT INTO jobs (id, site_id, kind, state, created_by, created_at, started_at, finished_at, run_after)
            VALUES (@id, @site, 'BackupSite', 'Succeeded', 'test', @at, @at, @at, @at)
            """, ("id", backupId), ("site", site.Site.Id), ("at", now));
        await f.SuperExecAsync("""
            INSERT INTO backups (id, site_id, trigger, created_at, expires_at, parts, manifest, good_at)
            VALUES (@id, @site, 'Manual', @at, @at + interval '30 days', @parts::jsonb, @manifest::jsonb, @at)
            """, ("id", backupId), ("site", site.Site.Id), ("at", now),
            ("parts", System.Text.Json.JsonSerializer.Serialize(parts, new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.Web))),
            ("manifest", manifest.ToJson()));
    }
}
