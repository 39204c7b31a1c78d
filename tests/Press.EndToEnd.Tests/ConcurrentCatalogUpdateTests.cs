using Npgsql;
using Press.Core.Jobs;
using Press.EndToEnd.Tests.Harness;

namespace Press.EndToEnd.Tests;

/// <summary>
/// configure-role runs <c>GRANT CONNECT ON DATABASE &lt;sites db&gt;</c>, which rewrites that database's row in the shared
/// catalog pg_database. Every NewSite does so, so sites created at the same time update the same row concurrently.
/// PostgreSQL then fails the later statement with XX000 "tuple concurrently updated" — a conflict that goes away by
/// itself, so it must not fail the job (docs/architecture.md §3: transient failures retry with capped backoff).
/// </summary>
public sealed class ConcurrentCatalogUpdateTests(ManagerFixture stack) : IClassFixture<ManagerFixture>
{
    [Fact]
    public async Task A_concurrent_update_of_the_sites_database_row_does_not_fail_site_creation()
    {
        await using var scene = new Scene(stack.Manager);
        const string site = "conflict.catalog.test";
        Guid jobId;

        // Stands in for another site's configure-role, made deterministic: it updates the row first and commits
        // while this site's GRANT waits on it.
        await using var other = await stack.Db.OpenAsSuperuserAsync("postgres");
        await using (var tx = await other.BeginTransactionAsync())
        {
            await using (var grant = new NpgsqlCommand($"GRANT CONNECT ON DATABASE \"{stack.Db.SitesDatabase}\" TO \"{stack.Db.PressRole}\"", other, tx))
                await grant.ExecuteNonQueryAsync();

            await scene.StartWorkerAsync(stack.Db, "worker", PressProcess.FastWorker());
            jobId = (await stack.Api.CreateSiteAsync(site)).Id;
            await Eventually.Until(async () => (await stack.Api.GetJobAsync(jobId)).IsTerminal || await GrantWaitingAsync(), done => done,
                Crash.JobTimeout, $"step {StepNames.ConfigureRole} to wait for the other transaction (or the job to end)", scene.Describe);
            await tx.CommitAsync();
        }

        var job = await stack.Api.WaitForJobAsync(jobId, Crash.JobTimeout, scene.Describe);
        var view = await stack.Api.GetSiteAsync(site);
        Assert.True(job.State == "Succeeded" && view.State == "Active",
            $"a concurrent catalog update failed the site: {job.Describe()}; site {view.State}{scene.Describe()}");
        var tenant = await Catalog.InspectAsync(stack.Db, view.Location.Schema);
        Assert.True(tenant.CanConnect);
    }

    private async Task<bool> GrantWaitingAsync()
    {
        await using var conn = await stack.Db.OpenAsSuperuserAsync("postgres");
        return await Catalog.Scalar<long>(conn, """
            SELECT count(*) FROM pg_stat_activity
            WHERE datname = @i AND state = 'active' AND wait_event_type = 'Lock' AND query ILIKE 'GRANT CONNECT%'
            """, stack.Db.SitesDatabase) > 0;
    }
}
