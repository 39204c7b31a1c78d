using System.Reflection;
using Press.Core.Jobs;
using Press.Core.Sites;
using static Press.Core.Jobs.StepNames;

namespace Press.Core.Tests.Jobs;

public sealed class RecipesTests
{
    public static IReadOnlySet<string> AllStepNames { get; } = typeof(StepNames)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Where(f => f.IsLiteral && f.FieldType == typeof(string))
        .Select(f => (string)f.GetRawConstantValue()!)
        .ToHashSet();

    public static TheoryData<JobKind> Kinds() => new(Enum.GetValues<JobKind>());

    [Fact]
    public void There_is_exactly_one_recipe_per_job_kind()
    {
        Assert.Equal(Enum.GetValues<JobKind>(), Recipes.All.Select(r => r.Kind).Order());
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void For_returns_the_recipe_of_that_kind(JobKind kind)
    {
        Assert.Equal(kind, Recipes.For(kind).Kind);
        Assert.Contains(Recipes.For(kind), Recipes.All);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Every_recipe_has_unique_step_names_that_are_all_StepNames_constants(JobKind kind)
    {
        var steps = Recipes.For(kind).Steps;

        Assert.NotEmpty(steps);
        Assert.Equal(steps.Count, steps.Distinct().Count());
        Assert.All(steps, s => Assert.Contains(s, AllStepNames));
    }

    [Fact]
    public void Every_step_name_is_used_by_some_recipe()
    {
        // Except the name a purge queued before the per-site Redis may still carry.
        Assert.Equal(AllStepNames.Where(n => n != StepNames.LegacyFlushSiteCache).Order(),
            Recipes.All.SelectMany(r => r.Steps.Concat(r.Undo)).Distinct().Order());
    }

    [Fact]
    public void The_step_names_are_distinct_kebab_case_strings()
    {
        var constants = typeof(StepNames).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral && f.FieldType == typeof(string))
            .ToList();

        Assert.NotEmpty(constants);
        Assert.Equal(constants.Count, AllStepNames.Count);
        Assert.All(AllStepNames, n => Assert.Matches(@"\A[a-z]+(-[a-z]+)*\z", n));
    }

    [Fact]
    public void NewSite_creates_the_database_side_before_any_runtime_step_and_installs_while_Installing()
    {
        string[] database = [CreateRole, CreateSiteDatabase, CreateSchema, ConfigureRole, VerifyLogin];

        Assert.Equal(database, Recipes.NewSite.Steps.Take(database.Length));
        Assert.Equal([SaveSiteConfig, RecordVersions, RegisterSsoClient, ConfigureSiteSso], Recipes.NewSite.Steps.TakeLast(4));
        Assert.Equal(SiteState.Installing, Recipes.NewSite.WhileRunning);
    }

    [Fact]
    public void NewSite_allocates_the_runner_and_writes_site_config_before_starting_and_installing()
    {
        var steps = Recipes.NewSite.Steps.ToList();

        Assert.True(steps.IndexOf(AllocateRunner) < steps.IndexOf(WriteSiteConfig));
        Assert.True(steps.IndexOf(WriteSiteConfig) < steps.IndexOf(StartRuntime));
        Assert.True(steps.IndexOf(WriteSiteConfig) < steps.IndexOf(InstallSite));
        Assert.True(steps.IndexOf(InstallSite) < steps.IndexOf(WaitHealthy));
    }

    [Fact]
    public void Resume_and_undelete_bring_the_runner_back_through_the_new_site_runtime_steps()
    {
        Assert.Equal([EnableLogin, AllocateRunner, WriteSiteConfig, StartRuntime, InstallSite, WaitHealthy, RecordVersions], Recipes.ResumeSite.Steps);
        Assert.Equal([CheckRetention, EnableLogin, AllocateRunner, WriteSiteConfig, StartRuntime, InstallSite, WaitHealthy, RecordVersions,
                RegisterSsoClient, ConfigureSiteSso, ClearDeletion],
            Recipes.UndeleteSite.Steps);
    }

    [Fact]
    public void Only_the_new_site_recipes_change_the_site_state_while_running()
    {
        // A claim makes a new site too (docs/architecture.md §17): Installing until it is served under its new name. So
        // does a rehearsal, whose site is its scratch copy (§20), never the live site.
        Assert.All(Recipes.All.Where(r => r.Kind is not (JobKind.NewSite or JobKind.NewSiteFromBackup or JobKind.ClaimStandby or JobKind.RehearseUpgrade)),
            r => Assert.Null(r.WhileRunning));
    }

    [Theory]
    [InlineData(JobKind.NewSite, SiteState.Active)]
    [InlineData(JobKind.SuspendSite, SiteState.Suspended)]
    [InlineData(JobKind.ResumeSite, SiteState.Active)]
    [InlineData(JobKind.DeleteSite, SiteState.Deleted)]
    [InlineData(JobKind.UndeleteSite, SiteState.Active)]
    [InlineData(JobKind.PurgeSite, SiteState.Purged)]
    public void Each_recipe_sets_its_success_state(JobKind kind, SiteState onSuccess)
    {
        Assert.Equal(onSuccess, Recipes.For(kind).OnSuccess);
    }

    [Theory]
    [InlineData(JobKind.NewSite, SiteState.Broken)]
    [InlineData(JobKind.SuspendSite, SiteState.Broken)]
    [InlineData(JobKind.ResumeSite, SiteState.Broken)]
    [InlineData(JobKind.DeleteSite, SiteState.Broken)]
    [InlineData(JobKind.UndeleteSite, SiteState.Deleted)]
    [InlineData(JobKind.PurgeSite, SiteState.Deleted)]
    public void Each_recipe_sets_its_failure_state(JobKind kind, SiteState onFailure)
    {
        Assert.Equal(onFailure, Recipes.For(kind).OnFailure);
    }

    [Fact]
    public void Stopping_recipes_stop_the_runtime_before_touching_logins_and_connections()
    {
        // The site's own site_config keys are kept (sealed) while the runner can still be read, before it stops.
        Assert.Equal([SaveSiteConfig, StopRuntime, DisableLogin, TerminateConnections], Recipes.SuspendSite.Steps);
        Assert.Equal([.. TakeBackup, StopRuntime, RemoveRunner, DisableLogin, TerminateConnections, DisableSsoClient, MarkDeleted], Recipes.DeleteSite.Steps);
        Assert.Equal(StopRuntime, Recipes.DeleteSite.FirstMutatingStep);
    }

    [Fact]
    public void A_restore_touches_the_live_site_only_after_the_backup_is_checked_restored_and_counted()
    {
        var steps = Recipes.RestoreSite.Steps.ToList();
        Assert.Equal(CheckBackup, steps[0]);
        Assert.True(steps.IndexOf(CheckRestore) < steps.IndexOf(EnterMaintenance));
        Assert.True(steps.IndexOf(StageFiles) < steps.IndexOf(SwapSchema));
        Assert.True(steps.IndexOf(TerminateConnections) == steps.IndexOf(SwapSchema) - 1);
        // No new session of the site between ending its sessions and the swap (docs/architecture.md §6).
        Assert.Equal([DisableLogin, TerminateConnections, SwapSchema, EnableLogin],
            steps.Skip(steps.IndexOf(DisableLogin)).Take(4));
        Assert.Equal([UndoRestore], Recipes.RestoreSite.Undo);
        Assert.True(Recipes.RestoreSite.RetryFromStart);
        Assert.Null(Recipes.RestoreSite.OnFailure);
    }

    [Fact]
    public void Undelete_checks_retention_first_and_clears_the_deletion_last()
    {
        Assert.Equal(CheckRetention, Recipes.UndeleteSite.Steps[0]);
        Assert.Equal(ClearDeletion, Recipes.UndeleteSite.Steps[^1]);
    }

    [Fact]
    public void Purge_removes_the_site_files_before_dropping_the_schema_and_then_the_role()
    {
        Assert.Equal([RemoveSsoClient, DeleteBackups, RemoveSiteFiles, RemoveSiteRedis, DiscardRestore, DropSchema, DropRole],
            Recipes.PurgeSite.Steps);
    }

    [Fact]
    public void New_site_provisions_the_database_then_configures_starts_installs_enables_the_scheduler_and_waits_for_the_runner()
    {
        Assert.Equal([CreateRole, CreateSiteDatabase, CreateSchema, ConfigureRole, VerifyLogin, AllocateRunner, WriteSiteConfig, StartRuntime, InstallSite, EnableScheduler, WaitHealthy,
                SaveSiteConfig, RecordVersions, RegisterSsoClient, ConfigureSiteSso],
            Recipes.NewSite.Steps);
    }
}
