using Press.EndToEnd.Tests.Harness;

namespace Press.EndToEnd.Tests;

/// <summary>Two workers share one queue: every job is claimed by exactly one of them (FOR UPDATE SKIP LOCKED + lease).</summary>
public sealed class TwoWorkerTests(ManagerFixture stack) : IClassFixture<ManagerFixture>
{
    [Fact]
    public async Task Ten_sites_created_at_once_are_each_built_by_exactly_one_of_two_workers()
    {
        await using var scene = new Scene(stack.Manager);
        // A normal lease: on a busy machine a crash test's short lease could expire for real, which is not what this test is about.
        var settings = PressProcess.FastWorker(lease: TimeSpan.FromSeconds(30));
        var workers = await Task.WhenAll(
            scene.StartWorkerAsync(stack.Db, "worker-1", settings),
            scene.StartWorkerAsync(stack.Db, "worker-2", settings));

        var names = Enumerable.Range(1, 10).Select(i => $"s{i:00}.pair.test").ToArray();
        var queued = await Task.WhenAll(names.Select(stack.Api.CreateSiteAsync));
        var jobs = await Task.WhenAll(queued.Select(q => stack.Api.WaitForJobAsync(q.Id, TimeSpan.FromSeconds(60), scene.Describe)));
        var summary = "\n" + string.Join("\n", jobs.Select(j => j.Describe()));

        // Exactly once: one worker ran each job, and no step of any job ran twice.
        foreach (var job in jobs)
        {
            var ranBy = workers.Where(w => w.Log.Find(l => l.Contains($"Job {job.Id}: step")) is not null).Select(w => w.Name).ToList();
            Assert.True(ranBy.Count == 1, $"job {job.Id} ran on [{string.Join(", ", ranBy)}]{summary}{scene.Describe()}");
            Assert.True(job.Steps.All(s => s.Attempts <= 1), $"a step ran twice: {job.Describe()}{scene.Describe()}");
        }

        // And all ten sites were built.
        var failed = jobs.Where(j => j.State != "Succeeded").ToList();
        Assert.True(failed.Count == 0, $"{failed.Count} of 10 NewSite jobs did not succeed:{summary}{scene.Describe()}");
        foreach (var name in names)
        {
            var site = await stack.Api.GetSiteAsync(name);
            Assert.Equal("Active", site.State);
            var tenant = await Catalog.InspectAsync(stack.Db, site.Location.Schema);
            Assert.True(tenant.Roles == 1 && tenant.Schemas == 1, $"{name}: {tenant}");
            Assert.Single(await stack.Api.ListJobsAsync(name));
        }
        Assert.Equal(new Catalog.Installation(10, 10, 10), await Catalog.CountAsync(stack.Db));
    }
}
