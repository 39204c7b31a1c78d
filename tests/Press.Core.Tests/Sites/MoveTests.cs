using Press.Core.Audit;
using Press.Core.Backups;
using Press.Core.Backups.Steps;
using Press.Core.Jobs;
using Press.Core.Ports;
using Press.Core.Settings;
using Press.Core.Sites;
using Press.Core.Tenancy;
using Press.Core.Tests.Fakes;

namespace Press.Core.Tests.Sites;

/// <summary>
/// A site's move to another site database (docs/architecture.md §16): the rules of the request, the recipe's shape, and
/// the switch and its undo over an in-memory catalog of (database, schema) pairs.
/// </summary>
public sealed class MoveTests
{
    private const string From = "press_sites";
    private const string To = "press_sites_002";
    private static readonly Actor Admin = new("admin", "10.0.0.9");
    private static readonly CancellationToken Ct = CancellationToken.None;

    private readonly FakeSiteCommands _commands = new();
    private readonly FakeSiteDatabases _databases = new();

    private SiteMoves Moves(Site site, int cap = 12) => new(_commands, new FakeSiteStore(site), _databases,
        new FakeSettingsStore(PressSettings.Defaults with { SitesPerDatabase = cap }), new FakeJobSignals());

    // ---------------------------------------------------------------- the request

    [Fact]
    public async Task A_move_of_an_active_site_queues_the_recipe_with_both_databases_a_pre_move_backup_and_an_audit_entry()
    {
        var site = TestData.Site();
        _databases.Known.AddRange([new(From, false, 5), new(To, false, 3)]);

        await Moves(site).MoveAsync(site.Name, To, Admin, Ct);

        var job = Assert.Single(_commands.Enqueues);
        Assert.Equal(Recipes.MoveSite, job.Recipe);
        Assert.Equal([SiteState.Active], job.AllowedFrom);
        Assert.Equal(BackupTrigger.PreMove, job.Backup);
        Assert.Equal(To, job.Args[JobArgs.Database]);
        Assert.Equal(From, job.Args[JobArgs.FromDatabase]);
        Assert.Equal("site.move", job.Audit.Action);
        Assert.Equal(To, job.Audit.Details![JobArgs.Database]);
    }

    [Theory]
    [InlineData(null, "'database' is required")]
    [InlineData(" ", "'database' is required")]
    [InlineData("press_sites_009", "'press_sites_009' is not a site database of this installation (one of: press_sites, press_sites_002)")]
    public async Task A_missing_or_unknown_database_is_a_validation_problem_and_nothing_is_queued(string? database, string problem)
    {
        var site = TestData.Site();
        _databases.Known.AddRange([new(To, false, 0), new(From, false, 1)]);

        var error = await Assert.ThrowsAsync<ValidationException>(() => Moves(site).MoveAsync(site.Name, database, Admin, Ct));

        Assert.Contains(problem, Assert.Single(error.Problems["database"]));
        Assert.Empty(_commands.Enqueues);
    }

    [Theory]
    [InlineData(From, false, 1, "already in database press_sites")]
    [InlineData(To, true, 0, "Database press_sites_002 is closed by an operator")]
    [InlineData(To, false, 2, "Database press_sites_002 is full: it holds 2 site(s) and tenancy.sitesPerDatabase is 2")]
    public async Task The_site_s_own_database_a_closed_one_and_a_full_one_are_refused_as_conflicts(string target, bool closed, int sites, string reason)
    {
        var site = TestData.Site();
        _databases.Known.Add(new(From, false, 1));
        if (target != From) _databases.Known.Add(new(target, closed, sites));

        var error = await Assert.ThrowsAsync<ConflictException>(() => Moves(site, cap: 2).MoveAsync(site.Name, target, Admin, Ct));

        Assert.Contains(reason, error.Message);
        Assert.Empty(_commands.Enqueues);
    }

    [Fact]
    public async Task An_unknown_site_is_not_found()
    {
        _databases.Known.Add(new(To, false, 0));
        await Assert.ThrowsAsync<NotFoundException>(() => Moves(TestData.Site()).MoveAsync("gone.example.com", To, Admin, Ct));
    }

    [Fact]
    public void The_recipe_copies_and_checks_before_it_touches_the_site_and_has_an_undo()
    {
        var steps = Recipes.MoveSite.Steps.ToList();
        Assert.Equal(StepNames.TakeBackup, steps.Take(StepNames.TakeBackup.Count));
        int At(string step) => steps.IndexOf(step);
        Assert.True(At(StepNames.CreateSiteDatabase) < At(StepNames.GrantConnect) && At(StepNames.GrantConnect) < At(StepNames.RestoreDatabase));
        Assert.True(At(StepNames.CheckRestore) < At(StepNames.EnterMaintenance));
        Assert.Equal([StepNames.EnterMaintenance, StepNames.DisableLogin, StepNames.TerminateConnections, StepNames.SwitchDatabase, StepNames.EnableLogin],
            steps.Skip(At(StepNames.EnterMaintenance)).Take(5));
        Assert.True(At(StepNames.WriteSiteConfig) > At(StepNames.SwitchDatabase) && At(StepNames.StopRuntime) < At(StepNames.StartRuntime));
        Assert.Equal(StepNames.WaitHealthy, steps[^1]);
        Assert.Equal([StepNames.UndoMove], Recipes.MoveSite.Undo);
        Assert.True(Recipes.MoveSite.RetryFromStart);
        Assert.Null(Recipes.MoveSite.FailureState(StepNames.SwitchDatabase));
        Assert.Same(Recipes.MoveSite, Recipes.For(JobKind.MoveSite));
    }

    // ---------------------------------------------------------------- switch and undo

    private sealed class Scene
    {
        public readonly Site Site;
        public readonly FakeSiteStore Sites;
        public readonly Catalog Schemas = new();
        public readonly FakeTenantDatabase Tenants = new();
        public readonly FakeBackupStore Restores = new();
        public readonly FakeJobStore Jobs = new();
        public readonly FakeSiteRuntime Runtime = new(RuntimeOutcome.Done("ok"));
        public Job Job;
        public string Live => Site.Location.Schema;
        public string Fresh => RestoreNames.FreshSchema(Live, RestoreNames.RestoreId(Job.Id));
        public string Previous => RestoreNames.PreviousSchema(Live, RestoreNames.RestoreId(Job.Id));

        public Scene(int targetSites = 0)
        {
            Site = TestData.Site() with { EncryptedAdminPassword = new FakeSecretProtector().Protect("admin-pass") };
            Sites = new FakeSiteStore(Site);
            Sites.DatabaseCounts[To] = targetSites;
            Job = TestData.Job(Recipes.MoveSite, Site) with
            {
                Args = new Dictionary<string, string> { [JobArgs.Database] = To, [JobArgs.FromDatabase] = From },
            };
            Schemas.Add(From, Live);
        }

        public StepContext Context() => new(Job, Sites.Sites[Site.Id], 1, new JobLease(Job.Id, "worker-1", Guid.NewGuid(), TimeSpan.FromSeconds(30)));

        public Task<StepResult> SwitchAsync(int cap = 12) =>
            new SwitchDatabaseStep(Schemas, Sites, Tenants, Restores, new FakeSettingsStore(PressSettings.Defaults with { SitesPerDatabase = cap }), TimeProvider.System)
                .RunAsync(Context(), Ct);

        public Task<StepResult> UndoAsync(params string[] started)
        {
            Jobs.Stored = started.Aggregate(Job, (j, s) => j.WithStep(s, StepState.Succeeded));
            return new UndoMoveStep(Jobs, Sites, Schemas, Tenants, Restores, Runtime, new FakeSecretProtector()).RunAsync(Context(), Ct);
        }

        public string Database => Sites.Sites[Site.Id].Location.Database;
    }

    private static readonly string[] ThroughSwitch =
        [StepNames.CreateSiteDatabase, StepNames.GrantConnect, StepNames.RestoreDatabase, StepNames.CheckRestore,
         StepNames.EnterMaintenance, StepNames.DisableLogin, StepNames.TerminateConnections, StepNames.SwitchDatabase];

    [Fact]
    public async Task The_switch_records_the_site_in_the_target_renames_both_schemas_keeps_the_old_one_and_closes_the_old_database()
    {
        var s = new Scene();
        s.Schemas.Add(To, s.Fresh);

        var result = await s.SwitchAsync();

        Assert.IsType<StepResult.Done>(result);
        Assert.Equal(To, s.Database);
        Assert.Equal([(From, s.Previous), (To, s.Live)], s.Schemas.All);
        var kept = Assert.Single(s.Restores.Restores.Values);
        Assert.Equal((From, s.Previous, s.Job.Id), (kept.PreviousDatabase, kept.PreviousSchema, kept.BackupId));
        Assert.True(kept.IsMoveFrom(To));
        Assert.Contains(new FakeTenantDatabase.Call("revoke-connect", s.Site.Id, Database: From), s.Tenants.Calls);

        // Run again (a worker killed after it): nothing more changes.
        Assert.IsType<StepResult.Done>(await s.SwitchAsync());
        Assert.Equal([(From, s.Previous), (To, s.Live)], s.Schemas.All);
        Assert.Single(s.Restores.Restores);
    }

    [Fact]
    public async Task A_switch_half_done_by_a_killed_worker_finishes_on_the_next_run()
    {
        var s = new Scene();
        s.Schemas.Add(To, s.Fresh);
        await s.Sites.SwitchDatabaseAsync(s.Site.Id, From, To, 12, Ct); // the metadata committed, then the worker died

        Assert.IsType<StepResult.Done>(await s.SwitchAsync());

        Assert.Equal([(From, s.Previous), (To, s.Live)], s.Schemas.All);
    }

    [Fact]
    public async Task A_target_that_filled_up_meanwhile_or_a_missing_copy_fails_the_switch_before_anything_changes()
    {
        var full = new Scene(targetSites: 2);
        full.Schemas.Add(To, full.Fresh);
        var refused = Assert.IsType<StepResult.Fail>(await full.SwitchAsync(cap: 2));
        Assert.Contains("filled up", refused.Error);
        Assert.Equal(From, full.Database);
        Assert.Equal([(From, full.Live), (To, full.Fresh)], full.Schemas.All);

        var none = new Scene();
        var missing = Assert.IsType<StepResult.Fail>(await none.SwitchAsync());
        Assert.Contains("is not in press_sites_002", missing.Error);
        Assert.Equal(From, none.Database);
        Assert.Empty(none.Restores.Restores);
    }

    [Fact]
    public async Task The_undo_after_the_switch_puts_the_site_back_where_and_as_it_was()
    {
        var s = new Scene();
        s.Schemas.Add(To, s.Fresh);
        await s.SwitchAsync();

        var undone = Assert.IsType<StepResult.Done>(await s.UndoAsync([.. ThroughSwitch, StepNames.EnableLogin, StepNames.WriteSiteConfig]));

        Assert.Equal(From, s.Database);
        Assert.Equal([(From, s.Live)], s.Schemas.All);
        Assert.Empty(s.Restores.Restores);
        Assert.Contains(new FakeTenantDatabase.Call("grant-connect", s.Site.Id, Database: From), s.Tenants.Calls);
        Assert.Equal(new FakeTenantDatabase.Call("revoke-connect", s.Site.Id, Database: To), s.Tenants.Calls.Last(c => c.Database is not null));
        Assert.Contains(new FakeTenantDatabase.Call("set-login", s.Site.Id, CanLogin: true), s.Tenants.Calls);
        var name = s.Site.Name;
        Assert.Equal([$"config {name}", $"stop {name}", $"start {name}", $"maintenance-off {name}"], s.Runtime.Calls);
        Assert.Contains("site recorded in press_sites again", undone.Output);
    }

    [Fact]
    public async Task The_undo_before_the_switch_drops_the_copy_closes_the_target_and_leaves_the_runner_alone()
    {
        var s = new Scene();
        s.Schemas.Add(To, s.Fresh);

        await s.UndoAsync(StepNames.CreateSiteDatabase, StepNames.GrantConnect, StepNames.RestoreDatabase);

        Assert.Equal(From, s.Database);
        Assert.Equal([(From, s.Live)], s.Schemas.All);
        Assert.Contains(new FakeTenantDatabase.Call("revoke-connect", s.Site.Id, Database: To), s.Tenants.Calls);
        Assert.DoesNotContain(s.Tenants.Calls, c => c.Operation == "set-login");
        Assert.Empty(s.Runtime.Calls);
    }

    [Fact]
    public async Task The_undo_never_drops_the_copy_when_the_old_schema_is_gone()
    {
        var s = new Scene();
        s.Schemas.Add(To, s.Fresh);
        await s.SwitchAsync();
        s.Schemas.Remove(From, s.Previous); // an operator dropped it by hand

        var undone = await s.UndoAsync(ThroughSwitch);

        Assert.Contains((To, s.Live), s.Schemas.All);
        Assert.Contains("kept for an operator", Assert.IsType<StepResult.Done>(undone).Output);
    }

    [Fact]
    public async Task When_the_window_ends_the_kept_schema_is_dropped_in_the_database_the_site_left_and_purge_finds_it_there_too()
    {
        var s = new Scene();
        s.Schemas.Add(To, s.Fresh);
        await s.SwitchAsync();
        var moved = s.Sites.Sites[s.Site.Id];

        // Purge (a later job of the site): every schema of its role but the live one, in every database.
        var purge = TestData.Job(Recipes.PurgeSite, moved);
        var discard = new DiscardRestoreStep(s.Schemas, s.Restores, s.Runtime, TimeProvider.System);
        var purged = Assert.IsType<StepResult.Done>(await discard.RunAsync(new StepContext(purge, moved, 1, new JobLease(purge.Id, "w", Guid.NewGuid(), TimeSpan.FromSeconds(30))), Ct));
        Assert.Equal([(To, s.Live)], s.Schemas.All);
        Assert.Contains($"in {From}", purged.Output);

        // The window's end (the scheduler's DiscardRestore job naming the move): the kept schema, where it is.
        s.Schemas.Add(From, s.Previous);
        var job = TestData.Job(Recipes.DiscardRestoreData, moved) with { Args = new Dictionary<string, string> { [JobArgs.RestoreId] = s.Job.Id.ToString() } };
        Assert.IsType<StepResult.Done>(await discard.RunAsync(new StepContext(job, moved, 1, new JobLease(job.Id, "w", Guid.NewGuid(), TimeSpan.FromSeconds(30))), Ct));
        Assert.Equal([(To, s.Live)], s.Schemas.All);
        Assert.NotNull(s.Restores.Restores[s.Job.Id].DiscardedAt);

        // And a move is not rolled back as a restore would be.
        var rollback = TestData.Job(Recipes.RollbackRestore, moved) with { Args = job.Args };
        var refused = Assert.IsType<StepResult.Fail>(await new RollbackSchemaStep(s.Schemas, s.Restores, TimeProvider.System)
            .RunAsync(new StepContext(rollback, moved, 1, new JobLease(rollback.Id, "w", Guid.NewGuid(), TimeSpan.FromSeconds(30))), Ct));
        Assert.Contains("moving the site back", refused.Error);
    }

    [Fact]
    public void A_restore_record_of_a_move_is_told_apart_from_one_in_place()
    {
        var record = new SiteRestore(Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), "abc", "t_x_pabc", TestData.Now, TestData.Now, null, null);
        Assert.False(record.IsMoveFrom(From));
        Assert.False((record with { PreviousDatabase = From }).IsMoveFrom(From));
        Assert.True((record with { PreviousDatabase = From }).IsMoveFrom(To));
    }

    /// <summary>(database, schema) pairs: exists, rename within a database, drop; what the move steps use.</summary>
    private sealed class Catalog : ISchemaArchive
    {
        private readonly List<(string Database, string Schema)> _schemas = [];
        public IReadOnlyList<(string, string)> All => _schemas.OrderBy(s => s.Database, StringComparer.Ordinal).ThenBy(s => s.Schema, StringComparer.Ordinal).ToList();
        public void Add(string db, string schema) => _schemas.Add((db, schema));
        public void Remove(string db, string schema) => _schemas.Remove((db, schema));

        public Task<bool> SchemaExistsAsync(string database, string schema, CancellationToken ct) => Task.FromResult(_schemas.Contains((database, schema)));

        public Task RenameSchemasAsync(string database, string role, IReadOnlyList<(string From, string To)> renames, CancellationToken ct)
        {
            foreach (var (from, to) in renames)
            {
                if (!_schemas.Remove((database, from)) || _schemas.Contains((database, to))) throw new InvalidOperationException($"rename {from} → {to} in {database}");
                _schemas.Add((database, to));
            }
            return Task.CompletedTask;
        }

        public Task<string> DropSchemaAsync(string database, string schema, string role, CancellationToken ct) =>
            Task.FromResult(_schemas.Remove((database, schema)) ? $"dropped schema {schema}" : $"schema {schema} already gone");

        private static Exception Unused() => new InvalidOperationException("the move steps do not use this");
        public Task<ToolCheck> CheckToolsAsync(CancellationToken ct) => throw Unused();
        public Task<(SchemaDumpInfo Info, IReadOnlyList<(string Part, UploadedObject Object)> Parts)> DumpAsync(Site site,
            Func<string, Stream, CancellationToken, Task<UploadedObject>> upload, CancellationToken ct) => throw Unused();
        public Task<string> RestoreAsync(Func<string, CancellationToken, Task<Stream>> openPart, DumpLayout layout, string database, string dumpSchema,
            string targetSchema, string liveSchema, string targetRole, CancellationToken ct) => throw Unused();
        public Task<IReadOnlyDictionary<string, long>> CountRowsAsync(string database, string schema, string role, CancellationToken ct) => throw Unused();
        // Every schema here is the one site's.
        public Task<IReadOnlyList<string>> SchemasOwnedByAsync(string database, string role, CancellationToken ct) =>
            Task.FromResult<IReadOnlyList<string>>(_schemas.Where(s => s.Database == database).Select(s => s.Schema).ToList());
        public Task<IReadOnlyList<string>> DatabasesOwnedInAsync(string role, CancellationToken ct) =>
            Task.FromResult<IReadOnlyList<string>>(_schemas.Select(s => s.Database).Distinct().ToList());
    }
}
