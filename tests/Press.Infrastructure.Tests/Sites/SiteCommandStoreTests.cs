using Press.Core.Backups;
using Press.Core.Jobs;
using Press.Core.Ports;
using Press.Core.Sites;
using Press.Core.Tenancy;

namespace Press.Infrastructure.Tests.Sites;

/// <summary>docs/architecture.md §3: one mutating job per site; site, job, steps and audit commit together.</summary>
public sealed class SiteCommandStoreTests(InfraFixture f) : IClassFixture<InfraFixture>
{
    private static readonly CancellationToken Ct = CancellationToken.None;

    private async Task<TestSite> ActiveSiteAsync()
    {
        var site = await f.CreateSiteRowAsync();
        await f.FinishJobAsync(site.Job.Id, JobState.Succeeded, SiteState.Active);
        return site;
    }

    private NewSiteRecord Record(string name)
    {
        return NewSiteRecord.For(name, [], f.Db.SitesDatabase, f.Secrets);
    }

    [Fact]
    public async Task CreateSite_stores_the_site_the_job_its_steps_and_one_audit_row()
    {
        var name = InfraFixture.NewSiteName();
        var record = Record(name);
        var job = await f.Commands().CreateSiteAsync(record, Recipes.NewSite, InfraFixture.Audit("site.create", name, actor: "alice"), Ct);

        Assert.Equal((JobKind.NewSite, JobState.Queued, "alice"), (job.Kind, job.State, job.CreatedBy));
        var stored = await f.Jobs().GetAsync(job.Id, Ct);
        Assert.Equal(Recipes.NewSite.Steps, stored!.Steps.Select(s => s.Name));
        Assert.All(stored.Steps, s => Assert.Equal(StepState.Pending, s.State));
        var site = await f.Store().GetAsync(record.Id, Ct);
        Assert.Equal((SiteState.Pending, record.Schema, record.RoleName), (site!.State, site.Location.Schema, site.RoleName));

        Assert.Equal(1L, await f.AuditCountAsync(name));
        Assert.Equal($"alice|site.create|{job.Id}|203.0.113.7|test", await f.SuperScalarAsync<string>(
            "SELECT concat_ws('|', actor, action, target, source_ip, details->>'why') FROM audit_events WHERE site_name = @n", ("n", name)));
    }

    public static TheoryData<JobState> ActiveJobStates => new(JobState.Queued, JobState.Running, JobState.Waiting);

    [Theory]
    [MemberData(nameof(ActiveJobStates))]
    public async Task Enqueue_while_a_job_is_active_conflicts_and_names_the_job(JobState state)
    {
        var site = await f.CreateSiteRowAsync();
        await f.SuperExecAsync("UPDATE jobs SET state = @s WHERE id = @id", ("s", state.ToString()), ("id", site.Job.Id));

        var ex = await Assert.ThrowsAsync<ConflictException>(() => f.Commands().EnqueueAsync(site.Name, Recipes.DeleteSite,
            Enum.GetValues<SiteState>(), InfraFixture.Audit("site.delete", site.Name), Ct, backup: BackupTriggers.For(Recipes.DeleteSite)));
        Assert.Equal(site.Job.Id, ex.RunningJobId);
        Assert.Contains(site.Job.Id.ToString(), ex.Message, StringComparison.Ordinal);
        Assert.Equal(1L, await f.SuperScalarAsync<long>("SELECT count(*) FROM jobs WHERE site_id = @s", ("s", site.Site.Id)));
        Assert.Equal(0L, await f.AuditCountAsync(site.Name, "site.delete"));
    }

    public static TheoryData<JobState> FinishedJobStates => new(JobState.Succeeded, JobState.Failed, JobState.Cancelled);

    [Theory]
    [MemberData(nameof(FinishedJobStates))]
    public async Task Enqueue_after_the_job_finished_is_accepted(JobState state)
    {
        var site = await f.CreateSiteRowAsync();
        await f.FinishJobAsync(site.Job.Id, state, SiteState.Active);

        var job = await f.Commands().EnqueueAsync(site.Name, Recipes.SuspendSite, [SiteState.Active],
            InfraFixture.Audit("site.suspend", site.Name), Ct);
        Assert.Equal((JobKind.SuspendSite, JobState.Queued, site.Site.Id), (job.Kind, job.State, job.SiteId));
        Assert.Equal(Recipes.SuspendSite.Steps, (await f.Jobs().GetAsync(job.Id, Ct))!.Steps.Select(s => s.Name));
    }

    [Fact]
    public async Task Ten_concurrent_enqueues_on_one_site_let_exactly_one_through()
    {
        var site = await ActiveSiteAsync();
        var attempts = await Concurrently.RunAsync(10, async i =>
        {
            try
            {
                return (Job: (Job?)await f.Commands().EnqueueAsync(site.Name, Recipes.SuspendSite, [SiteState.Active],
                    InfraFixture.Audit("site.suspend", site.Name, actor: $"user{i}"), Ct), Conflict: (ConflictException?)null);
            }
            catch (ConflictException ex)
            {
                return (Job: null, Conflict: ex);
            }
        });

        var winner = Assert.Single(attempts, a => a.Job is not null).Job!;
        Assert.Equal(9, attempts.Count(a => a.Conflict is not null));
        Assert.Equal(1L, await f.SuperScalarAsync<long>(
            "SELECT count(*) FROM jobs WHERE site_id = @s AND state IN ('Queued', 'Running', 'Waiting')", ("s", site.Site.Id)));
        Assert.Equal(1L, await f.AuditCountAsync(site.Name, "site.suspend"));
        Assert.All(attempts.Where(a => a.Conflict?.RunningJobId is not null), a => Assert.Equal(winner.Id, a.Conflict!.RunningJobId));
    }

    [Fact]
    public async Task A_taken_name_conflicts_and_writes_nothing()
    {
        var site = await f.CreateSiteRowAsync();
        var ex = await Assert.ThrowsAsync<ConflictException>(() =>
            f.Commands().CreateSiteAsync(Record(site.Name), Recipes.NewSite, InfraFixture.Audit("site.create", site.Name), Ct));
        Assert.Contains($"'{site.Name}' already exists (state Pending)", ex.Message, StringComparison.Ordinal);
        Assert.Equal(1L, await f.SuperScalarAsync<long>("SELECT count(*) FROM sites WHERE name = @n", ("n", site.Name)));
        Assert.Equal(1L, await f.AuditCountAsync(site.Name));
    }

    [Fact]
    public async Task A_soft_deleted_site_keeps_its_name_and_the_conflict_suggests_undelete()
    {
        var site = await f.CreateSiteRowAsync();
        await f.FinishJobAsync(site.Job.Id, JobState.Succeeded, SiteState.Deleted);

        var ex = await Assert.ThrowsAsync<ConflictException>(() =>
            f.Commands().CreateSiteAsync(Record(site.Name), Recipes.NewSite, InfraFixture.Audit("site.create", site.Name), Ct));
        Assert.Contains("soft-deleted", ex.Message, StringComparison.Ordinal);
        Assert.Contains("undelete", ex.Message, StringComparison.Ordinal);
        Assert.Equal(1L, await f.AuditCountAsync(site.Name));
    }

    [Fact]
    public async Task A_purged_site_frees_its_name()
    {
        var site = await f.CreateSiteRowAsync();
        await f.FinishJobAsync(site.Job.Id, JobState.Succeeded, SiteState.Purged);

        var again = await f.CreateSiteRowAsync(site.Name);
        Assert.NotEqual(site.Site.Id, again.Site.Id);
        Assert.NotEqual(site.Schema, again.Schema);
        // Commands on the name address the live site, never the purged one.
        var ex = await Assert.ThrowsAsync<ConflictException>(() => f.Commands().EnqueueAsync(site.Name, Recipes.SuspendSite,
            [SiteState.Active], InfraFixture.Audit("site.suspend", site.Name), Ct));
        Assert.Equal(again.Job.Id, ex.RunningJobId);
    }

    [Fact]
    public async Task A_wrong_state_conflicts_naming_the_current_and_allowed_states()
    {
        var site = await ActiveSiteAsync();
        var ex = await Assert.ThrowsAsync<ConflictException>(() => f.Commands().EnqueueAsync(site.Name, Recipes.UndeleteSite,
            [SiteState.Deleted, SiteState.Suspended], InfraFixture.Audit("site.undelete", site.Name), Ct));
        Assert.Equal($"Site '{site.Name}' is Active; UndeleteSite needs it to be Deleted or Suspended.", ex.Message);
        Assert.Null(ex.RunningJobId);
        Assert.Equal(1L, await f.SuperScalarAsync<long>("SELECT count(*) FROM jobs WHERE site_id = @s", ("s", site.Site.Id)));
        Assert.Equal(0L, await f.AuditCountAsync(site.Name, "site.undelete"));
    }

    [Fact]
    public async Task Enqueue_on_an_unknown_or_purged_site_is_not_found()
    {
        var purged = await f.CreateSiteRowAsync();
        await f.FinishJobAsync(purged.Job.Id, JobState.Succeeded, SiteState.Purged);
        foreach (var name in new[] { InfraFixture.NewSiteName("nobody"), purged.Name })
        {
            await Assert.ThrowsAsync<NotFoundException>(() => f.Commands().EnqueueAsync(name, Recipes.DeleteSite,
                Enum.GetValues<SiteState>(), InfraFixture.Audit("site.delete", name), Ct, backup: BackupTriggers.For(Recipes.DeleteSite)));
            Assert.Equal(0L, await f.AuditCountAsync(name, "site.delete"));
        }
    }

    /// <summary>A NewSite job that failed at step 3 after steps 1 and 2 succeeded, as a worker leaves it.</summary>
    private async Task<TestSite> FailedAtStepThreeAsync()
    {
        var site = await f.CreateSiteRowAsync();
        await f.FinishJobAsync(site.Job.Id, JobState.Failed, SiteState.Broken);
        await f.SuperExecAsync("""
            UPDATE jobs SET failed_step = 'configure-role', error = 'boom' WHERE id = @id;
            UPDATE job_steps SET state = 'Succeeded', attempts = 1, output = 'ok' WHERE job_id = @id AND ordinal IN (1, 2);
            UPDATE job_steps SET state = 'Failed', attempts = 3, error = 'boom' WHERE job_id = @id AND ordinal = 3;
            """, ("id", site.Job.Id));
        return site;
    }

    [Fact]
    public async Task Retry_requeues_a_failed_job_from_its_failed_step()
    {
        var site = await FailedAtStepThreeAsync();
        await f.CancelActiveJobsAsync(); // so the claim below can only find this job
        var retried = await f.Commands().RetryAsync(site.Job.Id,
            InfraFixture.Audit("job.retry", target: site.Job.Id.ToString(), actor: "operator"), Ct);

        Assert.Equal((JobState.Queued, (string?)null, (string?)null), (retried.State, retried.FailedStep, retried.Error));
        Assert.Null(retried.FinishedAt);
        Assert.Equal(new[] { StepState.Succeeded, StepState.Succeeded }
                .Concat(Enumerable.Repeat(StepState.Pending, Press.Core.Jobs.Recipes.NewSite.Steps.Count - 2)),
            retried.Steps.Select(s => s.State));
        Assert.Equal(new[] { "ok", "ok" }, retried.Steps.Take(2).Select(s => s.Output));
        Assert.Equal((0, (string?)null), (retried.Steps[2].Attempts, retried.Steps[2].Error));

        // The audit row names the site even though the caller only knew the job.
        Assert.Equal($"operator|{site.Job.Id}", await f.SuperScalarAsync<string>(
            "SELECT concat_ws('|', actor, target) FROM audit_events WHERE site_name = @n AND action = 'job.retry'", ("n", site.Name)));
        Assert.Equal(site.Job.Id, (await f.Jobs().ClaimNextAsync("w", TimeSpan.FromMinutes(1), [], Ct))?.Job.Id);
    }

    [Theory]
    [InlineData(JobState.Queued)]
    [InlineData(JobState.Running)]
    [InlineData(JobState.Waiting)]
    [InlineData(JobState.Succeeded)]
    [InlineData(JobState.Cancelled)]
    public async Task Retry_of_a_job_that_did_not_fail_conflicts(JobState state)
    {
        var site = await f.CreateSiteRowAsync();
        await f.SuperExecAsync("UPDATE jobs SET state = @s WHERE id = @id", ("s", state.ToString()), ("id", site.Job.Id));
        var ex = await Assert.ThrowsAsync<ConflictException>(() => f.Commands().RetryAsync(site.Job.Id,
            InfraFixture.Audit("job.retry", target: site.Job.Id.ToString()), Ct));
        Assert.Contains($"is {state}; only Failed jobs can be retried", ex.Message, StringComparison.Ordinal);
        Assert.Equal(0L, await f.AuditCountAsync(site.Name, "job.retry"));
    }

    [Fact]
    public async Task Retry_while_another_job_runs_on_the_site_conflicts()
    {
        var site = await FailedAtStepThreeAsync();
        var delete = await f.Commands().EnqueueAsync(site.Name, Recipes.DeleteSite, [SiteState.Broken],
            InfraFixture.Audit("site.delete", site.Name), Ct, backup: BackupTriggers.For(Recipes.DeleteSite));

        var ex = await Assert.ThrowsAsync<ConflictException>(() => f.Commands().RetryAsync(site.Job.Id,
            InfraFixture.Audit("job.retry", target: site.Job.Id.ToString()), Ct));
        Assert.Equal(delete.Id, ex.RunningJobId);
        Assert.Equal(JobState.Failed, (await f.Jobs().GetAsync(site.Job.Id, Ct))!.State);
        Assert.Equal(0L, await f.AuditCountAsync(site.Name, "job.retry"));
    }

    [Fact]
    public async Task Ten_concurrent_retries_of_one_failed_job_let_exactly_one_through()
    {
        // A race: several rounds, each on a fresh failed job, so a missing guard shows up reliably.
        for (var round = 0; round < 5; round++)
        {
            var site = await FailedAtStepThreeAsync();
            var outcomes = await Concurrently.RunAsync(10, async i =>
            {
                try
                {
                    await f.Commands().RetryAsync(site.Job.Id, InfraFixture.Audit("job.retry", target: site.Job.Id.ToString(), actor: $"op{i}"), Ct);
                    return true;
                }
                catch (ConflictException)
                {
                    return false;
                }
            });

            Assert.True(outcomes.Count(ok => ok) == 1, $"round {round}: {outcomes.Count(ok => ok)} of 10 concurrent retries succeeded");
            Assert.Equal(1L, await f.AuditCountAsync(site.Name, "job.retry"));
        }
    }

    [Fact]
    public async Task Retry_of_a_stale_failed_job_after_a_newer_job_changed_the_site_conflicts()
    {
        // Suspend failed (site Broken); the operator then deleted the site instead (site Deleted).
        var site = await ActiveSiteAsync();
        var suspend = await f.Commands().EnqueueAsync(site.Name, Recipes.SuspendSite, [SiteState.Active],
            InfraFixture.Audit("site.suspend", site.Name), Ct);
        await f.FinishJobAsync(suspend.Id, JobState.Failed, SiteState.Broken);
        var delete = await f.Commands().EnqueueAsync(site.Name, Recipes.DeleteSite, [SiteState.Broken],
            InfraFixture.Audit("site.delete", site.Name), Ct, backup: BackupTriggers.For(Recipes.DeleteSite));
        await f.FinishJobAsync(delete.Id, JobState.Succeeded, SiteState.Deleted);

        // Re-running the old suspend would move a soft-deleted site to Suspended (and from there Resume makes it live).
        await Assert.ThrowsAsync<ConflictException>(() => f.Commands().RetryAsync(suspend.Id,
            InfraFixture.Audit("job.retry", target: suspend.Id.ToString()), Ct));
        Assert.Equal(JobState.Failed, (await f.Jobs().GetAsync(suspend.Id, Ct))!.State);
    }

    [Fact]
    public async Task Retry_of_an_unknown_job_is_not_found()
    {
        await Assert.ThrowsAsync<NotFoundException>(() => f.Commands().RetryAsync(Guid.NewGuid(), InfraFixture.Audit("job.retry"), Ct));
    }

    [Fact]
    public async Task If_the_audit_row_cannot_be_written_the_site_and_job_are_not_created_either()
    {
        var name = InfraFixture.NewSiteName("audit-fails");
        var record = Record(name);
        await f.SuperExecAsync($"""
            CREATE FUNCTION test_refuse_audit() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION 'test: audit refused'; END $$;
            CREATE TRIGGER test_refuse_audit BEFORE INSERT ON audit_events FOR EACH ROW
                WHEN (NEW.site_name = '{name}') EXECUTE FUNCTION test_refuse_audit();
            """);
        try
        {
            await PgAssert.FailsAsync("P0001", () => f.Commands().CreateSiteAsync(record, Recipes.NewSite, InfraFixture.Audit("site.create", name), Ct),
                "audit refused");
        }
        finally
        {
            await f.SuperExecAsync("DROP TRIGGER test_refuse_audit ON audit_events; DROP FUNCTION test_refuse_audit()");
        }
        Assert.Equal(0L, await f.SuperScalarAsync<long>("SELECT count(*) FROM sites WHERE name = @n", ("n", name)));
        Assert.Equal(0L, await f.SuperScalarAsync<long>("SELECT count(*) FROM jobs WHERE site_id = @s", ("s", record.Id)));
        Assert.Equal(0L, await f.SuperScalarAsync<long>("SELECT count(*) FROM job_steps s JOIN jobs j ON j.id = s.job_id WHERE j.site_id = @s", ("s", record.Id)));

        // Nothing half-written blocks the name afterwards.
        await f.Commands().CreateSiteAsync(record, Recipes.NewSite, InfraFixture.Audit("site.create", name), Ct);
        Assert.Equal(1L, await f.AuditCountAsync(name));
    }
}
