using System.Collections.Concurrent;

namespace Press.Infrastructure.Tests.Jobs;

/// <summary><c>FOR UPDATE SKIP LOCKED</c>: concurrent workers never claim the same job twice.</summary>
public sealed class JobClaimTests(InfraFixture f) : IClassFixture<InfraFixture>
{
    [Fact]
    public async Task Four_concurrent_claimers_take_twenty_jobs_exactly_once()
    {
        await f.CancelActiveJobsAsync();
        var created = new List<Guid>();
        for (var i = 0; i < 20; i++) created.Add((await f.CreateSiteRowAsync()).Job.Id);

        var claims = new ConcurrentBag<(string Worker, Guid Job)>();
        await Concurrently.RunAsync(4, async n =>
        {
            var worker = $"worker-{n}";
            var store = f.Jobs();
            while (await store.TryClaimAsync(worker, TimeSpan.FromMinutes(5)) is { } claim)
                claims.Add((worker, claim.Job.Id));
            return worker;
        });

        Assert.Equal(20, claims.Count);
        Assert.Equal(20, claims.Select(c => c.Job).Distinct().Count());
        Assert.Equal(created.Order(), claims.Select(c => c.Job).Order());

        // The table agrees with what each claimer was told.
        foreach (var (worker, job) in claims)
            Assert.Equal($"Running/{worker}", await f.SuperScalarAsync<string>(
                "SELECT state || '/' || lease_owner FROM jobs WHERE id = @id", ("id", job)));
    }

    [Fact]
    public async Task A_claimed_job_is_returned_with_its_steps_and_Running()
    {
        await f.CancelActiveJobsAsync();
        var site = await f.CreateSiteRowAsync();
        var claim = await f.Jobs().TryClaimAsync("w", TimeSpan.FromMinutes(1));

        Assert.NotNull(claim);
        var job = claim.Job;
        Assert.Equal(site.Job.Id, job.Id);
        Assert.Equal(Press.Core.Jobs.JobState.Running, job.State);
        Assert.Equal(site.Name, job.SiteName);
        Assert.Equal(site.Job.Steps.Select(s => s.Name), job.Steps.Select(s => s.Name));
        Assert.Null(await f.Jobs().TryClaimAsync("other", TimeSpan.FromMinutes(1)));
        Assert.Equal((job.Id, "w", TimeSpan.FromMinutes(1)), (claim.Lease.JobId, claim.Lease.WorkerId, claim.Lease.Length));
        Assert.Equal(0, claim.AbandonedClaims);
    }
}
